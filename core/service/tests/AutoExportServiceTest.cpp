// The service's part of automatic exports and unfinished jobs: at start, a connection with an
// unfinished job in the ledger runs at once (reason "resume") even when it has no schedule and
// only runs on webhooks; the missing-contra-accounts gauge follows the runs' outcomes.
#include <gtest/gtest.h>

#include <csignal>
#include <pthread.h>
#include <thread>

#include "TestSupport.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/service/Metrics.h"
#include "ledgerbridge/service/Scheduler.h"
#include "ledgerbridge/service/ServiceRunner.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;

namespace {

/// Two connections, neither with a schedule (webhook-only); "b" has an unfinished job.
ledgerbridge::config::Config webhookOnly() {
    auto loaded = ledgerbridge::config::parseConfig(
        "environment = staging\n[state]\ntoken_key = env:LB_TEST_TOKEN_KEY\n"
        "[environment.staging]\nclient_id = partner-staging\nclient_secret = env:LB_TEST_CLIENT_SECRET\n"
        "[connection.a]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90\nplugin = csv\n"
        "[connection.b]\ncompany_id = 7e2f4d3b-1c5f-4b9f-8d52-3a7c6e8f9ba1\nplugin = csv\n",
        "lb.ini", "/tmp", {}, {}, false);
    if (!loaded.config) {
        std::string why;
        for (const auto& p : loaded.problems) why += p.str() + "\n";
        throw std::runtime_error("test config does not load:\n" + why);
    }
    return *loaded.config;
}

}  // namespace

TEST(AutoExportService, AtStartAWebhookOnlyConnectionWithAnUnfinishedJobRunsAtOnce) {
    lbtest::TempDir dir;
    ledgerbridge::store::StateStore store{dir.str()};
    const auto config = webhookOnly();
    ledgerbridge::store::JobRecord job;
    job.fingerprint = ledgerbridge::config::environmentFingerprint(config.activeProfile(), config.connections.at(1).companyId).value;
    job.jobId = "job-left-open";
    job.connection = "b";
    job.phase = "delivering";
    job.startedSent = true;
    ledgerbridge::store::Ledger(store).saveJob(job);

    lbtest::FakeLauncher launcher;
    ServiceOptions options;
    options.listen = "127.0.0.1:0";
    options.handleSignals = false;
    options.immediateExit = [](int) {};
    std::thread helper;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            EXPECT_TRUE(launcher.waitCompleted(1));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // nothing else starts
            control.requestStop();
        });
    };
    EXPECT_EQ(runService(config, store, launcher, options), 0);
    helper.join();
    const auto calls = launcher.snapshot();
    ASSERT_EQ(calls.size(), 1U) << "only the connection with an unfinished job runs";
    EXPECT_EQ(calls.at(0), std::make_pair(std::string("b"), std::string("resume")));
}

TEST(AutoExportService, TheMissingContraAccountsGaugeFollowsTheOutcome) {
    lbtest::TempDir dir;
    ledgerbridge::store::StateStore store{dir.str()};
    lbtest::FakeLauncher launcher;
    ManualClock clock{lbtest::utc(2025, 1, 1, 0, 0, 10)};
    Metrics metrics;
    Scheduler s(launcher, clock, &store, metrics, [] { return std::uint64_t{0}; });
    ScheduledConnection c;
    c.name = "a";
    c.companyId = "company-a";
    s.configure({c});
    launcher.outcome.outcome = "missing_contra_accounts";
    s.triggerConnection("a", "manual");
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(metrics.value(metric::kAutoExportBlocked, {{"connection", "a"}}), 1);
    EXPECT_NE(metrics.render().find("ledgerbridge_auto_export_missing_contra_accounts{connection=\"a\"} 1"), std::string::npos)
        << metrics.render();
    launcher.outcome.outcome = "ok";
    s.triggerConnection("a", "manual");
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(2));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(metrics.value(metric::kAutoExportBlocked, {{"connection", "a"}}), 0);
}
