// The host identity of leases: LEDGERBRIDGE_REPLICA_ID replaces the node name, process ids are
// judged only for holders with this identity, and a holder on another host is replaced only when
// its lease expires. The identity is fixed when a process first asks for it, so the check runs
// in a fresh process: this test binary again, with the variable set.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "TempDir.h"
#include "ledgerbridge/store/Leases.h"

using namespace ledgerbridge;

namespace {

/// Leaves a lease held by a process that then dies without releasing it (kill -9).
void leaseOfADeadProcess(store::StateStore& s, const std::string& name) {
    pid_t child = ::fork();
    if (child == 0) ::_exit(store::Leases(s).tryAcquire(name, 3600000, "dead-holder") ? 0 : 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace

TEST(LeaseIdentity, TheReplicaIdNamesTheHostAndPidsAreJudgedOnlyOnIt) {
    if (std::getenv("LB_LEASE_IDENTITY_CHILD") == nullptr) {
        pid_t child = ::fork();
        if (child == 0) {
            ::setenv("LEDGERBRIDGE_REPLICA_ID", "ledgerbridge-7f9c-pod-2", 1);
            ::setenv("LB_LEASE_IDENTITY_CHILD", "1", 1);
            ::execl("/proc/self/exe", "store_tests", "--gtest_filter=LeaseIdentity.*", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "the check in the fresh process failed (its output is above)";
        return;
    }
    EXPECT_EQ(store::Leases::hostIdentity(), "ledgerbridge-7f9c-pod-2");
    EXPECT_EQ(store::Leases::selfHolder().rfind("ledgerbridge-7f9c-pod-2:" + std::to_string(::getpid()) + ":", 0), 0U)
        << store::Leases::selfHolder();

    TempDir dir;
    store::StateStore s(dir.str());
    store::Leases leases(s);
    leaseOfADeadProcess(s, "run:here");
    EXPECT_TRUE(leases.tryAcquire("run:here", 60000, "replica-b")) << "a dead process on this replica: freed at once";

    leaseOfADeadProcess(s, "run:there");
    // The same row as written by a replica with another identity: its pid means nothing here.
    s.transaction([](store::Session& db) { db.exec("UPDATE leases SET host = 'ledgerbridge-7f9c-pod-1' WHERE name = 'run:there'"); });
    EXPECT_FALSE(leases.tryAcquire("run:there", 60000, "replica-b")) << "another host's holder waits for its expiry";
    store::LeaseHolder h;
    ASSERT_TRUE(leases.current("run:there", h));
    EXPECT_EQ(h.host, "ledgerbridge-7f9c-pod-1");
}
