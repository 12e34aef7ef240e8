// The master-data sync's memory (per connection, fingerprint, kind and ERP id) and its history.
#include <gtest/gtest.h>

#include <algorithm>

#include "StoreBackends.h"
#include "ledgerbridge/store/MasterDataState.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(MasterDataState);
LB_ON_BOTH_BACKENDS(SyncHistory);

TEST_P(MasterDataState, KeepsRecordsPerConnectionFingerprintAndKind) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::MasterDataState acme(s, "acme", "fp-staging"), acmeProd(s, "acme", "fp-prod"), beta(s, "beta", "fp-staging");
    acme.put("account", "acc-1", {"h1", "p1"});
    acme.put("account", "acc-2", {"h2", "p2"});
    acme.put("tax_code", "t-1", {"h3", "p3"});
    acme.put("account", "acc-1", {"h1b", "p1"});  // replaced, not added
    auto accounts = acme.load("account");
    ASSERT_EQ(accounts.size(), 2u);
    EXPECT_EQ(accounts["acc-1"].hash, "h1b");
    EXPECT_EQ(accounts["acc-2"].pleoId, "p2");
    EXPECT_EQ(acme.load("tax_code").size(), 1u);
    EXPECT_TRUE(acmeProd.load("account").empty()) << "another environment's state never serves this one";
    EXPECT_TRUE(beta.load("account").empty());
    acme.erase("account", "acc-1");
    EXPECT_EQ(acme.load("account").count("acc-1"), 0u);
    EXPECT_EQ(acme.load("account").size(), 1u);
}

TEST_P(SyncHistory, LastSucceededSkipsFailuresDryRunsAndOtherEnvironments) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::SyncHistory h(s);
    EXPECT_FALSE(h.lastSucceeded("acme", "fp"));
    auto full = h.start("acme", "fp", true, false);
    h.finish(full, "completed_with_refusals", "{}");
    auto incremental = h.start("acme", "fp", false, false);
    h.finish(incremental, "ok", R"({"outcome":"ok"})");
    h.finish(h.start("acme", "fp", false, true), "ok", "{}");     // dry run
    h.finish(h.start("acme", "fp", true, false), "failed", "{}");  // failed
    h.finish(h.start("acme", "other-fp", true, false), "ok", "{}");
    h.start("acme", "fp", true, false);                              // unfinished (killed)
    auto last = h.lastSucceeded("acme", "fp");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->id, incremental);
    EXPECT_EQ(last->reportJson, R"({"outcome":"ok"})");
    auto lastFull = h.lastSucceeded("acme", "fp", true);
    ASSERT_TRUE(lastFull);
    EXPECT_EQ(lastFull->id, full);
    auto recent = h.recent(10, "acme");
    EXPECT_EQ(recent.size(), 6u);
    EXPECT_EQ(std::count_if(recent.begin(), recent.end(), [](const store::SyncRecord& r) { return r.finishedAt == 0; }), 1);
    EXPECT_TRUE(h.recent(10, "beta").empty());
}
