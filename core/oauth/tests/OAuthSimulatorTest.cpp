// The OAuth client against the real simulator over HTTPS (its generated CA trusted through
// ca_file, verification on): login headless and through the HTML consent page, the CLI,
// every login failure's exact message, 100 rotations without a replay, two processes
// refreshing at once, kill -9 inside the refresh, a token expiring in the middle of a paged
// read, and a scan of everything the run wrote for secrets.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "SimHarness.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/oauth/LoginFlow.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/store/Connections.h"
#include "ledgerbridge/store/Grants.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;
using namespace ledgerbridge::oauth::simtest;

namespace {

const std::string kLogin = "ledgerbridge auth login --connection acme";

class OAuthSim : public ::testing::Test {
protected:
    std::string secret_ = "sim-client-secret-" + base64UrlEncode(randomBytes(18));
    std::string redirect_ = "http://127.0.0.1:" + std::to_string(freePort()) + "/callback";
    std::unique_ptr<Simulator> sim_;
    std::string companyId_, companyUrn_;
    std::unique_ptr<Installation> inst_;
    std::set<std::string> secrets_;       // every value that must never be written anywhere
    std::size_t minimumSecrets_ = 3;      // the client secret and at least one token pair
    std::vector<std::string> outputs_;    // every stdout/stderr the CLI produced

    std::ostringstream logLines_;          // what this process logged (also written to the log file)

    void SetUp() override {
        log::configure(log::Level::Debug, log::Format::Json);
        log::setSink(&logLines_);
        start({"--auto-approve"});
    }

    void TearDown() override {
        log::setFile("");
        log::setSink(nullptr);
    }

    void start(std::vector<std::string> extra, const std::string& secretInFile = "",
               const std::string& redirectInConfig = "", const std::string& scopes = "export:read export:write") {
        sim_ = std::make_unique<Simulator>(redirect_, secret_, extra);
        auto companies = sim_->admin("GET", "/admin/companies")->getArray("data");
        companyId_ = companies->getObject(0)->getValue<std::string>("id");
        companyUrn_ = companies->getObject(0)->getValue<std::string>("urn");
        inst_ = std::make_unique<Installation>(*sim_, redirectInConfig.empty() ? redirect_ : redirectInConfig,
                                               secretInFile.empty() ? secret_ : secretInFile, companyId_, scopes);
        secrets_.insert(secret_);
        log::setFile(inst_->logPath());
    }

    /// Replaces `from` with `to` in the installation's config file.
    void editConfig(const std::string& from, const std::string& to) {
        std::ifstream in(inst_->configPath());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
        std::ofstream(inst_->configPath(), std::ios::trunc) << text;
    }

    /// Runs the whole login in this process, playing the browser from the opener callback.
    LoginResult login(bool html = false, const std::function<void(const std::string&)>& browser = {}) {
        config::Config cfg = inst_->loadConfig();
        store::StateStore store(cfg.stateDir);
        ConnectionAuth auth(cfg, "acme", store, true);
        config::EnvironmentProfile asBrowser = cfg.activeProfile();  // same CA and resolve overrides
        asBrowser.allowHttp = true;
        auto b = std::make_unique<PocoHttpTransport>(asBrowser);
        LoginOptions o;
        o.timeout = std::chrono::seconds(20);
        // The browser plays on its own thread, as a real one does: the listener holds the
        // redirect's request open until the flow (on this thread) has the outcome.
        std::thread player;
        std::exception_ptr browserFailure;
        o.openBrowser = [&](const std::string& url) {
            player = std::thread([&, url] {
                try {
                    if (browser) browser(url);
                    else driveBrowser(*b, url, html, true, true);
                } catch (...) {
                    browserFailure = std::current_exception();
                }
            });
            return BrowserLaunch{true, "the test's browser", ""};
        };
        std::ostringstream out;
        LoginFlow flow(cfg, auth.connection(), auth.client(), store, auth.crypto(), out);
        LoginResult r;
        try {
            r = flow.run(o);
        } catch (...) {
            if (player.joinable()) player.join();
            throw;
        }
        if (player.joinable()) player.join();
        if (browserFailure) std::rethrow_exception(browserFailure);
        collectTokens();
        return r;
    }

    ExitCode lastLoginExit_ = ExitCode::Ok;  // the exit code of loginError()'s exception

