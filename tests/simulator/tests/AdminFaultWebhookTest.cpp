// Admin API, counters, rate limiting, deterministic fault injection and signed webhooks.
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Crypto/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "SimClient.h"

using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;

namespace {

// A real HTTP receiver for webhook deliveries on 127.0.0.1.
struct Received {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::map<std::string, std::string>> messages;  // headers + "body"
};

class Receiver : public Poco::Net::HTTPRequestHandler {
public:
    explicit Receiver(Received& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        std::map<std::string, std::string> msg;
        for (const auto& h : req) msg[h.first] = h.second;
        Poco::StreamCopier::copyToString(req.stream(), msg["body"]);
        resp.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
        resp.send();
        std::lock_guard<std::mutex> lock(r_.m);
        r_.messages.push_back(msg);
        r_.cv.notify_all();
    }

private:
    Received& r_;
};

class ReceiverFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ReceiverFactory(Received& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Receiver(r_); }

private:
    Received& r_;
};

class Sha256 : public Poco::SHA2Engine {
public:
    enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
    Sha256() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

std::string b64decode(const std::string& s) {
    std::istringstream in(s);
    Poco::Base64Decoder dec(in);
    std::string out;
    Poco::StreamCopier::copyToString(dec, out);
    return out;
}

std::string b64encode(const std::vector<unsigned char>& d) {
    std::ostringstream os;
    Poco::Base64Encoder enc(os);
    enc.rdbuf()->setLineLength(0);
    enc.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    enc.close();
    return os.str();
}

std::vector<int> statuses(SimClient& c, const std::string& auth, int n) {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) out.push_back(c.get("/v3/export-jobs", auth).status);
    return out;
}

}  // namespace

TEST(Admin, CountsRequestsPerRouteAndStatus) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    c.get("/v3/export-jobs", auth);
    c.get("/v3/export-jobs", auth);
    c.get("/v3/export-jobs");
    std::string job = c.createJob(0, 1);
    c.get("/v3/export-jobs/" + job, auth);
    auto counters = c.admin("GET", "/counters");
    auto routes = counters->getObject("routes");
    auto list = routes->getObject("GET /v3/export-jobs");
    EXPECT_EQ(list->getValue<int>("total"), 3);
    EXPECT_EQ(list->getObject("byStatus")->getValue<int>("200"), 2);
    EXPECT_EQ(list->getObject("byStatus")->getValue<int>("401"), 1);
    EXPECT_EQ(routes->getObject("GET /v3/export-jobs/{jobId}")->getValue<int>("total"), 1);
    EXPECT_EQ(counters->getObject("counters")->getValue<int>("client_secret_as_api_credential"), 0);
}

TEST(Admin, JobDetailsTokensGrantsAndReset) {
    SimulatorProcess sim({"--items", "30"});
    SimClient c(sim);
    std::string job = c.createJob(1, 7);
    auto details = c.admin("GET", "/export-jobs/" + job);
    EXPECT_EQ(details->getValue<std::string>("companyId"), c.companyId(1));
    EXPECT_EQ(details->getObject("itemCounts")->getValue<int>("pending"), 7);
    auto items = c.admin("GET", "/export-jobs/" + job + "/items?offset=5&limit=10");
    EXPECT_EQ(items->getArray("data")->size(), 2u);
    EXPECT_EQ(items->getValue<int>("total"), 7);

    Tokens t = c.login(0);
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(t.access)).status, 200);
    c.admin("POST", "/tokens/expire", "{\"token\":\"" + t.access + "\"}");
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(t.access)).status, 401);
    auto r = c.postForm("/oauth/token", formEncode({{"grant_type", "refresh_token"}, {"refresh_token", t.refresh}}),
                        basic("ledgerbridge-demo", "demo-secret"));
    ASSERT_EQ(r.status, 200);
    std::string at2 = r.object()->getValue<std::string>("access_token");
    c.admin("POST", "/grants/revoke", "{\"token\":\"" + at2 + "\"}");
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(at2)).status, 401);

    c.admin("POST", "/reset");
    EXPECT_EQ(c.request("GET", "/admin/export-jobs/" + job).status, 404);
    // Only the reset call itself and the 404 above were counted since.
    EXPECT_EQ(c.admin("GET", "/counters")->getValue<int>("total"), 2);
    EXPECT_EQ(c.request("GET", "/admin/nothing-here").status, 404);
}

