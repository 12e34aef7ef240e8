// Scheduler: on-time fires with a manual clock, overlap skipping, the cross-process lease,
// missed runs at start, webhook triggers (coalesced during a run), metrics from outcomes, and
// shutdown behaviour; and what the due-time queue must keep: fires in the order of their
// jittered times and not a moment early, jitter that never drifts the next slot, a removed
// connection that never fires again, and triggered (webhook) runs taking a free worker before
// scheduled runs that queued earlier.
#include "ledgerbridge/service/Scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <thread>

#include "TestSupport.h"

namespace SQLite {
class Database;
}
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;
using lbtest::FakeLauncher;
using lbtest::utc;

namespace {

ScheduledConnection conn(const std::string& name, const std::string& company, const std::string& schedule) {
    ScheduledConnection c;
    c.name = name;
    c.companyId = company;
    if (!schedule.empty()) c.schedule = Schedule::parse(schedule, name);
    return c;
}

std::set<std::string> calledNames(FakeLauncher& launcher) {
    std::set<std::string> out;
    for (const auto& call : launcher.snapshot()) out.insert(call.first);
    return out;
}

RandomSource noJitter() {
    return [] { return std::uint64_t{0}; };
}

struct SchedulerTest : ::testing::Test {
    lbtest::TempDir dir;
    ledgerbridge::store::StateStore store{dir.str()};
    FakeLauncher launcher;
    ManualClock clock{utc(2025, 1, 1, 0, 0, 10)};
    Metrics metrics;

    // One worker, held by a's scheduled run; b, c and d's scheduled runs wait for it (w runs on
    // webhooks only); then a webhook for `company` comes and the scheduler thread acts on it.
    std::unique_ptr<Scheduler> webhookWhileOnePollRunsAndThreeWait(const std::string& company) {
        SchedulerOptions options;
        options.maxConcurrentRuns = 1;
        auto s = std::make_unique<Scheduler>(launcher, clock, &store, metrics, noJitter(), options);
        s->configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 15m"),
                      conn("c", "company-c", "every 15m"), conn("d", "company-d", "every 15m"),
                      conn("w", "company-w", "")});
        launcher.hold("a");
        clock.set(utc(2025, 1, 1, 0, 15));
        s->tick();
        EXPECT_TRUE(launcher.waitCalls(1));
        EXPECT_EQ(s->queuedRuns(), 3U);
        EXPECT_EQ(s->triggerCompany(company, "webhook"), 1U);
        s->tick();
        return s;
    }

    // "name:reason" of every run the launcher got, in order.
    std::vector<std::string> runOrder() {
        std::vector<std::string> out;
        for (const auto& call : launcher.snapshot()) out.push_back(call.first + ":" + call.second);
        return out;
    }
};

}  // namespace

TEST_F(SchedulerTest, TwoSchedulesFireOnTime) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "cron 0 * * * * UTC")});
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 0, 15));
    EXPECT_EQ(s.stats("b").nextFire, utc(2025, 1, 1, 1, 0));
    s.tick();
    clock.set(utc(2025, 1, 1, 0, 14, 59));
    s.tick();
    EXPECT_TRUE(launcher.snapshot().empty());
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(launcher.snapshot().at(0), std::make_pair(std::string("a"), std::string("schedule")));
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 0, 30));
    clock.set(utc(2025, 1, 1, 1, 0));  // a's 00:30 and 00:45 slots passed unnoticed: it fires once
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(3));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(s.stats("a").started, 2);
    EXPECT_EQ(s.stats("b").started, 1);
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 1, 15));
}

TEST_F(SchedulerTest, TheSchedulerThreadFiresWithoutExplicitTicks) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m")});
    s.start();
    clock.set(utc(2025, 1, 1, 0, 15));
    ASSERT_TRUE(launcher.waitCalls(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    clock.set(utc(2025, 1, 1, 0, 30));
    ASSERT_TRUE(launcher.waitCalls(2));
}

TEST_F(SchedulerTest, TwoSchedulesFireUnderAScaledClock) {
    // One simulated hour per real second: "every 15m" and "every 30m" both fire within a
    // moment of real time, in the simulator's time scale.
    ScaledClock scaled(utc(2025, 1, 1, 0, 0), 3600.0);
    Scheduler s(launcher, scaled, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 30m")});
    s.start();
    std::set<std::string> names;
    for (std::size_t n = 1; n < 50 && names.size() < 2; ++n) {
        ASSERT_TRUE(launcher.waitCalls(n));
        for (const auto& call : launcher.snapshot()) names.insert(call.first);
    }
    EXPECT_EQ(names, (std::set<std::string>{"a", "b"}));
    EXPECT_GE(scaled.now(), utc(2025, 1, 1, 0, 30));
}

TEST_F(SchedulerTest, JitterDelaysTheFireTimeButNotTheNextSlot) {
    Scheduler s(launcher, clock, &store, metrics, [] { return std::uint64_t{90}; });
    s.configure({conn("a", "company-a", "every 15m jitter 2m")});
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 0, 16, 30));
    clock.set(utc(2025, 1, 1, 0, 16, 29));
    s.tick();
    EXPECT_TRUE(launcher.snapshot().empty());
    clock.set(utc(2025, 1, 1, 0, 16, 30));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 0, 31, 30));
}

