// The run lease: one process per connection delivers. The lease is fenced: a run whose lease
// lapsed (the whole process stalled past it) and was taken over cannot write another ledger
// step or report to Pleo — it stops (exit code 7, the job stays open for the other run). A run
// busy in one long step keeps its lease (renewed in the background), and a long fetch or a long
// series of lookups keeps it too, so no other process can take it while this one is working.
#include <chrono>
#include <thread>

#include "EngineFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Leases.h"

using enginetest::EngineTest;
using enginetest::SimulatedCrash;
using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;

namespace {

const std::string kLease = "run:fp";
const std::string kOther = "another-host:4242:1";

/// Another process tries to take the run lease; counts its tries and successes.
struct TakeoverAttempts {
    int tries = 0, taken = 0;
    void attempt(store::StateStore& s) {
        ++tries;
        if (store::Leases(s).tryAcquire(kLease, 60000, kOther)) ++taken;
    }
};

}  // namespace

TEST_F(EngineTest, ARunWhoseLeaseWasTakenOverStopsBeforeItsNextPush) {
    addJob("job-1", 100);
    EngineSettings s;
    s.leaseMs = 300;
    s.renewLeaseInBackground = false;  // the stall below stands for the whole process pausing
    int pushesWhenTaken = -1;
    s.onStep = [&](const std::string& step) {
        if (step != "pushed" || pushesWhenTaken >= 0) return;
        // The process stalls longer than its lease (a long GC-like pause, a suspended VM); the
        // lease lapses and another process takes it over.
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        ASSERT_TRUE(store::Leases(*store).tryAcquire(kLease, 60000, kOther));
        pushesWhenTaken = target.pushes;
    };
    RunReport r = runOnce(s);
    ASSERT_GE(pushesWhenTaken, 1);
    EXPECT_EQ(target.pushes, pushesWhenTaken) << "nothing was pushed after the lease was lost";
    EXPECT_EQ(r.outcome, "busy") << r.error;
    EXPECT_EQ(r.exitCode(), ExitCode::Busy);
    EXPECT_NE(r.error.find("another process took it over"), std::string::npos) << r.error;
    EXPECT_EQ(pleo.jobs["job-1"].status, "in_progress") << "the job stays open for the run that holds the lease";
    EXPECT_EQ(target.totalWrites(), 25);
    {
        // The outcomes of the batch pushed while the lease lapsed were refused by the fence: those
        // entries stay `pushing`, for the holder to look up before anything is pushed again.
        auto c = store::Ledger(*store).counts("fp", "job-1");
        EXPECT_GT(c.byState["pushing"], 0);
        EXPECT_EQ(c.byState["posted"] + c.byState["pushing"], target.totalWrites());
    }

    // While the other process holds it, no run of this connection starts.
    EXPECT_THROW(runOnce(), LockBusyError);
    // When it is gone, the next run finishes the job, exactly once.
    store::Leases(*store).release(kLease, kOther);
    RunReport done = runOnce();
    EXPECT_EQ(done.outcome, "ok") << done.error;
    expectExactlyOnce("job-1", 100, 0);
}

// The process pauses right after its lease was confirmed for a push (the database committed the
// renewal; the process had not yet read the answer) for longer than the lease, and another
// process takes the lease over meanwhile. The batch's deadline counts from before the
// confirmation, so it has passed when the batch is ready: nothing is pushed, the run ends busy,
// and the entries stay `pushing` for the holder's lookup. (Read after the confirmation, the
// deadline counted from the wake-up and the batch was pushed a second time: the replicas test
// on PostgreSQL booked 100 entries twice that way.)
TEST_F(EngineTest, APauseJustAfterTheLeaseWasConfirmedForAPushStillMissesTheDeadline) {
    addJob("job-1", 20);
    EngineSettings s;
    s.leaseMs = 400;
    s.batchSize = 10;
    s.renewLeaseInBackground = false;  // the pause stands for the whole process stopping
    int pushesWhenPaused = -1;
    s.onStep = [&](const std::string& step) {
        if (step != "lease confirmed" || pushesWhenPaused >= 0) return;
        pushesWhenPaused = target.pushes;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        ASSERT_TRUE(store::Leases(*store).tryAcquire(kLease, 60000, kOther));
    };
    RunReport r = runOnce(s);
    ASSERT_EQ(pushesWhenPaused, 0);
    EXPECT_EQ(target.pushes, 0) << "the batch was pushed after the run had lost its lease";
    EXPECT_EQ(target.totalWrites(), 0);
    EXPECT_EQ(r.outcome, "busy") << r.error;
    EXPECT_EQ(r.exitCode(), ExitCode::Busy);
    EXPECT_NE(r.error.find("after its deadline"), std::string::npos) << r.error;
    EXPECT_EQ(store::Ledger(*store).counts("fp", "job-1").byState["pushing"], 10);

    store::Leases(*store).release(kLease, kOther);
    RunReport done = runOnce();
    EXPECT_EQ(done.outcome, "ok") << done.error;
    expectExactlyOnce("job-1", 20, 0);
}

