// Webhooks at any replica (issue 21): a replica asked for a run while another replica holds the
// connection's lease hands the run over through the store, and the holder — or whoever finds
// the lease free when the holder is gone — runs it. Two schedulers with their own lease
// identities and their own connections to one SQLite database stand for two replicas.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "TestSupport.h"
#include "ledgerbridge/service/Scheduler.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/RunRequests.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::service;
using lbtest::FakeLauncher;
using lbtest::utc;
namespace store = ledgerbridge::store;

namespace {

struct Replica {
    Replica(const std::string& dir, const std::string& id, Clock& clock)
        : db(dir), scheduler(launcher, clock, &db, metrics, [] { return std::uint64_t{0}; }, options(id)) {
        ScheduledConnection acme;
        acme.name = "acme";
        acme.companyId = "company-1";
        scheduler.configure({acme});  // no schedule: runs only when asked
    }
    static SchedulerOptions options(const std::string& id) {
        SchedulerOptions o;
        o.leaseHolder = id;
        o.runRequestPoll = std::chrono::seconds(2);
        return o;
    }
    store::StateStore db;
    FakeLauncher launcher;
    Metrics metrics;
    Scheduler scheduler;
};

struct RunRequestHandOver : ::testing::Test {
    lbtest::TempDir dir;
    ManualClock clock{utc(2025, 1, 1, 0, 0, 10)};
    void later() { clock.set(clock.now() + std::chrono::seconds(3)); }  // past the next poll
    bool idle(Replica& r) { return r.scheduler.waitIdleUntil(clock.now() + std::chrono::hours(1)); }
    std::size_t pending(Replica& r, const std::string& holder) {
        return store::RunRequests(r.db).actionable(holder).size();
    }
};

}  // namespace

TEST_F(RunRequestHandOver, AWebhookAtAReplicaWithoutTheLeaseIsRunByTheHolderAfterItsRun) {
    Replica a(dir.str(), "replica-a", clock), b(dir.str(), "replica-b", clock);
    a.launcher.hold("acme");
    ASSERT_TRUE(a.scheduler.triggerConnection("acme", "manual"));
    a.scheduler.tick();
    ASSERT_TRUE(a.launcher.waitCalls(1));  // A runs acme and holds its lease

    EXPECT_EQ(b.scheduler.triggerCompany("company-1", "webhook"), 1U);  // the webhook lands at B
    b.scheduler.tick();
    ASSERT_TRUE(idle(b));
    EXPECT_EQ(b.scheduler.stats("acme").skippedLeaseBusy, 1);
    EXPECT_TRUE(b.launcher.snapshot().empty());
    EXPECT_EQ(pending(b, "replica-b"), 0U) << "not B's to run while A holds the lease";
    EXPECT_EQ(pending(a, "replica-a"), 1U) << "the request waits in the store for the holder";

    later();
    a.scheduler.tick();  // A's poll finds it: its run in flight may have listed jobs before it
    b.scheduler.tick();
    a.launcher.release("acme");
    ASSERT_TRUE(a.launcher.waitCompleted(1));
    ASSERT_TRUE(idle(a));
    a.scheduler.tick();  // the follow-up run
    ASSERT_TRUE(a.launcher.waitCalls(2));
    ASSERT_TRUE(idle(a));
    EXPECT_EQ(a.launcher.snapshot().at(1), std::make_pair(std::string("acme"), std::string("webhook")));
    EXPECT_EQ(pending(a, "replica-a"), 0U) << "the run that served it cleared it";

    later();
    a.scheduler.tick();
    b.scheduler.tick();
    ASSERT_TRUE(idle(a));
    ASSERT_TRUE(idle(b));
    EXPECT_EQ(a.launcher.snapshot().size(), 2U) << "served once, not again";
    EXPECT_TRUE(b.launcher.snapshot().empty());
}

TEST_F(RunRequestHandOver, WhenTheHolderIsGoneAnotherReplicaRunsTheRequestAfterTheLeaseExpires) {
    Replica b(dir.str(), "replica-b", clock), c(dir.str(), "replica-c", clock);
    // A replica that died (SIGKILL, cut off) holding acme's lease for a short while.
    ASSERT_TRUE(store::Leases(b.db).tryAcquire("run:acme", 300, "replica-dead"));
    EXPECT_EQ(b.scheduler.triggerCompany("company-1", "webhook"), 1U);
    b.scheduler.tick();
    ASSERT_TRUE(idle(b));
    EXPECT_TRUE(b.launcher.snapshot().empty());

    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the dead holder's lease expires
    later();
    c.scheduler.tick();  // C polls first and takes it up
    c.scheduler.tick();
    ASSERT_TRUE(c.launcher.waitCalls(1));
    ASSERT_TRUE(idle(c));
    EXPECT_EQ(c.launcher.snapshot().at(0), std::make_pair(std::string("acme"), std::string("webhook")));
    b.scheduler.tick();
    b.scheduler.tick();
    ASSERT_TRUE(idle(b));
    EXPECT_TRUE(b.launcher.snapshot().empty()) << "C's run cleared the request: it runs once";
}
