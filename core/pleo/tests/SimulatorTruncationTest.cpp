// The Pleo client against the simulator when three answers in ten are cut short (its
// `truncate` fault: the full Content-Length promised, half the body sent, the connection
// closed). Every page of a 300-item job is still read whole, each item exactly once.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"
#include "ledgerbridge/testsupport/Simulator.h"

using namespace ledgerbridge;

namespace {

class ApiKey : public oauth::AuthorizationSource {
public:
    explicit ApiKey(std::string header) : header_(std::move(header)) {}
    std::string authorizationHeader() override { return header_; }
    std::string onUnauthorized(const std::string&) override { throw AuthError("the simulator refused the API key"); }

private:
    std::string header_;
};

Poco::JSON::Object::Ptr admin(http::HttpTransport& t, const std::string& url, const std::string& body) {
    http::HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.contentType = "application/json";
    r.body = body;
    http::HttpResponse a = t.send(r);
    if (a.status / 100 != 2) throw std::runtime_error("admin " + url + ": HTTP " + std::to_string(a.status) + " " + a.body);
    return Poco::JSON::Parser().parse(a.body).extract<Poco::JSON::Object::Ptr>();
}

std::string base64(const std::string& in) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? table[v & 63] : '=';
    }
    return out;
}

}  // namespace

TEST(SimulatorTruncation, EveryPageIsReadWholeWhenAnswersAreCutShort) {
    testsupport::SimulatorProcess sim({"--http", "--items", "300", "--companies", "1", "--rate-limit", "0"});
    config::EnvironmentProfile profile;
    profile.name = "sim";
    profile.allowHttp = true;
    http::PocoHttpTransport transport(profile, 10);
    const std::string key = admin(transport, sim.adminUrl() + "/api-keys", "{}")->getValue<std::string>("apiKey");
    const std::string jobId =
        admin(transport, sim.adminUrl() + "/export-jobs", "{}")->getObject("data")->getValue<std::string>("id");
    admin(transport, sim.adminUrl() + "/faults", R"({"rate":0.3,"faults":["truncate"],"seed":3})");

    ApiKey auth("Basic " + base64(key + ":"));
    pleo::ClientOptions options;
    options.retry.baseDelay = std::chrono::milliseconds(1);
    options.retry.maxDelay = std::chrono::milliseconds(5);
    pleo::ExportsClient client(sim.baseUrl(), transport, auth, options);
    client.postEvent(jobId, "started", "", "");
    std::set<std::string> ids;
    std::string cursor;
    int pages = 0;
    for (;;) {
        exporter::ItemPage page = client.exportItems(jobId, cursor, 25);
        ++pages;
        for (const auto& s : page.summaries) EXPECT_TRUE(ids.insert(s.accountingEntryId).second) << "twice: " << s.accountingEntryId;
        if (!page.hasNextPage) break;
        cursor = page.endCursor;
    }
    EXPECT_EQ(ids.size(), 300u);
    EXPECT_EQ(pages, 12);
    const auto stats = client.http().stats();
    EXPECT_GE(stats.cutShort, 2) << "the fault was injected";
    std::cout << "[ truncate ] " << stats.cutShort << " answers cut short in " << stats.requests
              << " requests; every page read whole\n";
}
