// Fenced leases across replicas (issue 21): every new holding gets a higher token, a holder
// that lost its lease (taken over, or only expired) cannot write a ledger step, a keeper thread
// keeps a lease through a long busy step, and a process paused past its lease (SIGSTOP) writes
// nothing when it wakes. Two StateStores on one database stand for two replicas.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "StoreBackends.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/LeaseKeeper.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Ledger.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(LeaseFencing);

namespace {

const std::string kLease = "run:fp";

store::LedgerEntry entry(const std::string& id) {
    store::LedgerEntry e;
    e.fingerprint = "fp";
    e.jobId = "job-1";
    e.entryId = id;
    e.payload = "{\"accountingEntryId\":\"" + id + "\"}";
    e.contentHash = store::sha256Hex(e.payload);
    e.idempotencyKey = "key-" + id;
    e.amountMinor = 100;
    e.currency = "DKK";
    return e;
}

store::JobRecord job(const std::string& cursor) {
    store::JobRecord j;
    j.fingerprint = "fp";
    j.jobId = "job-1";
    j.connection = "acme";
    j.phase = "delivering";
    j.itemsCursor = cursor;
    return j;
}

void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

TEST_P(LeaseFencing, EveryNewHoldingGetsAHigherTokenAndRenewingKeepsIt) {
    auto s = open();
    store::Leases leases(*s);
    auto a = leases.acquire(kLease, 60000, "replica-a");
    ASSERT_TRUE(a);
    auto again = leases.acquire(kLease, 60000, "replica-a");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->token, a->token) << "re-taking our own live lease is a renewal, not a new holding";
    EXPECT_FALSE(leases.acquire(kLease, 60000, "replica-b"));

    leases.release(kLease, "replica-a");
    auto b = leases.acquire(kLease, 60000, "replica-b");
    ASSERT_TRUE(b);
    EXPECT_GT(b->token, a->token) << "a release keeps the sequence: the next holder's token is higher";
    leases.release(*b);
    auto a2 = leases.acquire(kLease, 60000, "replica-a");
    ASSERT_TRUE(a2);
    EXPECT_GT(a2->token, b->token) << "the same holder taking it again fences out its earlier holding too";
    store::LeaseHolder h;
    ASSERT_TRUE(leases.current(kLease, h));
    EXPECT_EQ(h.token, a2->token);
    EXPECT_EQ(h.holder, "replica-a");
}

TEST_P(LeaseFencing, AfterATakeoverTheOldHoldersLedgerWritesAreRefusedAndChangeNothing) {
    auto replicaA = open();
    auto replicaB = open();
    auto a = store::Leases(*replicaA).acquire(kLease, 150, "replica-a");
    ASSERT_TRUE(a);
    store::Ledger ledgerA(*replicaA);
    ledgerA.fence(*a);
    ledgerA.saveJob(job(""));
    ledgerA.stagePage("fp", "job-1", {entry("e1"), entry("e2")}, "C1", false);
    ledgerA.markPushing("fp", "job-1", {"e1"});

    sleepMs(250);  // A stalls past its lease; B takes over
    auto b = store::Leases(*replicaB).acquire(kLease, 60000, "replica-b");
    ASSERT_TRUE(b) << "an expired lease is free";
    EXPECT_GT(b->token, a->token);

    auto posted = entry("e1");
    posted.state = store::EntryState::Posted;
    posted.externalId = "DOC-1";
    const std::vector<std::pair<const char*, std::function<void()>>> writes = {
        {"saveJob", [&] { ledgerA.saveJob(job("stale")); }},
        {"stagePage", [&] { ledgerA.stagePage("fp", "job-1", {entry("e3")}, "C2", true); }},
        {"markPushing", [&] { ledgerA.markPushing("fp", "job-1", {"e2"}); }},
        {"recordOutcome", [&] { ledgerA.recordOutcome(posted); }},
        {"markReported", [&] { ledgerA.markReported("fp", "job-1", {"e1"}); }},
        {"refetchItems", [&] { ledgerA.refetchItems("fp", "job-1"); }},
    };
    for (const auto& [name, write] : writes) {
        const std::string error = errorOf<store::LeaseLostError>(write);
        EXPECT_NE(error.find("another process took it over"), std::string::npos) << name << ": " << error;
        EXPECT_NE(error.find("token " + std::to_string(b->token)), std::string::npos) << name << ": " << error;
    }
    EXPECT_THROW(store::Leases(*replicaA).confirm(*a), store::LeaseLostError);
    EXPECT_FALSE(store::Leases(*replicaA).renew(kLease, 60000, "replica-a"));

    // Nothing of A's refused writes reached the ledger; B, the holder, writes as usual.
    store::Ledger ledgerB(*replicaB);
    ledgerB.fence(*b);
    auto rec = ledgerB.job("fp", "job-1");
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->itemsCursor, "C1");
    EXPECT_FALSE(rec->itemsComplete);
    auto c = ledgerB.counts("fp", "job-1");
    EXPECT_EQ(c.total, 2);
    EXPECT_EQ(c.byState["pushing"], 1);
    EXPECT_EQ(c.byState["planned"], 1);
    EXPECT_EQ(c.reported, 0);
    ledgerB.recordOutcome(posted);
    EXPECT_EQ(ledgerB.counts("fp", "job-1").byState["posted"], 1);
}