    /// The login's AuthError message (fails the test when login succeeds).
    std::string loginError(bool html = false, const std::function<void(const std::string&)>& browser = {}) {
        try {
            login(html, browser);
        } catch (const Exception& e) {
            lastLoginExit_ = e.exitCode();
            return e.what();
        }
        ADD_FAILURE() << "the login succeeded";
        return {};
    }

    ProcessResult cli(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin(), {"--config", inst_->configPath()});
        ProcessResult r = run(binary("ledgerbridge"), args, env);
        outputs_.push_back(r.out);
        outputs_.push_back(r.err);
        return r;
    }

    /// Decrypts the stored pair so the secret scan knows every token value issued.
    void collectTokens() {
        config::Config cfg = inst_->loadConfig();
        store::StateStore store(cfg.stateDir);
        auto g = store::Grants(store).find("acme", grantKeyFor(cfg, cfg.connection("acme")).fingerprint);
        if (!g || g->needsReauth) return;
        TokenCrypto crypto(loadTokenKey(cfg.tokenKey, false));
        SealContext ctx{"acme", g->fingerprint, "pleo"};
        secrets_.insert(crypto.open(g->accessToken, ctx));
        secrets_.insert(crypto.open(g->refreshToken, ctx));
    }

    /// Starts `auth login --paste` and plays an auto-approving browser: the waiting process and
    /// the redirect address (with the code) it asks for.
    std::pair<std::unique_ptr<LiveProcess>, std::string> pasteLogin() {
        auto p = std::make_unique<LiveProcess>(
            binary("ledgerbridge"),
            std::vector<std::string>{"--config", inst_->configPath(), "auth", "login", "--connection", "acme", "--paste"});
        std::string urlLine = p->readLineContaining("/oauth/authorize?");
        auto b = browserTransport(sim_->caFile());
        std::string location = driveBrowser(*b, urlLine.substr(urlLine.find("https://")), false, true, /*follow=*/false);
        return {std::move(p), location};
    }

    /// `location` (a redirect address) with its state parameter replaced by `state`.
    static std::string withState(const std::string& location, const std::string& state) {
        auto at = location.find("state=");
        auto end = location.find('&', at);
        return location.substr(0, at) + "state=" + state + (end == std::string::npos ? "" : location.substr(end));
    }

    std::optional<store::GrantRecord> grant() {
        config::Config cfg = inst_->loadConfig();
        store::StateStore store(cfg.stateDir);
        return store::Grants(store).find("acme", grantKeyFor(cfg, cfg.connection("acme")).fingerprint);
    }

    /// How many answers with `status` the simulator gave on `route` ("METHOD /path"; "" = all).
    int answered(int status, const std::string& route = "POST /oauth/token") {
        auto o = sim_->admin("GET", "/admin/counters");
        Poco::JSON::Object::Ptr byStatus;
        if (route.empty()) {
            byStatus = o->getObject("statuses");
        } else {
            auto routes = o->getObject("routes");
            if (!routes || !routes->has(route)) return 0;
            byStatus = routes->getObject(route)->getObject("byStatus");
        }
        std::string key = std::to_string(status);
        return byStatus && byStatus->has(key) ? byStatus->getValue<int>(key) : 0;
    }
    int tokenEndpointStatus(int status) { return answered(status); }

    /// Scans every file of the installation (config, key, state DB + WAL, log) and every CLI
    /// output for the client secret and every token value seen.
    void expectNoSecretWritten() {
        auto files = readTree(inst_->dir());
        ASSERT_FALSE(files.empty());
        bool sawLog = false, sawDb = false;
        for (const auto& [path, content] : files) {
            sawLog = sawLog || path == inst_->logPath();
            sawDb = sawDb || path.find("ledgerbridge.db") != std::string::npos;
            if (path == inst_->dir() + "/client-secret") continue;  // where the secret is configured
            for (const auto& s : secrets_) EXPECT_EQ(content.find(s), std::string::npos) << "a secret appears in " << path;
        }
        EXPECT_TRUE(sawLog) << "the run wrote no log file";
        // Positive control: the scanner does find the secret where it is supposed to be.
        std::string configured = files[inst_->dir() + "/client-secret"];
        configured.pop_back();  // the newline
        EXPECT_EQ(secrets_.count(configured), 1u);
        EXPECT_GE(secrets_.size(), minimumSecrets_) << "the client secret and every token pair seen";
        EXPECT_TRUE(sawDb) << "the run wrote no state database";
        for (const auto& s : secrets_) EXPECT_EQ(logLines_.str().find(s), std::string::npos) << "a secret was logged";
        for (const auto& o : outputs_)
            for (const auto& s : secrets_) EXPECT_EQ(o.find(s), std::string::npos) << "a secret appears in CLI output";
        EXPECT_EQ(sim_->counter("client_secret_as_api_credential"), 0);
    }

