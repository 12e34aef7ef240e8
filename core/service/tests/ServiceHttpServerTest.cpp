// ServiceHttpServer on a real loopback socket: health, readiness, metrics, and the webhook
// endpoint's answers (202 and a trigger for a valid delivery; 401 without a trigger, and no
// body in the log, for bad ones).
#include "ledgerbridge/service/ServiceHttpServer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <sstream>
#include <vector>

#include "HttpTestClient.h"
#include "TestSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

using namespace ledgerbridge::service;
using lbtest::http;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct ServiceHttpServerTest : ::testing::Test {
    ManualClock clock{lbtest::utc(2025, 5, 1, 12, 0)};
    Metrics metrics;
    WebhookVerifier verifier{kSecret, clock};
    std::mutex mutex;
    std::vector<std::string> triggered;
    std::string notReady;
    std::ostringstream logs;
    std::unique_ptr<ServiceHttpServer> server;

    void SetUp() override {
        ledgerbridge::log::setSink(&logs);
        HttpServerOptions o;
        o.listen = "127.0.0.1:0";
        o.maxBodyBytes = 4096;
        server = std::make_unique<ServiceHttpServer>(
            o, metrics, &verifier,
            [this](const std::string& company) -> std::size_t {
                std::lock_guard<std::mutex> g(mutex);
                triggered.push_back(company);
                return company == "company-1" ? 1 : 0;
            },
            [this] {
                std::lock_guard<std::mutex> g(mutex);
                return notReady;
            });
        server->start();
    }
    void TearDown() override {
        server->stop();
        ledgerbridge::log::setSink(nullptr);
    }

    std::map<std::string, std::string> signedHeaders(const std::string& id, const std::string& body, std::int64_t skew = 0) {
        const std::string ts = std::to_string(lbtest::secondsOf(clock.now()) + skew);
        return {{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", verifier.sign(id, ts, body)}};
    }
    std::vector<std::string> triggers() {
        std::lock_guard<std::mutex> g(mutex);
        return triggered;
    }
};

const std::string kEvent =
    R"({"type":"v1.export-job.created","timestamp":"2025-05-01T12:00:00Z","data":{"companyId":"company-1","jobId":"job-SECRETBODYMARK"}})";

}  // namespace

TEST_F(ServiceHttpServerTest, HealthReadinessAndMetrics) {
    EXPECT_EQ(http(server->port(), "GET", "/healthz").status, 200);
    EXPECT_EQ(http(server->port(), "GET", "/readyz").status, 200);
    {
        std::lock_guard<std::mutex> g(mutex);
        notReady = "shutting down";
    }
    const auto r = http(server->port(), "GET", "/readyz");
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("shutting down"), std::string::npos);
    EXPECT_EQ(http(server->port(), "GET", "/healthz").status, 200);
    metrics.increment(metric::kRuns, {{"connection", "acme"}, {"outcome", "ok"}});
    const auto m = http(server->port(), "GET", "/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("ledgerbridge_runs_total{connection=\"acme\",outcome=\"ok\"} 1\n"), std::string::npos);
    EXPECT_EQ(http(server->port(), "GET", "/nothing-here").status, 404);
    EXPECT_EQ(http(server->port(), "GET", "/webhooks/pleo").status, 405);
}

TEST_F(ServiceHttpServerTest, ASignedWebhookTriggersTheCompany) {
    const auto r = http(server->port(), "POST", "/webhooks/pleo", kEvent, signedHeaders("msg_1", kEvent));
    EXPECT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(triggers(), std::vector<std::string>{"company-1"});
    EXPECT_EQ(metrics.value(metric::kWebhooks, {{"result", "ok"}}), 1);
}

TEST_F(ServiceHttpServerTest, BadWebhooksGet401AndAreLoggedWithoutTheBody) {
    auto bad = signedHeaders("msg_2", kEvent);
    bad["webhook-signature"] = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", kEvent, bad).status, 401);
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", kEvent, signedHeaders("msg_3", kEvent, -600)).status, 401);
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", kEvent, {}).status, 401);
    EXPECT_TRUE(triggers().empty());
    EXPECT_EQ(metrics.value(metric::kWebhooks, {{"result", "bad_signature"}}), 1);
    EXPECT_EQ(metrics.value(metric::kWebhooks, {{"result", "stale_timestamp"}}), 1);
    EXPECT_EQ(metrics.value(metric::kWebhooks, {{"result", "malformed"}}), 1);
    const std::string log = logs.str();
    EXPECT_NE(log.find("bad_signature"), std::string::npos) << log;
    EXPECT_NE(log.find("msg_2"), std::string::npos);
    EXPECT_EQ(log.find("SECRETBODYMARK"), std::string::npos) << log;
}

TEST_F(ServiceHttpServerTest, AReplayedDeliveryStartsNothing) {
    const auto headers = signedHeaders("msg_4", kEvent);
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", kEvent, headers).status, 202);
    const auto again = http(server->port(), "POST", "/webhooks/pleo", kEvent, headers);
    EXPECT_EQ(again.status, 200);  // acknowledged so Pleo stops retrying, but ignored
    EXPECT_EQ(triggers().size(), 1U);
    EXPECT_EQ(metrics.value(metric::kWebhooks, {{"result", "replayed_id"}}), 1);
}