TEST_F(SchedulerTest, AnOverlappingTickIsSkippedAndCounted) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m")});
    launcher.hold("a");
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    clock.set(utc(2025, 1, 1, 0, 30));
    s.tick();
    EXPECT_EQ(s.stats("a").skippedOverlap, 1);
    EXPECT_EQ(metrics.value(metric::kRunsSkipped, {{"connection", "a"}, {"reason", "overlap"}}), 1);
    EXPECT_EQ(launcher.snapshot().size(), 1U);
    launcher.release("a");
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    clock.set(utc(2025, 1, 1, 0, 45));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(2));
}

TEST_F(SchedulerTest, ALeaseHeldByAnotherProcessSkipsTheRun) {
    ledgerbridge::store::Leases leases(store);
    ASSERT_TRUE(leases.tryAcquire("run:a", 60000, "otherhost:4242:abc"));
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m")});
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));  // a worker takes the lease
    EXPECT_EQ(s.stats("a").skippedLeaseBusy, 1);
    EXPECT_EQ(metrics.value(metric::kRunsSkipped, {{"connection", "a"}, {"reason", "lease_busy"}}), 1);
    EXPECT_TRUE(launcher.snapshot().empty());

    leases.release("run:a", "otherhost:4242:abc");
    clock.set(utc(2025, 1, 1, 0, 30));
    launcher.hold("a");
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    ledgerbridge::store::LeaseHolder holder;
    ASSERT_TRUE(leases.current("run:a", holder));  // held by us while running...
    EXPECT_EQ(holder.holder, ledgerbridge::store::Leases::selfHolder());
    launcher.release("a");
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_FALSE(leases.current("run:a", holder));  // ...and released afterwards
}

TEST_F(SchedulerTest, NoRunStartsWhenTheLeaseCannotBeChecked) {
    // Another connection to the same database holds the write lock; ours gives up at once.
    ledgerbridge::store::StateStore impatient(dir.str(), 1);
    std::mutex m;
    std::condition_variable cv;
    bool locked = false, done = false;
    std::thread blocker([&] {
        store.transaction([&](ledgerbridge::store::Session&) {
            std::unique_lock<std::mutex> lock(m);
            locked = true;
            cv.notify_all();
            cv.wait(lock, [&] { return done; });
        });
    });
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return locked; });
    }
    Scheduler s(launcher, clock, &impatient, metrics, noJitter());
    s.configure({conn("a", "company-a", "")});
    s.triggerConnection("a", "manual");
    s.tick();
    EXPECT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));  // the worker gave up on the lease
    {
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_all();
    }
    blocker.join();
    EXPECT_TRUE(launcher.snapshot().empty());
    EXPECT_EQ(metrics.value(metric::kRunsSkipped, {{"connection", "a"}, {"reason", "store_error"}}), 1);
}

TEST_F(SchedulerTest, AMissedRunRunsOnceAtStart) {
    ledgerbridge::store::Runs runs(store);
    const std::string id = runs.start("a", "fp", false);
    runs.finish(id, "ok", "{}");
    runs.finish(runs.start("c", "fp", false), "ok", "{}");
    const auto lastStart = Clock::TimePoint(std::chrono::milliseconds(runs.recent(1, "a").front().startedAt));
    ManualClock later(lastStart + std::chrono::minutes(20));  // a 15-minute slot passed meanwhile
    Scheduler s(launcher, later, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 15m"),
                 conn("c", "company-c", "cron 0 0 1 1 * UTC")});
    s.start();
    ASSERT_TRUE(launcher.waitCompleted(1));
    s.tick();
    const auto calls = launcher.snapshot();
    ASSERT_EQ(calls.size(), 1U);  // b has no history, c has not reached its yearly slot
    EXPECT_EQ(calls[0], std::make_pair(std::string("a"), std::string("missed")));
}