    std::string apiGet(const std::string& pathAndQuery, AuthorizationSource& source, int* statusOut = nullptr) {
        auto t = browserTransport(sim_->caFile());
        HttpRequest req;
        req.url = sim_->baseUrl() + pathAndQuery;
        req.headers = {{"Authorization", source.authorizationHeader()}};
        HttpResponse r = t->send(req);
        if (r.status == 401) {
            req.headers = {{"Authorization", source.onUnauthorized(req.headers[0].second)}};
            r = t->send(req);
        }
        if (statusOut) *statusOut = r.status;
        return r.body;
    }
};

}  // namespace

// ---- login -------------------------------------------------------------------------------

TEST_F(OAuthSim, HeadlessLoginStoresASealedGrantBoundToTheEnvironment) {
    LoginResult r = login();
    EXPECT_EQ(r.grant.subject, companyUrn_);
    EXPECT_EQ(r.grant.scopes, "export:read export:write");
    EXPECT_FALSE(r.grant.needsReauth);
    collectTokens();
    for (const auto& s : secrets_) {
        EXPECT_EQ(r.grant.accessToken.find(s), std::string::npos);
        EXPECT_EQ(r.grant.refreshToken.find(s), std::string::npos);
    }
    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    auto bindings = store::Connections(store).bindings("acme");
    ASSERT_EQ(bindings.size(), 1u);
    EXPECT_EQ(bindings[0].fingerprint, config::environmentFingerprint(cfg.activeProfile(), companyId_).value);
    EXPECT_EQ(bindings[0].environment, "sim");
    ProcessResult status = cli({"auth", "status", "--json"});
    EXPECT_EQ(status.exitCode, 0) << status.err;
    auto arr = Poco::JSON::Parser().parse(status.out).extract<Poco::JSON::Array::Ptr>();
    auto row = arr->getObject(0);
    EXPECT_EQ(row->getValue<std::string>("state"), "authorised");
    EXPECT_EQ(row->getValue<std::string>("subject"), companyUrn_);
    EXPECT_FALSE(row->getValue<bool>("needsReauthorization"));
    expectNoSecretWritten();
}

TEST_F(OAuthSim, CliLoginThroughTheRealHtmlConsentPage) {
    sim_->admin("POST", "/admin/oauth/auto-approve", R"({"enabled":false})");
    LiveProcess p(binary("ledgerbridge"), {"--config", inst_->configPath(), "auth", "login", "--connection", "acme",
                                           "--no-browser", "--timeout", "30"});
    std::string urlLine = p.readLineContaining("/oauth/authorize?");
    std::string url = urlLine.substr(urlLine.find("https://"));
    EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);
    auto b = browserTransport(sim_->caFile());
    driveBrowser(*b, url, /*htmlConsent=*/true, /*approve=*/true, /*follow=*/true);
    ProcessResult r = p.finish();
    outputs_.push_back(r.out);
    outputs_.push_back(r.err);
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Created a new token key in " + inst_->dir() + "/keys/token.key"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Connection 'acme' is authorised in environment 'sim'."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("subject:     " + companyUrn_), std::string::npos) << r.out;
    collectTokens();
    ProcessResult refresh = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(refresh.exitCode, 0) << refresh.err;
    collectTokens();
    expectNoSecretWritten();
}

TEST_F(OAuthSim, CliPasteModeAcceptsTheRedirectAddress) {
    auto [p, location] = pasteLogin();
    p->writeLine(location);
    ProcessResult r = p->finish();
    outputs_.push_back(r.out);
    outputs_.push_back(r.err);
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Connection 'acme' is authorised"), std::string::npos);
    collectTokens();
    ProcessResult logout = cli({"auth", "logout", "--connection", "acme"});
    EXPECT_EQ(logout.exitCode, 0);
    EXPECT_NE(logout.out.find("Forgot the grant of connection 'acme' in environment 'sim'."), std::string::npos);
    ProcessResult status = cli({"auth", "status", "--connection", "acme"});
    EXPECT_EQ(status.exitCode, 4);
    EXPECT_NE(status.out.find("acme (sim): not authorised"), std::string::npos) << status.out;
    expectNoSecretWritten();
}

