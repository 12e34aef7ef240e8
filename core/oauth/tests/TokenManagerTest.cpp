// TokenManager against an in-process fake token endpoint: proactive and reactive refresh,
// single-flight across threads, adopting another writer's refresh, invalid_grant handling.
// (Cross-process behaviour and crashes are tested against the simulator in OAuthSimulatorTest.)
#include <gtest/gtest.h>

#include <Poco/TemporaryFile.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "FakeAuthorizationServer.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/oauth/TokenManager.h"
#include "ledgerbridge/store/Grants.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;

namespace {

class TokenManagerTest : public ::testing::Test {
protected:
    Poco::TemporaryFile dir_;
    std::unique_ptr<store::StateStore> store_;
    TokenCrypto crypto_{randomBytes(32)};
    fakes::FakeAuthorizationServer server_;
    std::unique_ptr<AuthorizationServerClient> client_;
    GrantKey key_{"acme", "0123456789abcdef0123456789abcdef", "issuer https://auth.example", "pleo"};

    void SetUp() override {
        dir_.createDirectories();
        store_ = std::make_unique<store::StateStore>(dir_.path() + "/state");
        client_ = std::make_unique<AuthorizationServerClient>(
            Endpoints::fromIssuer("https://auth.example"),
            ClientCredentials{"client", [] { return std::string("client-secret-value"); }, "test"}, server_);
    }

    /// A grant whose access token expires at `accessExpiresAt` and was issued `lifetimeMs`
    /// before that (an hour-long token by default).
    void storeGrant(std::int64_t accessExpiresAt, std::int64_t lifetimeMs = 3600 * 1000) {
        SealContext ctx{key_.connection, key_.fingerprint, key_.kind};
        store::GrantRecord g;
        g.connection = key_.connection;
        g.fingerprint = key_.fingerprint;
        g.accessToken = crypto_.seal("access-initial", ctx);
        g.refreshToken = crypto_.seal(server_.currentRefresh, ctx);
        g.accessExpiresAt = accessExpiresAt;
        g.obtainedAt = accessExpiresAt - lifetimeMs;
        store::Grants(*store_).put(g);
    }

    TokenManager manager() { return TokenManager(key_, *client_, *store_, crypto_); }
};

}  // namespace

TEST_F(TokenManagerTest, AValidTokenIsUsedWithoutRefreshing) {
    storeGrant(store::nowMs() + 3600 * 1000);
    auto m = manager();
    EXPECT_EQ(m.authorizationHeader(), "Bearer access-initial");
    EXPECT_EQ(server_.requests.load(), 0);
}

TEST_F(TokenManagerTest, TheRefreshMarginIsAQuarterOfTheLifetimeAndAtMostAMinute) {
    auto m = manager();
    EXPECT_EQ(m.refreshMarginMs(60 * 1000), 15 * 1000) << "a 60-second token is used for 45 seconds";
    EXPECT_EQ(m.refreshMarginMs(4 * 1000), 1000);
    EXPECT_EQ(m.refreshMarginMs(900 * 1000), 60 * 1000) << "a 15-minute token: the fixed minute";
    EXPECT_EQ(m.refreshMarginMs(0), 60 * 1000) << "an unknown lifetime: the fixed minute";
}

TEST_F(TokenManagerTest, TheRefreshLeaseIsDerivedFromTheTokenTimeout) {
    auto t = TokenManager::leaseTiming(std::chrono::seconds(30));
    EXPECT_EQ(t.ttlMs, 45 * 1000) << "the timeout plus 15 s";
    EXPECT_EQ(t.waitMs, 75 * 1000) << "a second refresher waits out a connect and an answer, each up to the timeout";
    t = TokenManager::leaseTiming(std::chrono::seconds(120));
    EXPECT_EQ(t.ttlMs, 135 * 1000);
    EXPECT_EQ(t.waitMs, 255 * 1000);
}

TEST_F(TokenManagerTest, AFreshShortLivedTokenIsUsedAndNotRefreshed) {
    storeGrant(store::nowMs() + 60 * 1000, 60 * 1000);  // just issued for 60 s: 45 s before its margin
    auto m = manager();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(m.authorizationHeader(), "Bearer access-initial");
    EXPECT_EQ(server_.requests.load(), 0);
}

TEST_F(TokenManagerTest, ATokenNearExpiryIsRefreshedFirstAndTheNewPairIsStored) {
    storeGrant(store::nowMs() + 30 * 1000);  // an hour-long token with 30 s left: inside the 60 s margin
    auto m = manager();
    EXPECT_EQ(m.authorizationHeader(), "Bearer access-1-token");
    EXPECT_EQ(server_.refreshes.load(), 1);
    auto g = store::Grants(*store_).find(key_.connection, key_.fingerprint);
    ASSERT_TRUE(g);
    SealContext ctx{key_.connection, key_.fingerprint, key_.kind};
    EXPECT_EQ(crypto_.open(g->refreshToken, ctx), server_.currentRefresh) << "rotated token committed";
    EXPECT_EQ(crypto_.open(g->accessToken, ctx), "access-1-token");
    EXPECT_GT(g->lastRefreshAt, 0);
}

