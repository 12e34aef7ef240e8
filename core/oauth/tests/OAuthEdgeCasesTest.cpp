// OAuth edge cases against an independent authorization server (RotatingAuthorizationServer:
// rotates refresh tokens, revokes the grant on a replay, stalls or drops an answer on request,
// refuses a wrong client secret), each through the real client: the library in this process
// for counting token requests over many API calls, and the `ledgerbridge` CLI as processes for
// exit codes, messages and the cross-process refresh lease.
//
// The stall test uses the real 90 seconds of the issue with token_timeout = 120s: the stall
// must outlast the old 60-second lease for the test to show that the lease now outlives the
// request, and the timeout must outlast the stall for the answer to arrive at all.
#include <gtest/gtest.h>

#include <Poco/TemporaryFile.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "RotatingAuthorizationServer.h"
#include "SimHarness.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/store/Grants.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;
using simtest::binary;
using simtest::LiveProcess;
using simtest::ProcessResult;
using testas::RotatingAuthorizationServer;
using Steady = std::chrono::steady_clock;

namespace {

class OAuthEdgeCases : public ::testing::Test {
protected:
    const std::string secret_ = "as-client-secret-" + base64UrlEncode(randomBytes(12));
    RotatingAuthorizationServer server_{"edge-client", secret_};
    Poco::TemporaryFile dir_;
    std::string configPath_;
    std::vector<std::string> outputs_;  // every CLI stdout/stderr, scanned for secrets
    std::vector<std::string> secrets_{secret_};

    void SetUp() override { dir_.createDirectories(); }

    void TearDown() override {
        for (const auto& o : outputs_)
            for (const auto& s : secrets_) EXPECT_EQ(o.find(s), std::string::npos) << "a secret appears in CLI output";
    }

    /// Writes the installation (custom profile on the server, token key, connection acme) and
    /// stores a fresh grant the server issued, as a login would. Returns the loaded config.
    config::Config install(const std::string& tokenTimeout = "") { return install(tokenTimeout, server_.baseUrl(), ""); }
    /// `authUrl` and `extraProfileLines` ("key = value\n") replace the server's address.
    config::Config install(const std::string& tokenTimeout, const std::string& authUrl,
                           const std::string& extraProfileLines) {
        configPath_ = dir_.path() + "/ledgerbridge.ini";
        std::ofstream(dir_.path() + "/client-secret") << secret_ << "\n";
        ::chmod((dir_.path() + "/client-secret").c_str(), 0600);
        std::ofstream(configPath_) << "environment = local\n\n[state]\ndir = " << dir_.path()
                                   << "/state\ntoken_key = file:" << dir_.path() << "/token.key\n\n[environment.local]\n"
                                   << "auth_url = " << authUrl << "\napi_url = " << server_.baseUrl()
                                   << "\nallow_http = true\nclient_id = edge-client\nclient_secret = file:" << dir_.path()
                                   << "/client-secret\nscopes = export:read export:write\n"
                                   << (tokenTimeout.empty() ? "" : "token_timeout = " + tokenTimeout + "\n")
                                   << extraProfileLines
                                   << "\n[connection.acme]\ncompany_id = 3f1c2e4a-9b7d-4c1e-8f2a-6d5b4c3a2e1f\nplugin = csv\n";
        config::Config cfg = config::loadConfigOrThrow(configPath_, {}, false);
        TokenCrypto crypto(loadTokenKey(cfg.tokenKey, /*create=*/true));
        auto [access, refresh] = server_.issueGrant();
        secrets_.push_back(access);
        secrets_.push_back(refresh);
        const GrantKey key = grantKeyFor(cfg, cfg.connection("acme"));
        const SealContext ctx{key.connection, key.fingerprint, key.kind};
        store::GrantRecord g;
        g.connection = key.connection;
        g.fingerprint = key.fingerprint;
        g.clientId = "edge-client";
        g.scopes = "export:read export:write";
        g.accessToken = crypto.seal(access, ctx);
        g.refreshToken = crypto.seal(refresh, ctx);
        g.obtainedAt = store::nowMs();
        g.accessExpiresAt = g.obtainedAt + 1000LL * lifetimeSeconds_;
        store::StateStore store(cfg.stateDir);
        store::Grants(store).put(g);
        return cfg;
    }