TEST(Admin, RegistersExtraClients) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    c.admin("POST", "/clients", R"({"clientId":"erp-x","clientSecret":"sx","redirectUris":["http://127.0.0.1:9999/cb"],"scopes":"export:read"})");
    HttpResult a = c.get("/oauth/authorize?" + formEncode({{"response_type", "code"}, {"client_id", "erp-x"},
                                                           {"redirect_uri", "http://127.0.0.1:9999/cb"}, {"state", "s"},
                                                           {"code_challenge", pkceChallenge(std::string(50, 'v'))},
                                                           {"code_challenge_method", "S256"}}));
    ASSERT_EQ(a.status, 302);
    auto t = c.postForm("/oauth/token", formEncode({{"grant_type", "authorization_code"}, {"code", queryParam(a.header("location"), "code")},
                                                    {"redirect_uri", "http://127.0.0.1:9999/cb"}, {"code_verifier", std::string(50, 'v')}}),
                        basic("erp-x", "sx"));
    ASSERT_EQ(t.status, 200) << t.body;
    EXPECT_EQ(t.object()->getValue<std::string>("scope"), "export:read");
}

TEST(Faults, RateLimitAnswers429WithRetryAfter) {
    SimulatorProcess sim({"--items", "3", "--rate-limit", "5"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(c.get("/v3/export-jobs", auth).status, 200) << i;
    HttpResult r = c.get("/v3/export-jobs", auth);
    EXPECT_EQ(r.status, 429);
    EXPECT_GE(std::stoi(r.header("retry-after")), 1);
    EXPECT_EQ(c.get("/v3/export-jobs", c.apiKeyAuth(0)).status, 200) << "the limit is per credential";
}

TEST(Faults, InjectedStatusesAreDeterministicBySeed) {
    std::vector<int> runs[2];
    for (auto& run : runs) {
        SimulatorProcess sim({"--items", "3", "--fault-rate", "0.5", "--faults", "500,502,503", "--fault-seed", "7"});
        SimClient c(sim);
        run = statuses(c, c.apiKeyAuth(0), 30);
    }
    EXPECT_EQ(runs[0], runs[1]);
    std::set<int> seen(runs[0].begin(), runs[0].end());
    EXPECT_TRUE(seen.count(200));
    EXPECT_TRUE(seen.count(500) || seen.count(502) || seen.count(503));
}

TEST(Faults, DropTruncateAndSlow) {
    SimulatorProcess sim({"--items", "3", "--rate-limit", "0"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    c.admin("POST", "/faults", R"({"rate":1,"faults":["drop"]})");
    EXPECT_ANY_THROW(c.get("/v3/export-jobs", auth));
    c.admin("POST", "/faults", R"({"rate":1,"faults":["truncate"]})");
    EXPECT_ANY_THROW(c.get("/v3/export-jobs", auth)) << "a body shorter than Content-Length";
    c.admin("POST", "/faults", R"({"rate":1,"faults":["slow"],"slowMs":700})");
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(c.get("/v3/export-jobs", auth).status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(650));
    c.admin("POST", "/faults", R"({"rate":1,"faults":["429"]})");
    HttpResult r = c.get("/v3/export-jobs", auth);
    EXPECT_EQ(r.status, 429);
    EXPECT_FALSE(r.header("retry-after").empty());
    c.admin("POST", "/faults", R"({"rate":0})");
    EXPECT_EQ(c.get("/v3/export-jobs", auth).status, 200);
    EXPECT_GE(c.admin("GET", "/counters")->getObject("counters")->getValue<int>("faults_injected"), 3);
    EXPECT_EQ(c.request("POST", "/admin/faults", R"({"rate":3})").status, 400);
}

TEST(Webhooks, SignedExportJobCreatedDelivery) {
    Received received;
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new ReceiverFactory(received), socket, new Poco::Net::HTTPServerParams);
    server.start();
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    std::string url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/hooks";
    auto sub = c.admin("POST", "/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"v1.export-job.created\"]}");
    std::string secret = sub->getValue<std::string>("secret");
    ASSERT_EQ(secret.rfind("whsec_", 0), 0u);
    std::string job = c.createJob(0, 2);
    std::map<std::string, std::string> msg;
    {
        std::unique_lock<std::mutex> lock(received.m);
        ASSERT_TRUE(received.cv.wait_for(lock, std::chrono::seconds(10), [&] { return !received.messages.empty(); }));
        msg = received.messages.front();
    }
    server.stop();
    const std::string body = msg["body"];
    const std::string id = msg["webhook-id"], ts = msg["webhook-timestamp"];
    ASSERT_FALSE(id.empty());
    ASSERT_FALSE(ts.empty());
    Poco::HMACEngine<Sha256> hmac(b64decode(secret.substr(6)));
    hmac.update(id + "." + ts + "." + body);
    EXPECT_EQ(msg["webhook-signature"], "v1," + b64encode(hmac.digest()));
    auto o = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(o->getValue<std::string>("type"), "v1.export-job.created");
    EXPECT_EQ(o->getObject("data")->getValue<std::string>("jobId"), job);
    EXPECT_EQ(o->getObject("data")->getValue<std::string>("companyId"), c.companyId(0));
}

// Issue 18's "the export starts within 2 s of the webhook": the simulator times, per job, from
// the first delivery attempt of its webhook to the first client request naming the job.
TEST(Webhooks, AJobsStartIsTimedFromItsWebhookToTheFirstRequestNamingIt) {
    Received received;
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new ReceiverFactory(received), socket, new Poco::Net::HTTPServerParams);
    server.start();
    SimulatorProcess sim({"--items", "5", "--companies", "2"});
    SimClient c(sim);
    c.admin("POST", "/webhooks", "{\"url\":\"http://127.0.0.1:" + std::to_string(socket.address().port()) + "/hooks\"}");
    const std::string started = c.createJob(0, 2), untouched = c.createJob(1, 2);
    {
        std::unique_lock<std::mutex> lock(received.m);
        ASSERT_TRUE(received.cv.wait_for(lock, std::chrono::seconds(10), [&] { return received.messages.size() == 2; }));
    }
    server.stop();
    const std::string auth = c.apiKeyAuth(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(c.get("/v3/export-jobs?company_id=" + c.companyId(0), auth).status, 200);  // a list names no job
    auto times = [&] {
        std::map<std::string, Poco::JSON::Object::Ptr> byJob;
        auto jobs = c.admin("GET", "/export-job-starts")->getArray("jobs");
        for (std::size_t i = 0; i < jobs->size(); ++i)
            byJob[jobs->getObject(static_cast<unsigned>(i))->getValue<std::string>("jobId")] =
                jobs->getObject(static_cast<unsigned>(i));
        return byJob;
    };
    auto before = times();
    ASSERT_EQ(before.size(), 2u);
    EXPECT_GE(before[started]->getValue<double>("createdToWebhookMs"), 0.0);
    EXPECT_TRUE(before[started]->isNull("webhookToStartMs"));

    ASSERT_EQ(c.get("/v3/export-jobs/" + started, auth).status, 200);
    auto after = times();
    const double webhookToStart = after[started]->getValue<double>("webhookToStartMs");
    EXPECT_GE(webhookToStart, 300.0);  // the receiver had it before the 300 ms pause began
    EXPECT_LT(webhookToStart, 60000.0);
    EXPECT_GE(after[started]->getValue<double>("createdToStartMs"), webhookToStart);
    EXPECT_TRUE(after[untouched]->isNull("webhookToStartMs"));
    EXPECT_FALSE(after[untouched]->isNull("createdToWebhookMs"));

    ASSERT_EQ(c.get("/v3/export-jobs/" + started + "/items", auth).status, 200);
    EXPECT_EQ(times()[started]->getValue<double>("webhookToStartMs"), webhookToStart);  // only the first counts
}
