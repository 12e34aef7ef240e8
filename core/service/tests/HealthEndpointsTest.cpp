// Health an operator can act on, through a real runService on loopback with a real state store:
// every connection's series exist from the start (checked with the strict reader in
// PrometheusReader.h, which shares no code with the renderer), they follow what the store
// says (a grant needing re-authorisation, a run with rejected entries, the next scheduled run),
// and GET /attention lists what needs a person with the command that fixes it.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "HttpTestClient.h"
#include "PrometheusReader.h"
#include "TestSupport.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/service/ConnectionHealth.h"
#include "ledgerbridge/service/Metrics.h"
#include "ledgerbridge/service/ServiceRunner.h"
#include "ledgerbridge/store/Grants.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;
namespace store = ledgerbridge::store;

namespace {

const char* kReauth = "11111111-2222-4333-8444-555555555551";
const char* kRejects = "11111111-2222-4333-8444-555555555552";
const char* kApiKey = "11111111-2222-4333-8444-555555555553";

/// Three connections: "reauth" (OAuth, its grant refused), "rejects" (OAuth, fine grant, last
/// run rejected 3 entries), "apikey" (API key, no schedule, no runs).
ledgerbridge::config::Config threeConnections() {
    setenv("LB_HEALTH_TEST_KEY", "key-value", 1);
    const auto loaded = ledgerbridge::config::parseConfig(
        std::string("environment = staging\n[state]\ntoken_key = env:LB_HEALTH_TEST_KEY\n") +
            "[environment.staging]\nclient_id = health-test\nclient_secret = env:LB_HEALTH_TEST_KEY\n" +
            "[connection.reauth]\ncompany_id = " + kReauth + "\nplugin = csv\nschedule = every 15m\n" +
            "[connection.rejects]\ncompany_id = " + kRejects + "\nplugin = csv\nschedule = every 1h\n" +
            "[connection.apikey]\ncompany_id = " + kApiKey + "\nplugin = csv\ncredential = api_key\napi_key = env:LB_HEALTH_TEST_KEY\n",
        "lb.ini", "/tmp", {}, {}, false);
    for (const auto& p : loaded.problems) ADD_FAILURE() << p.key << ": " << p.message;
    if (!loaded.config) throw std::runtime_error("the test configuration does not load");
    return *loaded.config;
}

std::string fingerprintOf(const ledgerbridge::config::Config& c, const char* company) {
    return ledgerbridge::config::environmentFingerprint(c.activeProfile(), company).value;
}

double sampleValue(const lbtest::Parsed& p, const std::string& name, const std::map<std::string, std::string>& labels) {
    const auto found = lbtest::samplesOf(p, name, labels);
    if (found.size() != 1) {
        ADD_FAILURE() << name << " has " << found.size() << " series with the labels asked for";
        return -1;
    }
    return found[0].value;
}

}  // namespace