    int lifetimeSeconds_ = 900;
    void lifetime(int seconds) {
        lifetimeSeconds_ = seconds;
        server_.setAccessLifetime(seconds);
    }

    std::vector<std::string> withConfig(std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", configPath_});
        return args;
    }

    ProcessResult cli(std::vector<std::string> args) {
        ProcessResult r = simtest::run(binary("ledgerbridge"), withConfig(std::move(args)));
        outputs_.push_back(r.out);
        outputs_.push_back(r.err);
        return r;
    }

    ProcessResult finish(LiveProcess& p) {
        ProcessResult r = p.finish();
        outputs_.push_back(r.out);
        outputs_.push_back(r.err);
        return r;
    }

    /// One call of the protected resource as an API client makes it: the source's header, and
    /// on 401 one refresh (onUnauthorized) and one retry. Returns the final status.
    int ping(AuthorizationSource& source, HttpTransport& transport) {
        HttpRequest req;
        req.url = server_.baseUrl() + "/api/ping";
        req.headers = {{"Authorization", source.authorizationHeader()}};
        HttpResponse r = transport.send(req);
        if (r.status == 401) {
            req.headers = {{"Authorization", source.onUnauthorized(req.headers[0].second)}};
            r = transport.send(req);
        }
        return r.status;
    }

    std::optional<store::GrantRecord> grant(const config::Config& cfg) {
        store::StateStore store(cfg.stateDir);
        return store::Grants(store).find("acme", grantKeyFor(cfg, cfg.connection("acme")).fingerprint);
    }
};

/// The command ended with `code` and its standard error says `says`.
void expectFailure(const ProcessResult& r, int code, const std::string& says) {
    EXPECT_EQ(r.exitCode, code) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << "expected: " << says << "\nstderr: " << r.err;
}

double secondsSince(Steady::time_point start) {
    return std::chrono::duration<double>(Steady::now() - start).count();
}

}  // namespace

// ---- 1. the refresh margin follows the token's lifetime -----------------------------------

TEST_F(OAuthEdgeCases, SixtySecondTokensServeManyApiCallsWithoutARefreshEach) {
    lifetime(60);
    config::Config cfg = install();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "acme", store);
    for (int i = 0; i < 300; ++i) ASSERT_EQ(ping(auth.source(), auth.transport()), 200) << "call " << i;
    auto c = server_.counts();
    EXPECT_EQ(c.tokenRequests, 0) << "a fresh 60-second token needs no refresh (a fixed 60 s margin refreshed before every call)";
    EXPECT_EQ(c.apiAccepted, 300);
    EXPECT_EQ(c.apiRefused, 0);
}

TEST_F(OAuthEdgeCases, ShortLivedTokensAreRefreshedOnceEachShortlyBeforeTheyExpire) {
    lifetime(4);  // margin: a quarter of 4 s, so each token serves about 3 s
    config::Config cfg = install();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "acme", store);
    const std::int64_t generation = grant(cfg)->generation;
    const auto start = Steady::now();
    int calls = 0;
    while (secondsSince(start) < 10.0) {
        ASSERT_EQ(ping(auth.source(), auth.transport()), 200) << "call " << calls;
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const double elapsed = secondsSince(start);
    auto c = server_.counts();
    // One rotation per ~3 s of use: 3 in 10 s (2 or 4 when the machine is slow at the edges).
    EXPECT_GE(c.rotations, 2) << "over " << elapsed << " s";
    EXPECT_LE(c.rotations, static_cast<int>(elapsed / 3.0) + 1) << "over " << elapsed << " s and " << calls << " calls";
    EXPECT_EQ(c.tokenRequests, c.rotations) << "every token request is one rotation: never two per refresh";
    EXPECT_EQ(c.replays, 0);
    EXPECT_EQ(c.apiRefused, 0) << "no call was sent with an expired token";
    EXPECT_EQ(c.apiAccepted, calls);
    EXPECT_EQ(grant(cfg)->generation, generation + c.rotations);
}

