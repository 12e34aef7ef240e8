// runService end to end on loopback: a signed webhook starts a run, a stop lets the run finish
// its batch and returns 0, the grace period and a second stop end the process at once (with
// the exit injected), SIGHUP reloads, real signals reach the watcher, options come from config.
#include "ledgerbridge/service/ServiceRunner.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "HttpTestClient.h"
#include "TestSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/service/WebhookVerifier.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kEvent = R"({"type":"v1.export-job.created","data":{"companyId":"company-1"}})";

ledgerbridge::config::Config oneConnection() {
    ledgerbridge::config::Config c;
    ledgerbridge::config::Connection a;
    a.name = "a";
    a.companyId = "company-1";
    a.schedule = "every 1d";
    c.connections = {a};
    return c;
}

lbtest::HttpReply postWebhook(std::uint16_t port, const Clock& clock) {
    WebhookVerifier signer(kSecret, clock);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    static std::atomic<int> n{0};
    const std::string id = "msg_runner_" + std::to_string(n++);
    return lbtest::http(port, "POST", "/webhooks/pleo", kEvent,
                        {{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", signer.sign(id, ts, kEvent)}});
}

struct ServiceRunnerTest : ::testing::Test {
    lbtest::TempDir dir;
    ledgerbridge::store::StateStore store{dir.str()};
    lbtest::FakeLauncher launcher;
    std::mutex mutex;
    std::vector<int> exits;
    std::thread helper;
    ServiceOptions options;

    void SetUp() override {
        options.listen = "127.0.0.1:0";
        options.webhookSecret = kSecret;
        options.handleSignals = false;
        options.immediateExit = [this](int code) {
            std::lock_guard<std::mutex> g(mutex);
            exits.push_back(code);
        };
    }
    void TearDown() override {
        if (helper.joinable()) helper.join();
    }
    std::vector<int> exitCalls() {
        std::lock_guard<std::mutex> g(mutex);
        return exits;
    }
};

}  // namespace

TEST_F(ServiceRunnerTest, AWebhookStartsARunAndAStopLetsItFinishItsBatch) {
    launcher.hold("a");
    launcher.returnOnCancel = true;
    SystemClock clock;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            EXPECT_EQ(lbtest::http(control.httpPort(), "GET", "/readyz").status, 200);
            EXPECT_EQ(postWebhook(control.httpPort(), clock).status, 202);
            EXPECT_TRUE(launcher.waitCalls(1));
            control.requestStop();
        });
    };
    EXPECT_EQ(runService(oneConnection(), store, launcher, options), 0);
    EXPECT_TRUE(launcher.sawCancel);
    EXPECT_EQ(launcher.snapshot().at(0), std::make_pair(std::string("a"), std::string("webhook")));
    EXPECT_TRUE(exitCalls().empty());
}

TEST_F(ServiceRunnerTest, ABurstOfWebhooksIsAnsweredWithoutWaitingForRunsAndAStopDropsTheQueue) {
    // 100 companies, two workers, every run held: each webhook must still get its 202 (the reply
    // does not wait for a run or a free worker), and the stop that follows starts none of the
    // 98 queued runs and ends before the grace period.
    constexpr int kCompanies = 100;
    ledgerbridge::config::Config config;
    for (int i = 0; i < kCompanies; ++i) {
        ledgerbridge::config::Connection c;
        c.name = "c" + std::to_string(i);
        c.companyId = "company-" + std::to_string(i);
        config.connections.push_back(c);
        launcher.hold(c.name);
    }
    launcher.returnOnCancel = true;
    options.maxConcurrentRuns = 2;
    options.gracePeriod = std::chrono::seconds(30);
    SystemClock clock;
    std::vector<int> statuses;
    std::vector<std::string> bodies;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            WebhookVerifier signer(kSecret, clock);
            for (int i = 0; i < kCompanies; ++i) {
                const std::string event =
                    R"({"type":"v1.export-job.created","data":{"companyId":"company-)" + std::to_string(i) + R"("}})";
                const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
                const std::string id = "msg_burst_" + std::to_string(i);
                const auto reply = lbtest::http(control.httpPort(), "POST", "/webhooks/pleo", event,
                                                {{"webhook-id", id}, {"webhook-timestamp", ts},
                                                 {"webhook-signature", signer.sign(id, ts, event)}});
                statuses.push_back(reply.status);
                bodies.push_back(reply.body);
            }
            EXPECT_TRUE(launcher.waitCalls(2));
            control.requestStop();
        });
    };
    EXPECT_EQ(runService(config, store, launcher, options), 0);
    ASSERT_EQ(statuses.size(), static_cast<std::size_t>(kCompanies));
    for (int i = 0; i < kCompanies; ++i) {
        EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 202) << i;
        EXPECT_EQ(bodies[static_cast<std::size_t>(i)], "{\"triggered\":1}\n") << i;
    }
    EXPECT_EQ(launcher.snapshot().size(), 2U) << "queued runs never started after the stop";
    EXPECT_TRUE(exitCalls().empty()) << "no immediate exit: the stop ended within the grace period";
}