TEST(HealthEndpoints, EveryConnectionsSeriesExistFromStartAndFollowTheStore) {
    lbtest::TempDir dir;
    store::StateStore st(dir.str());
    const auto config = threeConnections();
    store::GrantRecord refused;
    refused.connection = "reauth";
    refused.fingerprint = fingerprintOf(config, kReauth);
    refused.accessExpiresAt = 1'900'000'000'000;
    store::Grants(st).put(refused);
    store::Grants(st).markNeedsReauth("reauth", refused.fingerprint, "pleo", "the refresh token was refused (invalid_grant)");
    store::GrantRecord fine = refused;
    fine.connection = "rejects";
    fine.fingerprint = fingerprintOf(config, kRejects);
    fine.accessExpiresAt = 1'900'000'123'000;
    store::Grants(st).put(fine);
    store::Runs runs(st);
    const std::string run = runs.start("rejects", fine.fingerprint, false);
    runs.finish(run, "completed_with_errors", R"({"outcome":"completed_with_errors","totals":{"rejected":3}})");

    lbtest::FakeLauncher launcher;
    ServiceOptions options;
    options.listen = "127.0.0.1:0";
    options.handleSignals = false;
    options.healthRefresh = std::chrono::milliseconds(0);
    options.buildInfo = {{"version", "9.8.7"}, {"state_schema", "12"}};
    std::string metricsText, attention;
    int attentionStatus = 0;
    std::thread helper;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            metricsText = lbtest::http(control.httpPort(), "GET", "/metrics").body;
            const auto a = lbtest::http(control.httpPort(), "GET", "/attention");
            attentionStatus = a.status;
            attention = a.body;
            control.requestStop();
        });
    };
    const auto before = std::chrono::system_clock::now();
    EXPECT_EQ(runService(config, st, launcher, options), 0);
    helper.join();

    lbtest::Parsed p;
    ASSERT_NO_THROW(p = lbtest::parseExposition(metricsText)) << metricsText;
    EXPECT_EQ(p.types.at(metric::kNeedsReauth), "gauge");
    EXPECT_EQ(p.types.at(metric::kEntries), "counter");
    for (const char* c : {"reauth", "rejects", "apikey"}) {
        SCOPED_TRACE(c);
        for (const char* name : {metric::kNeedsReauth, metric::kGrantExpiry, metric::kLastSuccess, metric::kNextRun,
                                 metric::kAttention, metric::kRunning})
            EXPECT_EQ(lbtest::samplesOf(p, name, {{"connection", c}}).size(), 1u) << name << " missing from the start";
        EXPECT_EQ(sampleValue(p, metric::kEntries, {{"connection", c}, {"outcome", "rejected"}}), 0)
            << "the counter exists before the service ran anything";
    }
    EXPECT_EQ(sampleValue(p, metric::kNeedsReauth, {{"connection", "reauth"}}), 1);
    EXPECT_EQ(sampleValue(p, metric::kNeedsReauth, {{"connection", "rejects"}}), 0);
    EXPECT_EQ(sampleValue(p, metric::kNeedsReauth, {{"connection", "apikey"}}), 0);
    EXPECT_EQ(sampleValue(p, metric::kGrantExpiry, {{"connection", "rejects"}}), 1'900'000'123);
    EXPECT_TRUE(std::isnan(sampleValue(p, metric::kGrantExpiry, {{"connection", "apikey"}}))) << "no grant: NaN";
    EXPECT_TRUE(std::isnan(sampleValue(p, metric::kLastSuccess, {{"connection", "reauth"}}))) << "never ran: NaN";
    const double lastSuccess = sampleValue(p, metric::kLastSuccess, {{"connection", "rejects"}});
    EXPECT_NEAR(lastSuccess, static_cast<double>(lbtest::secondsOf(before)), 5) << "completed_with_errors counts as run";
    const double next = sampleValue(p, metric::kNextRun, {{"connection", "reauth"}});
    EXPECT_GT(next, static_cast<double>(lbtest::secondsOf(before)));
    EXPECT_LE(next, static_cast<double>(lbtest::secondsOf(before) + 15 * 60 + 60)) << "every 15m (jitter 0)";
    EXPECT_TRUE(std::isnan(sampleValue(p, metric::kNextRun, {{"connection", "apikey"}}))) << "webhooks only: NaN";
    EXPECT_EQ(sampleValue(p, metric::kAttention, {{"connection", "reauth"}}), 1);
    EXPECT_EQ(sampleValue(p, metric::kAttention, {{"connection", "rejects"}}), 1);
    EXPECT_EQ(sampleValue(p, metric::kAttention, {{"connection", "apikey"}}), 0);
    EXPECT_EQ(sampleValue(p, metric::kTokenRefreshes, {{"result", "failed"}}), 0);
    EXPECT_EQ(sampleValue(p, metric::kBuildInfo, {{"version", "9.8.7"}, {"state_schema", "12"}}), 1);

    ASSERT_EQ(attentionStatus, 200);
    const auto root = Poco::JSON::Parser().parse(attention).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(root->getValue<int>("count"), 2) << attention;
    const auto items = root->getArray("connections");
    ASSERT_EQ(items->size(), 2u) << attention;
    const auto first = items->getObject(0);
    EXPECT_EQ(first->getValue<std::string>("connection"), "reauth");
    EXPECT_EQ(first->getValue<std::string>("reason"), "needs_reauth");
    EXPECT_NE(first->getValue<std::string>("detail").find("invalid_grant"), std::string::npos) << attention;
    EXPECT_EQ(first->getValue<std::string>("fix"), "ledgerbridge auth login --connection reauth");
    const auto second = items->getObject(1);
    EXPECT_EQ(second->getValue<std::string>("connection"), "rejects");
    EXPECT_EQ(second->getValue<std::string>("reason"), "entries_rejected");
    EXPECT_EQ(second->getValue<std::string>("fix"), "ledgerbridge history show " + run);
}