TEST_F(TokenManagerTest, ManyThreadsReportingTheSame401RefreshExactlyOnce) {
    storeGrant(store::nowMs() + 3600 * 1000);
    std::vector<std::unique_ptr<TokenManager>> managers;
    for (int i = 0; i < 8; ++i) managers.push_back(std::make_unique<TokenManager>(key_, *client_, *store_, crypto_));
    std::string rejected = managers[0]->authorizationHeader();
    for (auto& m : managers) ASSERT_EQ(m->authorizationHeader(), rejected);
    std::vector<std::string> got(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] { got[static_cast<std::size_t>(i)] = managers[static_cast<std::size_t>(i)]->onUnauthorized(rejected); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(server_.refreshes.load(), 1);
    EXPECT_EQ(server_.replays.load(), 0);
    for (const auto& h : got) EXPECT_EQ(h, "Bearer access-1-token");
}

TEST_F(TokenManagerTest, ARefreshByAnotherWriterIsAdoptedInsteadOfRepeated) {
    storeGrant(store::nowMs() + 3600 * 1000);
    auto a = manager();
    auto b = manager();
    std::int64_t before = a.currentGeneration();
    a.refresh(before);
    EXPECT_EQ(b.refresh(before), before + 1) << "b asked to refresh generation `before`, which is gone";
    EXPECT_EQ(server_.refreshes.load(), 1);
    EXPECT_EQ(b.authorizationHeader(), "Bearer access-1-token");
}

TEST_F(TokenManagerTest, InvalidGrantMarksTheConnectionAndIsNeverRetried) {
    storeGrant(store::nowMs() + 3600 * 1000);
    server_.revoked = true;
    auto m = manager();
    std::string expected =
        "Connection 'acme' needs re-authorisation: the authorization server refused its refresh token (invalid_grant "
        "(the server said: The grant was revoked.)). Run `ledgerbridge auth login --connection acme` to grant access again.";
    try {
        m.refresh();
        FAIL() << "expected ReauthorizationRequired";
    } catch (const ReauthorizationRequired& e) {
        EXPECT_EQ(std::string(e.what()), expected);
        EXPECT_EQ(e.exitCode(), ExitCode::NeedsReauthorization);
    }
    EXPECT_EQ(server_.requests.load(), 1);
    auto g = store::Grants(*store_).find(key_.connection, key_.fingerprint);
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->needsReauth);
    EXPECT_TRUE(g->refreshToken.empty()) << "tokens are erased";
    // Every later use fails at once, without asking the server again.
    EXPECT_THROW(m.authorizationHeader(), ReauthorizationRequired);
    EXPECT_THROW(m.onUnauthorized("Bearer access-initial"), ReauthorizationRequired);
    EXPECT_EQ(server_.requests.load(), 1);
}

TEST_F(TokenManagerTest, AConnectionWithoutAGrantSaysWhichCommandToRun) {
    auto m = manager();
    try {
        m.authorizationHeader();
        FAIL();
    } catch (const AuthError& e) {
        EXPECT_NE(std::string(e.what()).find("Run `ledgerbridge auth login --connection acme` first."), std::string::npos)
            << e.what();
    }
}

TEST_F(TokenManagerTest, AGrantFromAnotherEnvironmentIsNeverUsed) {
    storeGrant(store::nowMs() + 3600 * 1000);
    GrantKey production = key_;
    production.fingerprint = "ffffffffffffffffffffffffffffffff";
    production.fingerprintDescription = "issuer https://auth.pleo.io";
    TokenManager m(production, *client_, *store_, crypto_);
    EXPECT_THROW(m.authorizationHeader(), EnvironmentMismatchError);
    EXPECT_EQ(server_.requests.load(), 0);
}

TEST_F(TokenManagerTest, HundredRotationsInARowNeverPresentAnOldRefreshToken) {
    storeGrant(store::nowMs() + 3600 * 1000);
    auto m = manager();
    for (int i = 0; i < 100; ++i) m.refresh();
    EXPECT_EQ(server_.refreshes.load(), 100);
    EXPECT_EQ(server_.replays.load(), 0);
    EXPECT_FALSE(server_.revoked);
}

// A long-running service rotates tokens all day: every refresh registers a new access and
// refresh token with the redactor. Those that can no longer appear are forgotten, so the
// registry stays the size of what is live, and the current tokens are still redacted in every
// form. The redactor's clock is moved 20 minutes per refresh (a week and more of rotations).
TEST_F(TokenManagerTest, ThousandsOfRotationsKeepTheRedactorBoundedAndTheLiveTokensRedacted) {
    Redactor::global().clearForTesting();
    auto fakeNow = Redactor::Clock::now();
    Redactor::global().setClockForTesting([&fakeNow] { return fakeNow; });
    storeGrant(store::nowMs() + 3600 * 1000);
    auto m = manager();
    std::size_t largest = 0;
    const int rotations = 2000;
    for (int i = 0; i < rotations; ++i) {
        m.refresh();
        largest = std::max(largest, Redactor::global().size());
        fakeNow += std::chrono::minutes(20);
    }
    const std::string access = "access-" + std::to_string(rotations) + "-token";
    const std::string refreshToken = server_.currentRefresh;
    EXPECT_EQ(m.authorizationHeader(), "Bearer " + access);
    const std::size_t live = Redactor::global().size();
    Redactor::global().setClockForTesting({});
    // Live: the client secret, the token key (none here), the last few access and refresh tokens.
    EXPECT_LE(largest, 40u) << "the registry grows with rotations";
    EXPECT_LE(live, 40u);
    EXPECT_EQ(redact("Authorization: Bearer " + access), "Authorization: Bearer ***");
    EXPECT_EQ(redact("refresh_token=" + refreshToken), "refresh_token=***");
    EXPECT_EQ(redact("{\"access_token\":\"" + access + "\"}"), "{\"access_token\":\"***\"}");
    EXPECT_EQ(redact("client_secret=client-secret-value"), "client_secret=***");
    EXPECT_EQ(redact("old access-17-token"), "old access-17-token") << "expired long ago: forgotten";
    Redactor::global().clearForTesting();
}