// ---- login failures: each a specific sentence --------------------------------------------

TEST_F(OAuthSim, WrongClientSecretIsNamed) {
    start({"--auto-approve"}, "wrong-client-secret-value");
    secrets_.insert("wrong-client-secret-value");
    minimumSecrets_ = 3;  // the real secret, the wrong one and its Basic header form
    EXPECT_EQ(loginError(),
              "The authorization server refused the client credentials during code exchange (invalid_client): client_id "
              "'ledgerbridge-demo' or its client_secret is wrong. Check client_id/client_secret in "
              "[environment.sim] against the OAuth client issued to you. (the server said: Unknown client or wrong "
              "client secret.)");
    EXPECT_EQ(lastLoginExit_, ExitCode::UsageOrConfig) << "a configuration error (exit 2), not re-authorisation";
    secrets_.insert(base64Encode("ledgerbridge-demo:wrong-client-secret-value"));
    expectNoSecretWritten();
}

TEST_F(OAuthSim, UnregisteredRedirectUriIsNamedBeforeAnyBrowserOpens) {
    std::string other = "http://127.0.0.1:" + std::to_string(freePort()) + "/callback";
    start({"--auto-approve"}, "", other);
    bool opened = false;
    std::string e = loginError(false, [&](const std::string&) { opened = true; });
    EXPECT_FALSE(opened);
    EXPECT_EQ(e, "The authorization server does not accept the redirect URI " + other +
                     " for client_id 'ledgerbridge-demo'. Set redirect_uri in [environment.sim] to exactly the URI "
                     "registered for your OAuth client (scheme, host, port and path). (the server said: Authorization "
                     "error The redirect_uri is not registered for this client (exact match required).)");
}

// RFC 8252 section 7.3: anything can reach the loopback port. Only the redirect with this
// login's state ends the wait; every other request gets an error page and the login goes on.
TEST_F(OAuthSim, RequestsWithoutThisLoginsStateAreAnsweredWithErrorPagesAndTheLoginWaitsForTheRealRedirect) {
    auto b = browserTransport(sim_->caFile());
    auto status = [&](const std::string& url, std::string* body = nullptr) {
        HttpRequest r;
        r.url = url;
        HttpResponse got = b->send(r);
        if (body) *body = got.body;
        return got.status;
    };
    int exchangesBeforeTheRealRedirect = -1;
    LoginResult r = login(false, [&](const std::string& url) {
        std::string location = driveBrowser(*b, url, false, true, /*follow=*/false);
        std::string body;
        EXPECT_EQ(status(withState(location, "forged"), &body), 400);  // the real code with another state: not used
        EXPECT_NE(body.find("ledgerbridge ignored this request"), std::string::npos) << body;
        EXPECT_EQ(status(redirect_ + "?error=access_denied"), 400);  // an error without any state
        EXPECT_EQ(status(redirect_ + "?error=access_denied&state=forged"), 400);
        EXPECT_EQ(status(redirect_ + "?code=stale"), 400);
        EXPECT_EQ(status(redirect_.substr(0, redirect_.rfind('/')) + "/favicon.ico"), 404);
        exchangesBeforeTheRealRedirect = tokenEndpointStatus(200) + tokenEndpointStatus(400) + tokenEndpointStatus(401);
        EXPECT_EQ(status(location, &body), 200);
        EXPECT_NE(body.find("<h1 class=\"ok\">ledgerbridge is authorised</h1>"), std::string::npos) << body;
        EXPECT_NE(body.find("Access for connection &#39;acme&#39; (sim) was granted and stored for company " + companyUrn_ + "."),
                  std::string::npos)
            << body;
    });
    EXPECT_EQ(exchangesBeforeTheRealRedirect, 0) << "no code reached the token endpoint before the real redirect";
    EXPECT_EQ(tokenEndpointStatus(200), 1);
    EXPECT_EQ(r.grant.subject, companyUrn_);
}

