// Grants: stored per connection and fingerprint, compare-and-swap refresh, re-authorisation.
#include <gtest/gtest.h>

#include "StoreBackends.h"
#include "ledgerbridge/store/Grants.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(Grants);

namespace {
store::GrantRecord sample(const std::string& fp) {
    store::GrantRecord g;
    g.connection = "acme";
    g.fingerprint = fp;
    g.subject = "urn:pleo:company:6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90";
    g.scopes = "export:read export:write";
    g.clientId = "client";
    g.accessToken = std::string("sealed\0access", 13);
    g.refreshToken = "sealed-refresh";
    g.accessExpiresAt = 1000;
    return g;
}
}  // namespace

TEST_P(Grants, PutFindAndIsolationByFingerprint) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Grants grants(s);
    grants.put(sample("staging-fp"));
    auto g = grants.find("acme", "staging-fp");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->accessToken, std::string("sealed\0access", 13)) << "binary-safe";
    EXPECT_EQ(g->generation, 1);
    EXPECT_FALSE(grants.find("acme", "production-fp")) << "a staging grant never answers for production";
    EXPECT_EQ(grants.findAnyEnvironment("acme").size(), 1u);
}

TEST_P(Grants, CommitRefreshIsCompareAndSwapOnGeneration) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Grants grants(s);
    grants.put(sample("fp"));
    auto g = *grants.find("acme", "fp");
    store::GrantRecord next = g;
    next.accessToken = "a2";
    next.refreshToken = "r2";
    EXPECT_TRUE(grants.commitRefresh(next, g.generation));
    next.accessToken = "a3";
    EXPECT_FALSE(grants.commitRefresh(next, g.generation)) << "a stale writer must not overwrite a newer pair";
    auto now = *grants.find("acme", "fp");
    EXPECT_EQ(now.refreshToken, "r2");
    EXPECT_EQ(now.accessToken, "a2");
    EXPECT_EQ(now.generation, g.generation + 1);
}

TEST_P(Grants, NeedsReauthErasesTokensAndBlocksRefreshUntilLogin) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Grants grants(s);
    grants.put(sample("fp"));
    auto g = *grants.find("acme", "fp");
    grants.markNeedsReauth("acme", "fp", "pleo", "invalid_grant: refresh token revoked");
    auto after = *grants.find("acme", "fp");
    EXPECT_TRUE(after.needsReauth);
    EXPECT_EQ(after.reauthReason, "invalid_grant: refresh token revoked");
    EXPECT_TRUE(after.accessToken.empty());
    EXPECT_TRUE(after.refreshToken.empty());
    EXPECT_FALSE(grants.commitRefresh(g, after.generation));
    grants.put(sample("fp"));
    EXPECT_FALSE(grants.find("acme", "fp")->needsReauth) << "a new login clears it";
    EXPECT_TRUE(grants.erase("acme", "fp"));
    EXPECT_FALSE(grants.erase("acme", "fp"));
}
