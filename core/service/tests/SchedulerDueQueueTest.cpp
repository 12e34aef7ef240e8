// Scheduler's due-time queue: tick() looks only at the fire times that are due and the triggers
// that wait, never at every connection. These tests pin what that must keep: fires in the order
// of their jittered times and not a moment early, jitter that never drifts the next slot, a
// removed connection that never fires again, and triggered (webhook) runs taking a free worker
// before scheduled runs that queued earlier.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "ledgerbridge/service/Scheduler.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;
using lbtest::FakeLauncher;
using lbtest::utc;

namespace {

ScheduledConnection conn(const std::string& name, const std::string& schedule) {
    ScheduledConnection c;
    c.name = name;
    c.companyId = "company-" + name;
    if (!schedule.empty()) c.schedule = Schedule::parse(schedule, name);
    return c;
}

struct SchedulerDueQueueTest : ::testing::Test {
    lbtest::TempDir dir;
    ledgerbridge::store::StateStore store{dir.str()};
    FakeLauncher launcher;
    ManualClock clock{utc(2025, 1, 1, 0, 0, 10)};
    Metrics metrics;
};

std::set<std::string> calledNames(FakeLauncher& launcher) {
    std::set<std::string> out;
    for (const auto& call : launcher.snapshot()) out.insert(call.first);
    return out;
}

}  // namespace

TEST_F(SchedulerDueQueueTest, ConnectionsFireInTheOrderOfTheirJitteredTimesAndNotBefore) {
    auto rng = std::make_shared<std::mt19937_64>(18);
    Scheduler s(launcher, clock, &store, metrics, [rng] { return (*rng)(); });
    std::vector<ScheduledConnection> connections;
    for (int i = 0; i < 40; ++i) connections.push_back(conn("c" + std::to_string(i), "every 15m jitter 10m"));
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

TEST_F(SchedulerDueQueueTest, ARemovedConnectionNeverFiresAndAReaddedOneFiresAgain) {
    Scheduler s(launcher, clock, &store, metrics, [] { return std::uint64_t{0}; });
    s.configure({conn("a", "every 15m"), conn("b", "every 15m")});
    s.configure({conn("a", "every 15m")});
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(calledNames(launcher), (std::set<std::string>{"a"}));

    s.configure({conn("a", "every 15m"), conn("b", "every 15m")});
    EXPECT_EQ(s.stats("b").nextFire, utc(2025, 1, 1, 0, 30));
    clock.set(utc(2025, 1, 1, 0, 30));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(3));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    EXPECT_EQ(launcher.snapshot().size(), 3U);
    EXPECT_EQ(calledNames(launcher), (std::set<std::string>{"a", "b"}));
}

TEST_F(SchedulerDueQueueTest, AWebhookRunTakesTheNextFreeWorkerBeforeQueuedScheduledRuns) {
    SchedulerOptions options;
    options.maxConcurrentRuns = 1;
    Scheduler s(launcher, clock, &store, metrics, [] { return std::uint64_t{0}; }, options);
    s.configure({conn("a", "every 15m"), conn("b", "every 15m"), conn("c", "every 15m"), conn("d", "every 15m"),
                 conn("w", "")});
    launcher.hold("a");
    clock.set(utc(2025, 1, 1, 0, 15));
    s.tick();
    ASSERT_TRUE(launcher.waitCalls(1));  // a holds the only worker; b, c, d wait in the queue
    EXPECT_EQ(s.queuedRuns(), 3U);
    EXPECT_EQ(s.triggerCompany("company-w", "webhook"), 1U);
    s.tick();
    EXPECT_EQ(s.queuedRuns(), 4U);
    launcher.release("a");
    ASSERT_TRUE(launcher.waitCompleted(5));
    ASSERT_TRUE(s.waitIdleUntil(clock.now() + std::chrono::hours(1)));
    const auto calls = launcher.snapshot();
    ASSERT_EQ(calls.size(), 5U);
    EXPECT_EQ(calls[0].first, "a");
    EXPECT_EQ(calls[1], std::make_pair(std::string("w"), std::string("webhook")));
    EXPECT_EQ(calls[2].first, "b");
    EXPECT_EQ(calls[3].first, "c");
    EXPECT_EQ(calls[4].first, "d");
}