TEST_F(OAuthSim, APastedAddressForAnotherAttemptIsRefusedWithoutExchangingTheCode) {
    auto [p, location] = pasteLogin();
    p->writeLine(withState(location, "forged"));
    ProcessResult r = p->finish();
    EXPECT_EQ(r.exitCode, 4);
    EXPECT_NE(r.err.find("The redirect's state parameter does not match this login attempt, so its code was not used (it "
                         "may come from an older attempt or from another site). Run `" + kLogin +
                         "` again and finish it in the browser window that attempt opens."),
              std::string::npos)
        << r.err;
    EXPECT_EQ(tokenEndpointStatus(200) + tokenEndpointStatus(400) + tokenEndpointStatus(401), 0)
        << "the code must not reach the token endpoint";
}

TEST_F(OAuthSim, TheCliSaysWhetherItOpenedABrowser) {
    // The first command cannot start, the second fails at once: the person is told to open it.
    ProcessResult none = cli({"auth", "login", "--connection", "acme", "--timeout", "1"},
                             {{"BROWSER", "/nonexistent/browser:false --new-window %s"}});
    EXPECT_EQ(none.exitCode, 4);
    EXPECT_NE(none.out.find("Could not open a browser ('/nonexistent/browser' cannot be started (No such file or "
                            "directory); 'false --new-window %s' exited with status 1). Open the address above in a "
                            "browser yourself."),
              std::string::npos)
        << none.out;
    ProcessResult opened = cli({"auth", "login", "--connection", "acme", "--timeout", "1"},
                               {{"BROWSER", "/nonexistent/browser:sh -c 'sleep 3' %s"}});
    EXPECT_NE(opened.out.find("Opened it in a browser (sh -c 'sleep 3' %s). Approve access there."), std::string::npos)
        << opened.out;
    ProcessResult asked = cli({"auth", "login", "--connection", "acme", "--timeout", "1", "--no-browser"});
    EXPECT_NE(asked.out.find("Open the address above in a browser.\n"), std::string::npos) << asked.out << asked.err;
}

TEST_F(OAuthSim, PkceMismatchIsExplained) {
    // An injected code: issued for another challenge, delivered with our state.
    auto b = browserTransport(sim_->caFile());
    std::string e = loginError(false, [&](const std::string& url) {
        std::string other = url;
        auto at = other.find("code_challenge=");
        other = other.substr(0, at) + "code_challenge=" + codeChallengeS256(makeCodeVerifier()) +
                other.substr(other.find('&', at));
        driveBrowser(*b, other, false, true, true);
    });
    EXPECT_EQ(e, "The authorization server says the PKCE code verifier does not match the code's challenge: the code "
                 "belongs to another login attempt. Run `" + kLogin +
                 "` again and finish it with the address that attempt prints. (the server said: code_verifier does "
                 "not match the code_challenge.)");
}

TEST_F(OAuthSim, ExpiredCodeIsExplained) {
    auto b = browserTransport(sim_->caFile());
    std::string e = loginError(false, [&](const std::string& url) {
        std::string location = driveBrowser(*b, url, false, true, false);
        sim_->admin("POST", "/admin/clock/advance", R"({"seconds":600})");
        HttpRequest back;
        back.url = location;
        b->send(back);
    });
    EXPECT_EQ(e, "The authorization code expired before it was exchanged (codes are valid for about a minute). Run `" +
                     kLogin + "` again and complete it promptly. (the server said: The authorization code has expired.)");
}

TEST_F(OAuthSim, InvalidScopeIsNamed) {
    start({"--auto-approve"}, "", "", "export:read admin:everything");
    EXPECT_EQ(loginError(),
              "The authorization server refused the requested scopes 'export:read admin:everything' (invalid_scope). Set "
              "scopes in [environment.sim] to scopes your OAuth client may request, then run `" + kLogin +
                  "` again. (the server said: The requested scope is not allowed for this client.)");
}

TEST_F(OAuthSim, AccessDeniedOnTheConsentPageIsExplained) {
    sim_->admin("POST", "/admin/oauth/auto-approve", R"({"enabled":false})");
    auto b = browserTransport(sim_->caFile());
    std::string e = loginError(true, [&](const std::string& url) { driveBrowser(*b, url, true, /*approve=*/false, true); });
    EXPECT_EQ(e, "Access was declined on the authorization page, so no grant was stored. Run `" + kLogin +
                     "` again and approve access (as a person allowed to connect the company). (the server said: The "
                     "user denied the request.)");
    EXPECT_FALSE(grant());
}