TEST_F(SchedulerTest, WebhookTriggersRunAtOnceAndCoalesceDuringARun) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "")});
    EXPECT_EQ(s.triggerCompany("company-unknown", "webhook"), 0U);
    EXPECT_FALSE(s.stats("b").nextFire.has_value());
    launcher.hold("b");
    EXPECT_EQ(s.triggerCompany("company-b", "webhook"), 1U);
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    EXPECT_EQ(launcher.snapshot().at(0), std::make_pair(std::string("b"), std::string("webhook")));
    // Two more deliveries while it runs: one follow-up run.
    EXPECT_EQ(s.triggerCompany("company-b", "webhook"), 1U);
    EXPECT_EQ(s.triggerCompany("company-b", "webhook"), 1U);
    s.tick();
    EXPECT_EQ(launcher.snapshot().size(), 1U);
    launcher.release("b");
    ASSERT_TRUE(launcher.waitCompleted(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(2));
    s.tick();
    EXPECT_EQ(launcher.snapshot().size(), 2U);
}

TEST_F(SchedulerTest, OutcomesFeedTheMetrics) {
    launcher.outcome.outcome = "completed_with_errors";
    launcher.outcome.plugin = "csv";
    launcher.outcome.entries = {{"posted", 7}, {"rejected", 2}};
    launcher.outcome.pleoRequests = {{"200", 5}, {"429", 1}};
    launcher.outcome.targetRequests = {{"ok", 9}};
    launcher.outcome.tokenRefreshes = 1;
    launcher.outcome.tokenRefreshFailures = 1;
    launcher.throwFor.insert("x");
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", ""), conn("x", "company-x", "")});
    s.triggerConnection("a", "manual");
    s.triggerConnection("x", "manual");
    s.tick();
    ASSERT_TRUE(launcher.waitCompleted(2));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(metrics.value(metric::kRuns, {{"connection", "a"}, {"outcome", "completed_with_errors"}}), 1);
    EXPECT_EQ(metrics.value(metric::kRuns, {{"connection", "x"}, {"outcome", "failed"}}), 1);
    EXPECT_EQ(s.stats("x").lastOutcome, "failed");
    EXPECT_EQ(metrics.value(metric::kEntries, {{"connection", "a"}, {"outcome", "posted"}}), 7);
    EXPECT_EQ(metrics.value(metric::kPleoRequests, {{"status", "200"}}), 5);
    EXPECT_EQ(metrics.value(metric::kTargetRequests, {{"plugin", "csv"}, {"status", "ok"}}), 9);
    EXPECT_EQ(metrics.value(metric::kTokenRefreshes, {{"result", "failed"}}), 1);
    EXPECT_EQ(metrics.value(metric::kLastSuccess, {{"connection", "a"}}), static_cast<double>(lbtest::secondsOf(clock.now())));
    EXPECT_EQ(metrics.value(metric::kLastSuccess, {{"connection", "x"}}), 0);
    EXPECT_EQ(metrics.value(metric::kRunning, {{"connection", "a"}}), 0);
}

TEST_F(SchedulerTest, StoppingCancelsRunsAndRefusesNewWork) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m")});
    launcher.hold("a");
    launcher.returnOnCancel = true;
    s.triggerConnection("a", "manual");
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    EXPECT_FALSE(s.waitIdleUntil(clock.now()));  // still running, deadline already here
    s.stopAccepting();
    EXPECT_FALSE(s.accepting());
    EXPECT_FALSE(s.triggerConnection("a", "manual"));
    launcher.poke();
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_TRUE(launcher.sawCancel);
    EXPECT_EQ(s.stats("a").lastOutcome, "interrupted");
    clock.set(utc(2025, 1, 1, 2, 0));
    s.tick();
    EXPECT_EQ(launcher.snapshot().size(), 1U);
}

TEST_F(SchedulerTest, ReconfigureKeepsUnchangedSchedulesAndDropsRemovedConnections) {
    Scheduler s(launcher, clock, &store, metrics, noJitter());
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 1h")});
    clock.set(utc(2025, 1, 1, 0, 20));
    s.configure({conn("a", "company-a", "every 15m"), conn("c", "company-c", "every 30m")});
    EXPECT_EQ(s.stats("a").nextFire, utc(2025, 1, 1, 0, 15));  // kept: due now
    EXPECT_EQ(s.stats("c").nextFire, utc(2025, 1, 1, 0, 30));
    EXPECT_FALSE(s.triggerConnection("b", "manual"));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    EXPECT_EQ(launcher.snapshot().at(0).first, "a");
}