TEST_F(ServiceRunnerTest, TheGracePeriodEndsWithAnImmediateExit) {
    launcher.hold("a");  // ignores the cancel flag
    ManualClock clock(std::chrono::system_clock::now());
    options.clock = &clock;
    options.gracePeriod = std::chrono::seconds(30);
    std::atomic<int> result{-1};
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            EXPECT_EQ(postWebhook(control.httpPort(), clock).status, 202);
            EXPECT_TRUE(launcher.waitCalls(1));
            control.requestStop();
            for (int i = 0; i < 4000 && exitCalls().empty(); ++i) {
                clock.advance(std::chrono::seconds(31));
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            launcher.release("a");
        });
    };
    result = runService(oneConnection(), store, launcher, options);
    EXPECT_EQ(result.load(), 130);
    EXPECT_EQ(exitCalls(), std::vector<int>{130});
}

TEST_F(ServiceRunnerTest, ASecondStopExitsAtOnce) {
    launcher.hold("a");
    SystemClock clock;
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            EXPECT_EQ(postWebhook(control.httpPort(), clock).status, 202);
            EXPECT_TRUE(launcher.waitCalls(1));
            control.requestStop();
            control.requestStop();
            EXPECT_EQ(exitCalls(), std::vector<int>{130});
            launcher.release("a");  // the injected exit returned; let the test end
        });
    };
    EXPECT_EQ(runService(oneConnection(), store, launcher, options), 0);
    EXPECT_EQ(exitCalls(), std::vector<int>{130});
}

TEST_F(ServiceRunnerTest, RealSignalsReloadAndStop) {
    options.handleSignals = true;
    std::atomic<int> reloads{0};
    options.reloadConfig = [&] {
        ++reloads;
        return oneConnection();
    };
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            EXPECT_EQ(lbtest::http(control.httpPort(), "GET", "/healthz").status, 200);
            kill(getpid(), SIGHUP);
            for (int i = 0; i < 4000 && reloads.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            kill(getpid(), SIGTERM);
        });
    };
    EXPECT_EQ(runService(oneConnection(), store, launcher, options), 0);
    EXPECT_EQ(reloads.load(), 1);
}

TEST_F(ServiceRunnerTest, AFailedReloadKeepsTheServiceRunning) {
    std::ostringstream logs;
    ledgerbridge::log::setSink(&logs);
    std::atomic<int> attempts{0};
    options.reloadConfig = [&]() -> ledgerbridge::config::Config {
        ++attempts;
        throw ledgerbridge::ConfigError("config.ini:3: a made-up problem.");
    };
    options.onStarted = [&](ServiceControl& control) {
        helper = std::thread([&] {
            control.requestReload();
            for (int i = 0; i < 4000 && attempts.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            EXPECT_EQ(lbtest::http(control.httpPort(), "GET", "/healthz").status, 200);
            control.requestStop();
        });
    };
    EXPECT_EQ(runService(oneConnection(), store, launcher, options), 0);
    ledgerbridge::log::setSink(nullptr);
    EXPECT_EQ(attempts.load(), 1);
    EXPECT_NE(logs.str().find("could not be reloaded"), std::string::npos) << logs.str();
    EXPECT_NE(logs.str().find("a made-up problem"), std::string::npos) << logs.str();
}

TEST(ServiceOptionsFromConfig, ReadsTheServiceSection) {
    ledgerbridge::config::Config c;
    EXPECT_EQ(serviceOptionsFromConfig(c).listen, "127.0.0.1:9464");
    EXPECT_EQ(serviceOptionsFromConfig(c).gracePeriod, std::chrono::seconds(30));
    EXPECT_TRUE(serviceOptionsFromConfig(c).webhookSecret.empty());

    // As the config loader reads it from a file.
    setenv("LB_SERVICE_TEST_WEBHOOK_SECRET", kSecret.c_str(), 1);
    const auto loaded = ledgerbridge::config::parseConfig(
        "environment = staging\n[service]\nlisten = 127.0.0.1:9999\nwebhook_secret = env:LB_SERVICE_TEST_WEBHOOK_SECRET\n"
        "grace_period = 2m\n",
        "lb.ini", "/tmp", {}, {}, false);
    ASSERT_TRUE(loaded.config.has_value());
    const ServiceOptions o = serviceOptionsFromConfig(*loaded.config);
    EXPECT_EQ(o.listen, "127.0.0.1:9999");
    EXPECT_EQ(o.gracePeriod, std::chrono::seconds(120));
    EXPECT_EQ(o.webhookSecret, kSecret);

    // A secret that cannot be read stops `serve` with the key's name and line, not its value.
    unsetenv("LB_SERVICE_TEST_WEBHOOK_SECRET");
    try {
        serviceOptionsFromConfig(*loaded.config);
        ADD_FAILURE() << "an unset webhook secret variable must be refused";
    } catch (const ledgerbridge::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("LB_SERVICE_TEST_WEBHOOK_SECRET"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("lb.ini:4"), std::string::npos) << e.what();
    }
}