TEST_F(OAuthSim, NoRedirectWithinTheTimeoutSaysWhatToDo) {
    minimumSecrets_ = 1;  // nothing was issued
    ProcessResult r = cli({"auth", "login", "--connection", "acme", "--no-browser", "--timeout", "1"});
    EXPECT_EQ(r.exitCode, 4);
    EXPECT_NE(r.err.find("ledgerbridge: No authorization arrived at " + redirect_ + " within 1 second. Run `" + kLogin +
                         "` again and approve access in the browser (use --timeout SECONDS for more time, or --paste "
                         "when the browser runs on another machine)."),
              std::string::npos)
        << r.err;
    expectNoSecretWritten();
}

TEST_F(OAuthSim, TlsVerificationStaysOnWithoutTheSimulatorsCa) {
    editConfig("ca_file = " + sim_->caFile() + "\n", "");
    std::string e = loginError();
    EXPECT_EQ(e.rfind("The TLS connection to " + sim_->baseUrl() + " failed (", 0), 0u) << e;
    EXPECT_NE(e.find("); the server's certificate must be trusted by the system or by ca_file, and name the host."),
              std::string::npos)
        << e;
}

TEST_F(OAuthSim, ResolveOverridesConnectToTheAddressButVerifyTheNamedHost) {
    start({"--auto-approve", "--hostname", "auth.sim.test"});
    std::string port = sim_->baseUrl().substr(sim_->baseUrl().rfind(':') + 1);
    std::string named = "https://auth.sim.test:" + port;
    editConfig("auth_url = " + sim_->baseUrl(), "auth_url = " + named);
    editConfig("api_url = " + sim_->baseUrl(), "api_url = " + named + "\nresolve = auth.sim.test:" + port + ":127.0.0.1");
    LoginResult r = login();
    EXPECT_EQ(r.grant.subject, companyUrn_);
    // A name the certificate does not carry is refused even though the address is right.
    editConfig("auth.sim.test:" + port + ":127.0.0.1", "auth.sim.test:" + port + ":127.0.0.1, other.sim.test:" + port + ":127.0.0.1");
    editConfig("auth_url = " + named, "auth_url = https://other.sim.test:" + port);
    std::string e = loginError();
    EXPECT_EQ(e.rfind("The TLS connection to https://other.sim.test:" + port + " failed (", 0), 0u) << e;
    expectNoSecretWritten();
}

// ---- refresh ----------------------------------------------------------------------------

TEST_F(OAuthSim, HundredRotationsInARowAndNoOldRefreshTokenIsEverSent) {
    login();
    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "acme", store);
    std::int64_t before = auth.tokens().currentGeneration();
    for (int i = 0; i < 100; ++i) {
        auth.tokens().refresh();
        collectTokens();
    }
    EXPECT_EQ(auth.tokens().currentGeneration(), before + 100);
    EXPECT_EQ(tokenEndpointStatus(200), 101) << "one code exchange and 100 refreshes";
    EXPECT_EQ(tokenEndpointStatus(400), 0) << "a replayed refresh token would have been answered 400";
    EXPECT_EQ(sim_->revokedGrants(), 0);
    int status = 0;
    apiGet("/v3/export-jobs?company_id=" + companyId_, auth.source(), &status);
    EXPECT_EQ(status, 200);
    EXPECT_TRUE(auth.client().introspect(auth.tokens().accessToken()).active);
    expectNoSecretWritten();
}

TEST_F(OAuthSim, AShortLivedTokenIsUsedUntilItsMarginAndRefreshedBeforeItIsSentAgain) {
    start({"--auto-approve", "--token-ttl", "4"});  // margin: a quarter of the lifetime, 1 s
    login();
    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "acme", store);
    std::int64_t generation = auth.tokens().currentGeneration();
    int status = 0;
    apiGet("/v3/export-jobs?company_id=" + companyId_, auth.source(), &status);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(auth.tokens().currentGeneration(), generation) << "a fresh 4-second token is used as it is";
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::milliseconds(grant()->obtainedAt)) +
                                  std::chrono::milliseconds(3200));
    apiGet("/v3/export-jobs?company_id=" + companyId_, auth.source(), &status);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(auth.tokens().currentGeneration(), generation + 1) << "refreshed proactively, before the request";
    EXPECT_EQ(answered(401, ""), 0) << "no request was ever sent with a token about to expire";
    collectTokens();
    expectNoSecretWritten();
}