TEST_F(ServiceHttpServerTest, OtherEventsUnknownCompaniesAndHugeBodies) {
    const std::string other = R"({"type":"v1.something.else","data":{"companyId":"company-1"}})";
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", other, signedHeaders("m5", other)).status, 202);
    EXPECT_TRUE(triggers().empty());
    const std::string noCompany = R"({"type":"v1.export-job.created","data":{}})";
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", noCompany, signedHeaders("m6", noCompany)).status, 400);
    const std::string unknown = R"({"type":"v1.export-job.created","data":{"companyId":"company-9"}})";
    const auto r = http(server->port(), "POST", "/webhooks/pleo", unknown, signedHeaders("m7", unknown));
    EXPECT_EQ(r.status, 202);
    EXPECT_NE(r.body.find("\"triggered\":0"), std::string::npos);
    const std::string huge(5000, 'x');
    EXPECT_EQ(http(server->port(), "POST", "/webhooks/pleo", huge, signedHeaders("m8", huge)).status, 413);
}

TEST(ServiceHttpServerConfig, RefusesNonLoopbackAndBadAddresses) {
    Metrics metrics;
    ServiceHttpServer wide({"0.0.0.0:0"}, metrics, nullptr, nullptr, nullptr);
    EXPECT_THROW(wide.start(), ledgerbridge::ConfigError);
    ServiceHttpServer junk({"not an address"}, metrics, nullptr, nullptr, nullptr);
    EXPECT_THROW(junk.start(), ledgerbridge::ConfigError);
}

TEST(ServiceHttpServerConfig, WithoutASecretTheWebhookEndpointIsAbsent) {
    Metrics metrics;
    ServiceHttpServer s({"127.0.0.1:0"}, metrics, nullptr, nullptr, nullptr);
    s.start();
    EXPECT_EQ(http(s.port(), "POST", "/webhooks/pleo", "{}").status, 404);
    EXPECT_EQ(http(s.port(), "GET", "/readyz").status, 200);
}

namespace {
std::size_t threadsOfThisProcess() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& t : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}
}  // namespace

// stop() leaves no thread of the server behind: they run only while it serves. (Threads left
// idle in Poco's default pool were joined after OpenSSL's exit handler, which leaked the error
// state OpenSSL keeps for each thread that computed a webhook HMAC.)
TEST(ServiceHttpServerThreads, StopJoinsEveryThreadThatServedARequest) {
    Metrics metrics;
    // A sanitizer starts a helper thread of its own with the first thread the process creates:
    // one thread first, so that helper is counted in `before`.
    std::thread([] {}).join();
    const std::size_t before = threadsOfThisProcess();
    ServiceHttpServer s({"127.0.0.1:0", 4096, 3}, metrics, nullptr, nullptr, nullptr);
    s.start();
    for (int i = 0; i < 6; ++i) EXPECT_EQ(http(s.port(), "GET", "/healthz").status, 200);
    EXPECT_GT(threadsOfThisProcess(), before);
    s.stop();
    EXPECT_EQ(threadsOfThisProcess(), before);
}

// A webhook still being handled when stop() is called finishes before stop() returns: the
// trigger and verifier it uses belong to the caller, who may destroy them right after.
TEST(ServiceHttpServerThreads, StopWaitsForTheRequestInProgress) {
    ManualClock clock{lbtest::utc(2025, 5, 1, 12, 0)};
    Metrics metrics;
    WebhookVerifier verifier{kSecret, clock};
    std::promise<void> entered, release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<bool> triggerDone{false};
    ServiceHttpServer s({"127.0.0.1:0", 4096, 2}, metrics, &verifier,
                        [&](const std::string&) -> std::size_t {
                            entered.set_value();
                            released.wait();
                            triggerDone = true;
                            return 1;
                        },
                        [] { return std::string(); });
    s.start();
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    const std::map<std::string, std::string> headers{
        {"webhook-id", "msg_stop"}, {"webhook-timestamp", ts}, {"webhook-signature", verifier.sign("msg_stop", ts, kEvent)}};
    std::thread client([&] { http(s.port(), "POST", "/webhooks/pleo", kEvent, headers); });
    entered.get_future().wait();
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
        s.stop();
        stopped = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(stopped.load()) << "stop() returned while a request was being handled";
    release.set_value();
    stopper.join();
    client.join();
    EXPECT_TRUE(triggerDone.load());
}

TEST(WebhookCompanyId, ReadsTheEnvelopeOrTheTopLevel) {
    std::string type;
    EXPECT_EQ(webhookCompanyId(R"({"type":"t","data":{"companyId":"c1"}})", type), "c1");
    EXPECT_EQ(type, "t");
    EXPECT_EQ(webhookCompanyId(R"({"companyId":"c2"})", type), "c2");
    EXPECT_EQ(webhookCompanyId("not json", type), "");
}