// ---- 2. the cross-process refresh lease outlives the token request -------------------------

TEST_F(OAuthEdgeCases, ASecondProcessWaitsOutANinetySecondStallAndNeverReplaysTheRefreshToken) {
    config::Config cfg = install("120s");
    server_.stallNextRefresh(90);
    const auto start = Steady::now();
    LiveProcess first(binary("ledgerbridge"), withConfig({"auth", "refresh", "--connection", "acme"}));
    ASSERT_TRUE(server_.waitForTokenRequests(1, std::chrono::seconds(20))) << "the first refresh never arrived";
    LiveProcess second(binary("ledgerbridge"), withConfig({"auth", "refresh", "--connection", "acme"}));
    // Past the old 60-second lease, the second process still has not sent anything.
    std::this_thread::sleep_for(std::chrono::seconds(70));
    EXPECT_EQ(server_.counts().tokenRequests, 1) << "the second process sent a token request while the first waited";
    ProcessResult a = finish(first);
    ProcessResult b = finish(second);
    EXPECT_GE(secondsSince(start), 90.0);
    EXPECT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(b.exitCode, 0) << b.err;
    EXPECT_NE(b.out.find("Connection 'acme': access token refreshed and verified"), std::string::npos) << b.out;
    auto c = server_.counts();
    EXPECT_EQ(c.tokenRequests, 1) << "the second process used the tokens the first stored";
    EXPECT_EQ(c.rotations, 1);
    EXPECT_EQ(c.replays, 0);
    EXPECT_FALSE(server_.grantRevoked());
    EXPECT_FALSE(grant(cfg)->needsReauth);
}

// ---- 3. failures said as what they are ----------------------------------------------------

TEST_F(OAuthEdgeCases, ATimedOutRefreshStatesTheConfiguredTimeoutAndNoProcessSendsTheTokenAgain) {
    config::Config cfg = install("3s");
    server_.stallNextRefresh(60);  // rotates at once, answers long after the 3 s timeout
    const auto start = Steady::now();
    LiveProcess first(binary("ledgerbridge"), withConfig({"auth", "refresh", "--connection", "acme"}));
    ASSERT_TRUE(server_.waitForTokenRequests(1, std::chrono::seconds(20)));
    LiveProcess second(binary("ledgerbridge"), withConfig({"auth", "refresh", "--connection", "acme"}));
    ProcessResult a = finish(first);
    const double took = secondsSince(start);
    ProcessResult b = finish(second);
    EXPECT_GE(took, 3.0);
    EXPECT_LT(took, 30.0) << "the configured 3 s, not a built-in timeout";
    expectFailure(a, 4, "Connection 'acme' needs re-authorisation: its token refresh reached the authorization server "
                         "but the answer was lost (no answer came within 3 seconds; token_timeout of "
                         "[environment.local] is 3s), so the refresh token it sent is spent if the server rotated it");
    EXPECT_NE(a.err.find("Run `ledgerbridge auth login --connection acme`"), std::string::npos) << a.err;
    expectFailure(b, 4, "needs re-authorisation");
    auto c = server_.counts();
    EXPECT_EQ(c.tokenRequests, 1) << "neither process presented the spent refresh token again";
    EXPECT_EQ(c.replays, 0);
}