TEST_F(SchedulerTest, ConnectionsFireInTheOrderOfTheirJitteredTimesAndNotBefore) {
    auto rng = std::make_shared<std::mt19937_64>(18);
    Scheduler s(launcher, clock, &store, metrics, [rng] { return (*rng)(); });
    std::vector<ScheduledConnection> connections;
    for (int i = 0; i < 40; ++i)
        connections.push_back(conn("c" + std::to_string(i), "company-c" + std::to_string(i), "every 15m jitter 10m"));
    s.configure(connections);

    // Every fire time lies in [00:15, 00:25); group the connections by it.
    std::map<Clock::TimePoint, std::set<std::string>> byTime;
    for (const auto& c : connections) {
        const auto at = s.stats(c.name).nextFire;
        ASSERT_TRUE(at.has_value());
        EXPECT_GE(*at, utc(2025, 1, 1, 0, 15));
        EXPECT_LT(*at, utc(2025, 1, 1, 0, 25));
        byTime[*at].insert(c.name);
    }
    ASSERT_GT(byTime.size(), 20U) << "the jitter should spread the fire times";

    std::set<std::string> expected;
    for (const auto& [at, names] : byTime) {
        clock.set(at - std::chrono::milliseconds(1));
        s.tick();
        ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
        EXPECT_EQ(calledNames(launcher), expected) << "a connection fired before its time";
        clock.set(at);
        s.tick();
        expected.insert(names.begin(), names.end());
        ASSERT_TRUE(launcher.waitCalls(expected.size()));
        ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
        EXPECT_EQ(calledNames(launcher), expected);
    }
    EXPECT_EQ(launcher.snapshot().size(), 40U) << "each connection fires once per slot";
    // The next fire is the next slot plus fresh jitter: 00:30 to 00:40, whatever this one's was.
    for (const auto& c : connections) {
        const auto next = s.stats(c.name).nextFire;
        ASSERT_TRUE(next.has_value());
        EXPECT_GE(*next, utc(2025, 1, 1, 0, 30)) << c.name;
        EXPECT_LT(*next, utc(2025, 1, 1, 0, 40)) << c.name;
    }
}

TEST_F(SchedulerTest, ARemovedConnectionNeverFiresAndAReaddedOneFiresAgain) {
    Scheduler s(launcher, clock, &store, metrics, [] { return std::uint64_t{0}; });
    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 15m")});
    s.configure({conn("a", "company-a", "every 15m")});
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(calledNames(launcher), (std::set<std::string>{"a"}));

    s.configure({conn("a", "company-a", "every 15m"), conn("b", "company-b", "every 15m")});
    EXPECT_EQ(s.stats("b").nextFire, utc(2025, 1, 1, 0, 30));
    clock.set(utc(2025, 1, 1, 0, 30));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(3));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(launcher.snapshot().size(), 3U);
    EXPECT_EQ(calledNames(launcher), (std::set<std::string>{"a", "b"}));
}

TEST_F(SchedulerTest, AWebhookRunTakesTheNextFreeWorkerBeforeQueuedScheduledRuns) {
    auto scheduler = webhookWhileOnePollRunsAndThreeWait("company-w");
    ASSERT_FALSE(HasFailure());
    Scheduler& s = *scheduler;
    EXPECT_EQ(s.queuedRuns(), 4U);
    launcher.release("a");
    ASSERT_TRUE(launcher.waitCompleted(5));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(runOrder(), (std::vector<std::string>{"a:schedule", "w:webhook", "b:schedule", "c:schedule",
                                                    "d:schedule"}));
}

// A webhook for a connection whose scheduled run is still waiting for a worker: that run moves
// ahead of the other waiting polls and serves the webhook (it has not listed Pleo's jobs yet, so
// it finds the new one); no second run follows. Before, it kept its place behind every queued
// poll and a follow-up run came after it.
TEST_F(SchedulerTest, AWebhookMovesItsConnectionsWaitingScheduledRunAheadOfTheOtherPolls) {
    auto scheduler = webhookWhileOnePollRunsAndThreeWait("company-d");
    ASSERT_FALSE(HasFailure());
    Scheduler& s = *scheduler;
    EXPECT_EQ(s.queuedRuns(), 3U);  // moved, not added
    launcher.release("a");
    ASSERT_TRUE(launcher.waitCompleted(4));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    s.tick();
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(runOrder(), (std::vector<std::string>{"a:schedule", "d:webhook", "b:schedule", "c:schedule"}));
}

TEST(ScheduledConnections, ParsesEveryScheduleOfTheConfig) {
    ledgerbridge::config::Config config;
    ledgerbridge::config::Connection a;
    a.name = "a";
    a.companyId = "c1";
    a.schedule = "every 5m";
    ledgerbridge::config::Connection b;
    b.name = "b";
    b.companyId = "c2";
    config.connections = {a, b};
    const auto list = scheduledConnections(config);
    ASSERT_EQ(list.size(), 2U);
    EXPECT_TRUE(list[0].schedule.has_value());
    EXPECT_FALSE(list[1].schedule.has_value());
    config.connections[1].schedule = "every now and then";
    EXPECT_THROW(scheduledConnections(config), ledgerbridge::ConfigError);
}
