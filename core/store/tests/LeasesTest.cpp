// Leases: exclusive across processes, renewable, released, and taken over from dead holders.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "StoreBackends.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Leases.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(Leases);
LB_ON_BOTH_BACKENDS(ScopedLease);

TEST_P(Leases, SecondHolderIsRefusedUntilRelease) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Leases leases(s);
    EXPECT_TRUE(leases.tryAcquire("run:acme", 60000, "a"));
    EXPECT_TRUE(leases.tryAcquire("run:acme", 60000, "a")) << "re-acquiring our own lease renews it";
    EXPECT_FALSE(leases.tryAcquire("run:acme", 60000, "b"));
    EXPECT_TRUE(leases.tryAcquire("run:other", 60000, "b")) << "leases are per name";
    leases.release("run:acme", "b");  // not b's: no effect
    EXPECT_FALSE(leases.tryAcquire("run:acme", 60000, "b"));
    leases.release("run:acme", "a");
    EXPECT_TRUE(leases.tryAcquire("run:acme", 60000, "b"));
}

TEST_P(Leases, ExpiredLeaseCanBeTaken) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Leases leases(s);
    EXPECT_TRUE(leases.tryAcquire("refresh:acme", -1, "a"));  // already expired
    EXPECT_TRUE(leases.tryAcquire("refresh:acme", 60000, "b"));
    EXPECT_FALSE(leases.renew("refresh:acme", 60000, "a"));
    EXPECT_TRUE(leases.renew("refresh:acme", 60000, "b"));
}

TEST_P(Leases, LeaseOfAProcessKilledWithoutCleanupIsFreedAtOnce) {
    open();  // creates the schema
    pid_t child = ::fork();
    if (child == 0) {
        auto opened = open();
        store::StateStore& s = *opened;
        store::Leases leases(s);
        bool ok = leases.tryAcquire("run:acme", 3600000);
        ::_exit(ok ? 0 : 1);  // dies holding the lease, like kill -9
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto opened = open();
        store::StateStore& s = *opened;
    store::Leases leases(s);
    store::LeaseHolder h;
    EXPECT_FALSE(leases.current("run:acme", h)) << "a dead local holder does not count";
    EXPECT_TRUE(leases.tryAcquire("run:acme", 60000));
}

TEST_P(Leases, ConcurrentProcessesNeverHoldTheSameLeaseTogether) {
    open();  // creates the schema
    // Each child repeatedly takes the lease, bumps a counter row while "inside", checks nobody
    // else was inside, and leaves. Any overlap makes a child exit 1.
    const int kChildren = 4;
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
        pid_t pid = ::fork();
        if (pid == 0) {
            auto opened = open();
        store::StateStore& s = *opened;
            store::Leases leases(s);
            std::string me = "child-" + std::to_string(c);
            int entered = 0;
            // Bounded by time, not tries: on a loaded machine another child may hold the lease
            // for many of our tries in a row.
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (entered < 10 && std::chrono::steady_clock::now() < deadline) {
                if (!leases.tryAcquire("single", 60000, me)) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    continue;
                }
                ++entered;
                s.transaction([&](store::Session& db) {
                    db.exec("CREATE TABLE IF NOT EXISTS inside (who TEXT)");
                    db.exec("INSERT INTO inside VALUES ('" + me + "')");
                });
                int inside = 0;
                s.read([&](store::Session& db) { inside = db.execAndGet("SELECT COUNT(*) FROM inside").getInt(); });
                s.transaction([&](store::Session& db) { db.exec("DELETE FROM inside WHERE who = '" + me + "'"); });
                leases.release("single", me);
                if (inside != 1) ::_exit(1);
            }
            ::_exit(entered > 0 ? 0 : 2);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "1 = two holders at once, 2 = never acquired";
    }
}

TEST_P(ScopedLease, ThrowsLockBusyNamingTheWorkAndHolder) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Leases leases(s);
    ASSERT_TRUE(leases.tryAcquire("run:acme", 60000, "someone-else"));
    try {
        store::ScopedLease lease(leases, "run:acme", 60000, 50, "an export run of connection 'acme'");
        FAIL() << "expected LockBusyError";
    } catch (const LockBusyError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("an export run of connection 'acme' is already in progress in another process", 0), 0u)
            << e.what();
    }
    leases.release("run:acme", "someone-else");
    {
        store::ScopedLease lease(leases, "run:acme", 60000, 50, "x");
        store::LeaseHolder h;
        EXPECT_TRUE(leases.current("run:acme", h));
        EXPECT_EQ(h.holder, store::Leases::selfHolder());
    }
    store::LeaseHolder h;
    EXPECT_FALSE(leases.current("run:acme", h)) << "released when the scope ends";
}
