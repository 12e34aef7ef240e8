// The Pleo client's calls for automatic exports against a scripted Pleo on loopback: the
// accounting-entries search (filters, paging up to the maximum), job creation from ids
// (isInteractive false; 409 and MISSING_CONTRA_ACCOUNTS as their own errors), and results Pleo
// did not record coming back from the PUT.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <deque>
#include <mutex>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"

using namespace ledgerbridge;

namespace {

struct Seen {
    std::string method, uri, body;
};

/// A loopback server answering scripted (status, body) pairs in order and recording requests.
class Scripted {
public:
    Scripted() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~Scripted() { server_->stop(); }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
    void answer(int status, std::string body) {
        std::lock_guard<std::mutex> l(m_);
        answers_.emplace_back(status, std::move(body));
    }
    std::vector<Seen> seen() {
        std::lock_guard<std::mutex> l(m_);
        return seen_;
    }

private:
    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(Scripted& p) : p_(p) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            Seen s{req.getMethod(), req.getURI(), ""};
            Poco::StreamCopier::copyToString(req.stream(), s.body);
            std::pair<int, std::string> a{500, R"({"type":"SCRIPT_EMPTY","message":"no answer scripted"})"};
            {
                std::lock_guard<std::mutex> l(p_.m_);
                p_.seen_.push_back(s);
                if (!p_.answers_.empty()) {
                    a = p_.answers_.front();
                    p_.answers_.pop_front();
                }
            }
            res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.first));
            res.setContentType("application/json");
            res.send() << a.second;
        }

    private:
        Scripted& p_;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(Scripted& p) : p_(p) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(p_); }

    private:
        Scripted& p_;
    };
    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::mutex m_;
    std::deque<std::pair<int, std::string>> answers_;
    std::vector<Seen> seen_;
};

struct Auth : oauth::AuthorizationSource {
    std::string authorizationHeader() override { return "Bearer t"; }
    std::string onUnauthorized(const std::string&) override { return "Bearer t"; }
};

struct AutoExportClient : ::testing::Test {
    Scripted pleo;
    Auth auth;
    std::unique_ptr<http::PocoHttpTransport> transport;
    std::unique_ptr<pleo::ExportsClient> client;
    void SetUp() override {
        config::EnvironmentProfile profile;
        profile.name = "test";
        profile.allowHttp = true;
        transport = std::make_unique<http::PocoHttpTransport>(profile, 5);
        pleo::ClientOptions o;
        o.retry.baseDelay = std::chrono::milliseconds(1);
        o.retry.maxDelay = std::chrono::milliseconds(2);
        client = std::make_unique<pleo::ExportsClient>(pleo.base(), *transport, auth, o);
    }
};

std::string entries(int from, int n, bool next, const std::string& cursor) {
    std::string data;
    for (int i = from; i < from + n; ++i)
        data += std::string(data.empty() ? "" : ",") + R"({"id":"e)" + std::to_string(i) + R"(","exportStatus":"NOT_EXPORTED"})";
    return "{\"data\":[" + data + "],\"pagination\":{\"hasNextPage\":" + (next ? "true" : "false") +
           ",\"hasPreviousPage\":false,\"endCursor\":\"" + cursor + "\"}}";
}

const std::string kCompany = "9cc0a9fd-b8e1-46ee-9d89-c992626e2c3c";

}  // namespace