// One push takes three lease lifetimes (a slow ERP). The run's thread is busy in it the whole
// time, but the lease is renewed in the background: another process never gets it, and the run
// finishes exactly once.
TEST_F(EngineTest, ARunBusyInOneLongPushKeepsItsLease) {
    addJob("job-1", 20);
    EngineSettings s;
    s.leaseMs = 300;
    s.batchSize = 10;
    TakeoverAttempts other;
    s.onStep = [&](const std::string& step) {
        if (step != "pushing") return;
        for (int i = 0; i < 6; ++i) {  // 900 ms inside this step
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            other.attempt(*store);
        }
    };
    RunReport r = runOnce(s);
    EXPECT_EQ(other.tries, 12);
    EXPECT_EQ(other.taken, 0) << "another process took the lease while the run was busy in a push";
    EXPECT_EQ(r.outcome, "ok") << r.error;
    expectExactlyOnce("job-1", 20, 0);
}

// Pleo answers slowly; the whole fetch takes several lease lifetimes. All entries are invalid,
// so nothing is pushed (pushes renew the lease too): only the fetch can keep it.
TEST_F(EngineTest, TheLeaseIsKeptDuringALongFetch) {
    class SlowPleo : public FakePleo {
    public:
        ItemPage exportItems(const std::string& id, const std::string& cursor, int limit) override {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            return FakePleo::exportItems(id, cursor, limit);
        }
    } slow;
    for (int i = 0; i < 80; ++i) slow.jobs["job-1"].items.push_back(item("e" + std::to_string(i), false));
    api = &slow;
    EngineSettings s;
    s.leaseMs = 400;
    s.pageSize = 10;  // 8 pages, about 800 ms: twice the lease
    TakeoverAttempts other;
    s.onStep = [&](const std::string& step) {
        if (step == "staged") other.attempt(*store);
    };
    RunReport r = runOnce(s);
    EXPECT_EQ(other.tries, 8);
    EXPECT_EQ(other.taken, 0) << "another process could take the lease in the middle of the fetch";
    EXPECT_EQ(r.outcome, "completed_with_errors") << r.error;
    EXPECT_EQ(r.jobs.at(0).rejected, 80);
}

// A crash left 30 entries `pushing`; each lookup takes a while, all of them several lease
// lifetimes. Another process trying to take the lease meanwhile must not get it.
TEST_F(EngineTest, TheLeaseIsKeptDuringLongLookups) {
    addJob("job-1", 30);
    EngineSettings crash;
    crash.batchSize = 30;
    crash.onStep = [](const std::string& step) {
        if (step == "pushed") throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(crash), SimulatedCrash);
    ASSERT_EQ(target.totalWrites(), 30);

    TakeoverAttempts other;
    target.lookupAnswer = [&](const sdk::Entry& e) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        other.attempt(*store);
        auto it = target.byKey.find(e.idempotencyKey);
        return it == target.byKey.end() ? sdk::Outcome::absent() : sdk::Outcome::posted(it->second, "https://erp/" + it->second);
    };
    EngineSettings s;
    s.leaseMs = 300;  // the 30 lookups take about 750 ms
    s.batchSize = 30;
    RunReport r = runOnce(s);
    EXPECT_EQ(target.lookups, 30);
    EXPECT_EQ(other.taken, 0) << "another process could take the lease in the middle of the lookups";
    EXPECT_EQ(r.outcome, "ok") << r.error;
    expectExactlyOnce("job-1", 30, 0);
}