TEST_F(OAuthSim, TwoProcessesRefreshingAtTheSameInstantTwentyTimes) {
    login();
    const std::string helper = binary("oauth_test_helper");
    std::int64_t generation = grant()->generation;
    int refreshesBefore = tokenEndpointStatus(200);
    for (int round = 0; round < 20; ++round) {
        LiveProcess a(helper, {inst_->configPath(), "acme"});
        LiveProcess b(helper, {inst_->configPath(), "acme"});
        a.readLineContaining("ready");
        b.readLineContaining("ready");
        a.writeLine("go");
        b.writeLine("go");
        ProcessResult ra = a.finish(), rb = b.finish();
        ASSERT_EQ(ra.exitCode, 0) << "round " << round << ": " << ra.err;
        ASSERT_EQ(rb.exitCode, 0) << "round " << round << ": " << rb.err;
        EXPECT_EQ(grant()->generation, generation + 1) << "exactly one refresh per round";
        generation = grant()->generation;
        collectTokens();
    }
    EXPECT_EQ(tokenEndpointStatus(200) - refreshesBefore, 20);
    EXPECT_EQ(tokenEndpointStatus(400), 0);
    EXPECT_EQ(sim_->revokedGrants(), 0);
    expectNoSecretWritten();
}

TEST_F(OAuthSim, KillNineInsideTheRefreshNeverLeavesASilentBrokenState) {
    login();
    const std::vector<std::string> points = {"refresh:before_request", "refresh:after_response", "refresh:before_commit",
                                             "refresh:after_commit"};
    std::map<std::string, std::pair<int, int>> outcomes;  // point -> (works, needs re-authorisation)
    for (int trial = 0; trial < 20; ++trial) {
        const std::string& point = points[static_cast<std::size_t>(trial) % points.size()];
        ProcessResult crashed = cli({"auth", "refresh", "--connection", "acme"}, {{"LEDGERBRIDGE_CRASH_AT", point}});
        ASSERT_TRUE(crashed.killed) << point << ": " << crashed.err;
        ProcessResult after = cli({"auth", "refresh", "--connection", "acme"});
        ProcessResult status = cli({"auth", "status", "--connection", "acme"});
        if (after.exitCode == 0) {
            ++outcomes[point].first;
            EXPECT_EQ(status.exitCode, 0) << status.out;
            EXPECT_NE(status.out.find("acme (sim): authorised"), std::string::npos) << status.out;
            collectTokens();
        } else {
            ++outcomes[point].second;
            EXPECT_EQ(after.exitCode, 4) << point << ": " << after.err;
            EXPECT_NE(after.err.find("Connection 'acme' needs re-authorisation"), std::string::npos) << after.err;
            EXPECT_NE(after.err.find("Run `ledgerbridge auth login --connection acme`"), std::string::npos);
            EXPECT_EQ(status.exitCode, 4);
            EXPECT_NE(status.out.find("acme (sim): needs re-authorisation"), std::string::npos) << status.out;
            // Needs re-authorisation is only acceptable where the simulator really rotated.
            EXPECT_TRUE(point == "refresh:after_response" || point == "refresh:before_commit") << point;
            login();
        }
    }
    std::ostringstream report;
    for (const auto& p : points)
        report << p << ": works " << outcomes[p].first << ", needs re-authorisation " << outcomes[p].second << "\n";
    std::cout << "[ crash trials ]\n" << report.str();
    RecordProperty("crash_trials", report.str());
    EXPECT_EQ(outcomes["refresh:before_request"].first, 5);
    EXPECT_EQ(outcomes["refresh:after_commit"].first, 5);
    expectNoSecretWritten();
}

