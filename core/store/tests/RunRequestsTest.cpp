// Run requests between replicas: a replica asked for a run while another holds the
// connection's lease records it; the holder (or whoever next finds the lease free) sees it in
// one query, and clearing it at the start of the run that serves it removes it.
#include <gtest/gtest.h>

#include "StoreBackends.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/RunRequests.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(RunRequests);

namespace {
std::vector<std::string> names(const std::vector<store::RunRequest>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.connection);
    return out;
}
}  // namespace

TEST_P(RunRequests, ARequestGoesToTheLeaseHolderOrToAnyoneWhenTheLeaseIsFree) {
    auto replicaA = open();
    auto replicaB = open();
    ASSERT_TRUE(store::Leases(*replicaA).tryAcquire("run:acme", 60000, "replica-a"));
    store::RunRequests atB(*replicaB);
    atB.record("acme", "run:acme", "webhook");
    atB.record("acme", "run:acme", "manual");  // coalesces with the first
    atB.record("beta", "run:beta", "webhook");  // a lease never taken

    auto forB = atB.actionable("replica-b");
    EXPECT_EQ(names(forB), std::vector<std::string>{"beta"}) << "acme's lease is held by replica-a";
    auto forA = store::RunRequests(*replicaA).actionable("replica-a");
    ASSERT_EQ(names(forA), (std::vector<std::string>{"acme", "beta"}));
    EXPECT_EQ(forA[0].reason, "webhook") << "the first request is kept";
    EXPECT_GT(forA[0].requestedAt, 0);

    store::Leases(*replicaA).release("run:acme", "replica-a");
    EXPECT_EQ(names(atB.actionable("replica-b")), (std::vector<std::string>{"acme", "beta"}))
        << "a released lease: whoever takes it next runs the request";
    atB.clear("acme");
    EXPECT_EQ(names(atB.actionable("replica-b")), std::vector<std::string>{"beta"});
    atB.clear("beta");
    EXPECT_TRUE(atB.actionable("replica-a").empty());
}

TEST_P(RunRequests, ARequestWhoseLeaseExpiredIsActionableForEveryone) {
    auto s = open();
    ASSERT_TRUE(store::Leases(*s).tryAcquire("run:acme", -1, "replica-a"));  // a dead replica's, expired
    store::RunRequests(*s).record("acme", "run:acme", "webhook");
    EXPECT_EQ(names(store::RunRequests(*s).actionable("replica-c")), std::vector<std::string>{"acme"});
}