TEST_F(AutoExportClient, SearchSendsTheReadyFiltersAndPagesUpToTheMaximum) {
    pleo.answer(200, entries(0, 100, true, "C1"));
    pleo.answer(200, entries(100, 30, true, "C2"));
    auto ids = client->searchReadyEntries("urn:pleo:company:" + kCompany, {{"OK"}, {"CARD_PURCHASE", "MILEAGE"}}, 130);
    ASSERT_EQ(ids.size(), 130u);
    EXPECT_EQ(ids.front(), "e0");
    EXPECT_EQ(ids.back(), "e129");
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 2u) << "stops at the maximum even though Pleo has more";
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].uri, "/v1/accounting-entries:search?company_id=" + kCompany + "&limit=100");
    EXPECT_EQ(seen[1].uri, "/v1/accounting-entries:search?company_id=" + kCompany + "&limit=30&after=C1");
    auto body = Poco::JSON::Parser().parse(seen[0].body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(body->getValue<bool>("includeDeleted"));
    auto list = [&](const char* key) {
        std::vector<std::string> out;
        auto a = body->getArray(key);
        for (std::size_t i = 0; a && i < a->size(); ++i) out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
        return out;
    };
    EXPECT_EQ(list("exportStatus"), (std::vector<std::string>{"CREATED", "NOT_EXPORTED"}));
    EXPECT_EQ(list("status"), (std::vector<std::string>{"COMPLETED", "COMPLETED_EXTERNALLY"}));
    EXPECT_EQ(list("reviewStatus"), (std::vector<std::string>{"OK"}));
    EXPECT_EQ(list("families"), (std::vector<std::string>{"CARD_PURCHASE", "MILEAGE"}));
}

TEST_F(AutoExportClient, SearchWithoutFamiliesSendsNoFamilyFilterAndEndsOnTheLastPage) {
    pleo.answer(200, entries(0, 3, false, "C1"));
    auto ids = client->searchReadyEntries(kCompany, {{"OK", "NOT_REQUIRED"}, {}}, 500);
    EXPECT_EQ(ids.size(), 3u);
    auto body = Poco::JSON::Parser().parse(pleo.seen().at(0).body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(body->has("families"));
}

TEST_F(AutoExportClient, CreateJobIsNonInteractiveAndMapsPleosRefusals) {
    pleo.answer(201, R"({"data":{"id":"11111111-1111-4111-8111-111111111111","status":"pending","numberOfItems":2}})");
    auto job = client->createJob(kCompany, {"e1", "e2"});
    EXPECT_EQ(job.id, "11111111-1111-4111-8111-111111111111");
    auto body = Poco::JSON::Parser().parse(pleo.seen().at(0).body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(body->getValue<bool>("isInteractive"));
    EXPECT_EQ(body->getValue<std::string>("companyId"), kCompany);
    EXPECT_EQ(body->getArray("accountingEntryIds")->size(), 2u);

    pleo.answer(409, R"({"type":"EXPORT_ALREADY_IN_PROGRESS","message":"Export Job already in progress for this company."})");
    EXPECT_THROW(client->createJob(kCompany, {"e1"}), exporter::JobAlreadyActiveError);
    pleo.answer(400, R"({"type":"MISSING_CONTRA_ACCOUNTS","message":"Contra accounts are not fully configured."})");
    try {
        client->createJob(kCompany, {"e1"});
        FAIL() << "no error";
    } catch (const exporter::MissingContraAccountsError& e) {
        EXPECT_NE(std::string(e.what()).find("MISSING_CONTRA_ACCOUNTS: Contra accounts are not fully configured."), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("Map a contra account for every Pleo account"), std::string::npos);
    }
    // Any other 400 is not mistaken for it.
    pleo.answer(400, R"({"type":"ACCOUNTING_ENTRY_DOES_NOT_EXIST","message":"no entry e9"})");
    EXPECT_THROW(client->createJob(kCompany, {"e9"}), HttpStatusError);
}

TEST_F(AutoExportClient, ResultsPleoDidNotRecordComeBackFromThePut) {
    pleo.answer(200, R"({"data":[],"errors":[{"accountingEntryId":"e2","type":"ACCOUNTING_ENTRY_DOES_NOT_EXIST","message":"not in the job"}]})");
    auto refused = client->putResults("job-1", {{"e1", true, "X1", "", "", "", ""}, {"e2", true, "X2", "", "", "", ""}});
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].accountingEntryId, "e2");
    EXPECT_EQ(refused[0].type, "ACCOUNTING_ENTRY_DOES_NOT_EXIST");
    EXPECT_EQ(refused[0].message, "not in the job");
}