TEST_F(OAuthEdgeCases, AnAnswerLostAfterTheServerRotatedSaysTheTokenIsSpentAndToReauthorise) {
    config::Config cfg = install();
    server_.dropNextRefreshAnswer();
    ProcessResult r = cli({"auth", "refresh", "--connection", "acme"});
    expectFailure(r, 4, "Connection 'acme' needs re-authorisation: its token refresh reached the authorization server "
                         "but the answer was lost (the connection failed (");
    EXPECT_NE(r.err.find("so the refresh token it sent is spent if the server rotated it; it is not sent again"),
              std::string::npos)
        << r.err;
    ProcessResult status = cli({"auth", "status", "--connection", "acme", "--local"});
    EXPECT_EQ(status.exitCode, 4);
    EXPECT_NE(status.out.find("acme (local): needs re-authorisation"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("but the answer was lost"), std::string::npos) << status.out;
    ProcessResult again = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(again.exitCode, 4) << again.err;
    auto c = server_.counts();
    EXPECT_EQ(c.rotations, 1);
    EXPECT_EQ(c.tokenRequests, 1) << "the spent refresh token was not sent again";
    EXPECT_EQ(c.replays, 0);
}

TEST_F(OAuthEdgeCases, ARefreshThatCouldNotBeSentLeavesTheGrantUsable) {
    // The issuer's name resolves to an address where nothing listens (the environment, and so
    // the grant's fingerprint, stays the same when the address is corrected).
    const std::string port = server_.baseUrl().substr(server_.baseUrl().rfind(':') + 1);
    const std::string issuer = "http://as.test:" + port, nowhere = "as.test:" + port + ":127.0.0.2";
    config::Config cfg = install("", issuer, "resolve = " + nowhere + "\n");
    ProcessResult r = cli({"auth", "refresh", "--connection", "acme"});
    expectFailure(r, 1, "Could not connect to " + issuer + " (Connection refused)");
    EXPECT_FALSE(grant(cfg)->needsReauth) << "nothing was sent, so the refresh token is not spent";
    {  // the same grant, the token endpoint reachable again
        std::ifstream in(configPath_);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        text.replace(text.find(nowhere), nowhere.size(), "as.test:" + port + ":127.0.0.1");
        std::ofstream(configPath_, std::ios::trunc) << text;
    }
    ProcessResult again = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(again.exitCode, 0) << again.err;
    EXPECT_EQ(server_.counts().rotations, 1);
    EXPECT_EQ(server_.counts().replays, 0);
}

TEST_F(OAuthEdgeCases, AWrongClientSecretIsAConfigurationErrorAndTheGrantSurvivesIt) {
    config::Config cfg = install();
    server_.setClientSecret("the-secret-the-server-now-expects");
    ProcessResult r = cli({"auth", "refresh", "--connection", "acme"});
    expectFailure(r, 2, "The authorization server refused the client credentials during token refresh "
                         "(invalid_client): client_id 'edge-client' or its client_secret is wrong. Check "
                         "client_id/client_secret in [environment.local]");
    EXPECT_EQ(r.err.find("re-authoris"), std::string::npos) << "logging in again would not help: " << r.err;
    EXPECT_FALSE(grant(cfg)->needsReauth) << "the server refused the client before it read the refresh token";

    ProcessResult status = cli({"auth", "status", "--connection", "acme"});
    EXPECT_EQ(status.exitCode, 2) << status.out << status.err;
    EXPECT_NE(status.out.find("acme (local): authorised"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("  client:       refused: The authorization server refused the client credentials during "
                              "token introspection (invalid_client)"),
              std::string::npos)
        << status.out;

    server_.setClientSecret(secret_);  // the operator fixes the secret
    ProcessResult fixed = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(fixed.exitCode, 0) << fixed.err;
    ProcessResult ok = cli({"auth", "status", "--connection", "acme"});
    EXPECT_NE(ok.out.find("  client:       accepted"), std::string::npos) << ok.out;
    auto c = server_.counts();
    EXPECT_EQ(c.rotations, 1);
    EXPECT_EQ(c.replays, 0);
    EXPECT_GE(c.invalidClient, 2) << "the refresh and the status check were both refused";
}