TEST_F(OAuthSim, AnAccessTokenExpiringInTheMiddleOfAPagedReadIsRefreshedAndTheReadContinues) {
    login();
    auto job = sim_->admin("POST", "/admin/export-jobs", R"({"items":40})")->getObject("data");
    std::string jobId = job->getValue<std::string>("id");
    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "acme", store);
    std::int64_t generation = auth.tokens().currentGeneration();
    std::size_t items = 0;
    int pages = 0;
    std::string after;
    bool more = true;
    while (more) {
        if (pages == 3) {
            EXPECT_GE(sim_->admin("POST", "/admin/tokens/expire", "{}")->getValue<int>("expired"), 1);
        }
        int status = 0;
        std::string body = apiGet("/v3/export-jobs/" + jobId + "/items?limit=5" + (after.empty() ? "" : "&after=" + after),
                                  auth.source(), &status);
        ASSERT_EQ(status, 200) << body;
        auto page = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        items += page->getArray("data")->size();
        auto info = page->getObject("pagination");
        more = info->getValue<bool>("hasNextPage");
        if (more) after = info->getValue<std::string>("endCursor");
        ++pages;
    }
    EXPECT_EQ(items, 40u);
    EXPECT_EQ(auth.tokens().currentGeneration(), generation + 1) << "exactly one refresh, after the expiry";
    collectTokens();
    expectNoSecretWritten();
}

TEST_F(OAuthSim, ARevokedGrantSaysNeedsReauthorisationAndIsNotRetried) {
    login();
    sim_->admin("POST", "/admin/grants/revoke", "{}");
    int before = tokenEndpointStatus(400);
    ProcessResult r = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(r.exitCode, 4);
    EXPECT_NE(r.err.find("Connection 'acme' needs re-authorisation: the authorization server refused its refresh token"),
              std::string::npos)
        << r.err;
    ProcessResult again = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(again.exitCode, 4);
    EXPECT_EQ(tokenEndpointStatus(400), before + 1) << "the second attempt must not reach the server";
    expectNoSecretWritten();
}

TEST_F(OAuthSim, AGrantIsNeverUsedWithAnotherEnvironmentsEndpoints) {
    login();
    // The same simulator under another name is another environment: another fingerprint.
    std::string other = sim_->baseUrl();
    other.replace(other.find("127.0.0.1"), 9, "localhost");
    std::ofstream(inst_->configPath(), std::ios::app)
        << "\n[environment.other]\nauth_url = " << other << "\napi_url = " << other
        << "\nclient_id = ledgerbridge-demo\nclient_secret = file:" << inst_->dir() << "/client-secret\nredirect_uri = "
        << redirect_ << "\nscopes = export:read export:write\nca_file = " << sim_->caFile() << "\n";
    int before = tokenEndpointStatus(200);
    ProcessResult r = cli({"--environment", "other", "auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(r.exitCode, 6) << r.err;
    EXPECT_NE(r.err.find("Connection 'acme' was authorised in another environment, not in the selected one (issuer " +
                         other + ", API " + other + ", company " + companyId_ + "); its grant cannot be used here."),
              std::string::npos)
        << r.err;
    EXPECT_EQ(tokenEndpointStatus(200), before) << "no token of the other environment was sent anywhere";
    ProcessResult status = cli({"--environment", "other", "auth", "status", "--connection", "acme"});
    EXPECT_EQ(status.exitCode, 4);
    EXPECT_NE(status.out.find("note:         authorised only in another environment"), std::string::npos) << status.out;
    ProcessResult home = cli({"auth", "refresh", "--connection", "acme"});
    EXPECT_EQ(home.exitCode, 0) << home.err;
    collectTokens();
    expectNoSecretWritten();
}

TEST_F(OAuthSim, ApiKeyConnectionsSendBasicKeyColonAndNoClientSecret) {
    std::string key = sim_->admin("POST", "/admin/api-keys", "{}")->getValue<std::string>("apiKey");
    secrets_.insert(key);
    std::ofstream(inst_->dir() + "/api-key") << key << "\n";
    ::chmod((inst_->dir() + "/api-key").c_str(), 0600);
    std::ofstream(inst_->configPath(), std::ios::app)
        << "\n[connection.own]\ncompany_id = " << companyId_ << "\nplugin = csv\ncredential = api_key\napi_key = file:"
        << inst_->dir() << "/api-key\n";
    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    ConnectionAuth auth(cfg, "own", store);
    int status = 0;
    apiGet("/v3/export-jobs?company_id=" + companyId_, auth.source(), &status);
    EXPECT_EQ(status, 200);
    EXPECT_THROW(auth.source().onUnauthorized(auth.source().authorizationHeader()), AuthError);
    EXPECT_EQ(sim_->counter("client_secret_as_api_credential"), 0);
}