TEST(HealthEndpoints, AConnectionAddedByAReloadGetsItsSeriesAtOnce) {
    lbtest::TempDir dir;
    store::StateStore st(dir.str());
    auto config = threeConnections();
    auto fewer = config;
    fewer.connections.erase(std::remove_if(fewer.connections.begin(), fewer.connections.end(),
                                           [](const auto& c) { return c.name != "reauth"; }),
                            fewer.connections.end());
    ASSERT_EQ(fewer.connections.size(), 1u);
    lbtest::FakeLauncher launcher;
    ServiceOptions options;
    options.listen = "127.0.0.1:0";
    options.handleSignals = false;
    options.healthRefresh = std::chrono::milliseconds(0);
    options.reloadConfig = [&] { return config; };
    std::string before, after;
    std::thread helper;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            before = lbtest::http(control.httpPort(), "GET", "/metrics").body;
            control.requestReload();
            for (int i = 0; i < 100 && after.find("connection=\"apikey\"") == std::string::npos; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                after = lbtest::http(control.httpPort(), "GET", "/metrics").body;
            }
            control.requestStop();
        });
    };
    EXPECT_EQ(runService(fewer, st, launcher, options), 0);
    helper.join();
    EXPECT_EQ(before.find("connection=\"apikey\""), std::string::npos) << before;
    const auto p = lbtest::parseExposition(after);
    EXPECT_EQ(lbtest::samplesOf(p, metric::kNeedsReauth, {{"connection", "apikey"}}).size(), 1u) << after;
    EXPECT_EQ(lbtest::samplesOf(p, metric::kEntries, {{"connection", "apikey"}}).size(), 4u) << after;
}

// A target system's grant (Xero, Business Central) lives under the fingerprint TargetAuth makes
// from the token endpoint and the target identity, not the Pleo one: health finds it there, and
// says "not logged in" only when there is none, or that it needs a new login when it was refused.
TEST(HealthEndpoints, ATargetGrantIsFoundUnderItsOwnFingerprint) {
    setenv("LB_HEALTH_TEST_KEY", "key-value", 1);
    const auto loaded = ledgerbridge::config::parseConfig(
        std::string("environment = staging\n[state]\ntoken_key = env:LB_HEALTH_TEST_KEY\n") +
            "[connection.books]\ncompany_id = " + kApiKey + "\nplugin = xero\ncredential = api_key\n" +
            "api_key = env:LB_HEALTH_TEST_KEY\ntarget.client_id = xero-client\n" +
            "target.client_secret = env:LB_HEALTH_TEST_KEY\n",
        "lb.ini", "/tmp", {}, {}, false);
    for (const auto& p : loaded.problems) ADD_FAILURE() << p.key << ": " << p.message;
    ASSERT_TRUE(loaded.config);
    const auto& config = *loaded.config;
    lbtest::TempDir dir;
    store::StateStore st(dir.str());
    auto reasons = [&] {
        std::vector<std::string> out;
        const auto health = assessConnections(config, st, std::chrono::system_clock::now());
        for (const auto& a : health.at(0).attention) out.push_back(a.reason);
        return out;
    };
    EXPECT_EQ(reasons(), std::vector<std::string>{"target_needs_reauth"}) << "no target login yet";

    store::GrantRecord grant;
    grant.connection = "books";
    grant.kind = "xero";
    grant.fingerprint = ledgerbridge::config::environmentFingerprint(config.activeProfile(), kApiKey,
                                                                     "https://identity.xero.com/connect/token#tenant-1")
                            .value;
    ASSERT_NE(grant.fingerprint, fingerprintOf(config, kApiKey));
    grant.accessExpiresAt = 4102444800000;
    grant.obtainedAt = 1;
    store::Grants(st).put(grant);
    EXPECT_TRUE(reasons().empty()) << "the grant under the target's fingerprint counts";

    store::Grants(st).markNeedsReauth("books", grant.fingerprint, "xero", "the refresh token was refused");
    EXPECT_EQ(reasons(), std::vector<std::string>{"target_needs_reauth"});
}