TEST_P(LeaseFencing, AnExpiredHoldingIsRefusedEvenWhenNobodyTookItOver) {
    auto s = open();
    store::Leases leases(*s);
    auto a = leases.acquire(kLease, 100, "replica-a");
    ASSERT_TRUE(a);
    store::Ledger ledger(*s);
    ledger.fence(*a);
    ledger.saveJob(job("C0"));
    sleepMs(200);
    const std::string error = errorOf<store::LeaseLostError>([&] { ledger.saveJob(job("late")); });
    EXPECT_NE(error.find("expired"), std::string::npos) << error;
    EXPECT_EQ(errorOf<store::LeaseLostError>([&] { leases.confirm(*a); }).empty(), false)
        << "a fenced renewal does not revive an expired lease";
    EXPECT_FALSE(leases.renew(kLease, 60000, "replica-a")) << "nor does a plain renewal";
    EXPECT_EQ(store::Ledger(*s).job("fp", "job-1")->itemsCursor, "C0");
}

TEST_P(LeaseFencing, TheKeeperHoldsTheLeaseWhileItsOwnerIsBusyAndStopsWhenLost) {
    auto replicaA = open();
    auto replicaB = open();
    auto a = store::Leases(*replicaA).acquire(kLease, 300, "replica-a");
    ASSERT_TRUE(a);
    {
        store::LeaseKeeper keeper(*replicaA, *a);
        for (int i = 0; i < 8; ++i) {  // 1.2 s busy: four lease lifetimes
            sleepMs(150);
            EXPECT_FALSE(store::Leases(*replicaB).tryAcquire(kLease, 60000, "replica-b")) << "at " << i;
        }
        EXPECT_FALSE(keeper.lost());
        EXPECT_NO_THROW(keeper.check());
        store::Ledger ledger(*replicaA);
        ledger.fence(*a);
        EXPECT_NO_THROW(ledger.saveJob(job("C1")));
    }
    // Without the keeper the lease lapses; B takes it; a keeper started on A's stale holding
    // finds it lost at its first renewal.
    sleepMs(400);
    ASSERT_TRUE(store::Leases(*replicaB).tryAcquire(kLease, 60000, "replica-b"));
    store::LeaseKeeper stale(*replicaA, *a, std::chrono::milliseconds(20));
    for (int i = 0; i < 100 && !stale.lost(); ++i) sleepMs(20);
    EXPECT_TRUE(stale.lost());
    EXPECT_THROW(stale.check(), store::LeaseLostError);
}

// A real process holds the lease with a keeper and writes a ledger step every few ms. It is
// stopped (SIGSTOP) past its lease, this process takes over, and the child is continued: its
// keeper and its next write both find the lease lost, and nothing it tries reaches the ledger.
TEST_P(LeaseFencing, AProcessPausedPastItsLeaseWritesNothingWhenItWakes) {
    const std::int64_t kTtlMs = 400;
    {
        auto s = open();  // creates the schema before the child opens it
        store::Ledger(*s).saveJob(job("step-0"));
    }
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    if (child == 0) {
        ::close(ready[0]);
        int code = 3;
        try {
            auto s = open();
            auto fence = store::Leases(*s).acquire(kLease, kTtlMs, "replica-child");
            if (!fence) ::_exit(2);
            store::LeaseKeeper keeper(*s, *fence);
            store::Ledger ledger(*s);
            ledger.fence(*fence);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            for (int step = 1; std::chrono::steady_clock::now() < deadline; ++step) {
                ledger.saveJob(job("step-" + std::to_string(step)));
                if (step == 3 && ::write(ready[1], "r", 1) != 1) ::_exit(4);
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            code = 5;  // never refused
        } catch (const store::LeaseLostError&) {
            code = 7;
        } catch (...) {
            code = 6;
        }
        ::_exit(code);
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the child took the lease and wrote";
    ::close(ready[0]);

    // The child may be stopped inside a write transaction, holding the database's write lock
    // until it runs again; then it is continued for a moment and stopped again.
    auto replica = open(500);
    std::optional<store::LeaseFence> taken;
    std::string cursorAtTakeover;
    for (int attempt = 0; attempt < 10 && !taken; ++attempt) {
        ASSERT_EQ(::kill(child, SIGSTOP), 0);
        sleepMs(static_cast<int>(kTtlMs) + 300);
        try {
            taken = store::Leases(*replica).acquire(kLease, 60000, "replica-parent");
            ASSERT_TRUE(taken) << "the paused child's lease expired";
            cursorAtTakeover = store::Ledger(*replica).job("fp", "job-1")->itemsCursor;
        } catch (const StoreError&) {
            ::kill(child, SIGCONT);
            sleepMs(30);
        }
    }
    ASSERT_TRUE(taken) << "could not stop the child outside a write transaction";
    EXPECT_NE(cursorAtTakeover, "step-0");
    ASSERT_EQ(::kill(child, SIGCONT), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 7) << "7 = refused by the fence; 5 = never refused; 6 = another error";
    EXPECT_EQ(store::Ledger(*replica).job("fp", "job-1")->itemsCursor, cursorAtTakeover)
        << "the woken process wrote a ledger step after it lost its lease";
    store::LeaseHolder h;
    ASSERT_TRUE(store::Leases(*replica).current(kLease, h));
    EXPECT_EQ(h.holder, "replica-parent");
    EXPECT_EQ(h.token, taken->token) << "the woken keeper did not renew or retake the lease";
}
