// The OAuth 2.0 server: authorization code + PKCE S256, exact redirect URIs, consent page,
// token endpoint errors, single-use and expiring codes, rotating refresh tokens with replay
// revocation, introspection, client authentication modes.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "SimClient.h"

using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;

namespace {
const std::string kRedirect = "http://127.0.0.1:8765/callback";
const std::string kVerifier = "abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFG";  // 47 chars
const std::string kDemo = basic("ledgerbridge-demo", "demo-secret");

std::map<std::string, std::string> authorizeParams(const std::string& challenge = pkceChallenge(kVerifier)) {
    return {{"response_type", "code"}, {"client_id", "ledgerbridge-demo"}, {"redirect_uri", kRedirect},
            {"scope", "export:read"},  {"state", "xyz-state"},            {"code_challenge", challenge},
            {"code_challenge_method", "S256"}};
}

std::string codeFrom(SimClient& c, std::map<std::string, std::string> params = authorizeParams()) {
    HttpResult a = c.get("/oauth/authorize?" + formEncode(params));
    EXPECT_EQ(a.status, 302) << a.body;
    EXPECT_EQ(queryParam(a.header("location"), "state"), "xyz-state");
    return queryParam(a.header("location"), "code");
}

HttpResult exchangeCode(SimClient& c, const std::string& code, const std::string& verifier = kVerifier,
                    const std::string& auth = kDemo) {
    return c.postForm("/oauth/token", formEncode({{"grant_type", "authorization_code"}, {"code", code},
                                                  {"redirect_uri", kRedirect}, {"code_verifier", verifier}}),
                      auth);
}

HttpResult refresh(SimClient& c, const std::string& rt, const std::string& scope = "") {
    std::map<std::string, std::string> f{{"grant_type", "refresh_token"}, {"refresh_token", rt}};
    if (!scope.empty()) f["scope"] = scope;
    return c.postForm("/oauth/token", formEncode(f), kDemo);
}

std::string error(const HttpResult& r) { return r.object()->getValue<std::string>("error"); }

bool active(SimClient& c, const std::string& token) {
    auto r = c.postForm("/oauth/token/introspect", "token=" + token, kDemo);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.object()->getValue<bool>("active");
}
}  // namespace

TEST(OAuth, CodeFlowWithPkceIssuesTokensThatWorkOnTheApi) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    HttpResult t = exchangeCode(c, codeFrom(c));
    ASSERT_EQ(t.status, 200) << t.body;
    auto o = t.object();
    EXPECT_EQ(o->getValue<std::string>("token_type"), "Bearer");
    EXPECT_EQ(o->getValue<int>("expires_in"), 900);
    EXPECT_EQ(o->getValue<std::string>("scope"), "export:read");
    EXPECT_FALSE(o->getValue<std::string>("refresh_token").empty());
    EXPECT_EQ(t.header("cache-control"), "no-store");
    std::string at = o->getValue<std::string>("access_token");
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(at)).status, 200);
    // read-only scope: writes are forbidden
    auto w = c.postJson("/v3/export-job-events", R"({"event":"started","jobId":"00000000-0000-4000-8000-000000000000"})", bearer(at));
    EXPECT_EQ(w.status, 403);
    EXPECT_EQ(w.object()->getValue<std::string>("type"), "FORBIDDEN");
}

TEST(OAuth, IntrospectionNamesTheCompanyUrn) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    Tokens t = c.login(1);
    auto r = c.postForm("/oauth/token/introspect", "token=" + t.access, kDemo);
    ASSERT_EQ(r.status, 200);
    auto o = r.object();
    EXPECT_TRUE(o->getValue<bool>("active"));
    EXPECT_EQ(o->getValue<std::string>("sub"), "urn:pleo:company:" + c.companyId(1));
    EXPECT_EQ(o->getValue<std::string>("client_id"), "ledgerbridge-demo");
    EXPECT_EQ(o->getValue<std::string>("scope"), "export:read export:write");
    EXPECT_GT(o->getValue<long long>("exp"), 0);
    EXPECT_FALSE(active(c, "not-a-token"));
    EXPECT_EQ(c.postForm("/oauth/token/introspect", "token=" + t.access).status, 401) << "introspection needs client auth";
}

TEST(OAuth, CodesAreSingleUseAndReuseRevokesTheirTokens) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    std::string code = codeFrom(c);
    HttpResult first = exchangeCode(c, code);
    ASSERT_EQ(first.status, 200);
    HttpResult again = exchangeCode(c, code);
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(error(again), "invalid_grant");
    EXPECT_FALSE(active(c, first.object()->getValue<std::string>("access_token")));
}

TEST(OAuth, CodesExpireAfterSixtySeconds) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    std::string code = codeFrom(c);
    c.admin("POST", "/clock/advance", R"({"seconds":61})");
    HttpResult r = exchangeCode(c, code);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error(r), "invalid_grant");
}

TEST(OAuth, VerifierIsChecked) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    HttpResult shortV = exchangeCode(c, codeFrom(c), "tooshort");
    EXPECT_EQ(shortV.status, 400);
    EXPECT_EQ(error(shortV), "invalid_request");
    HttpResult longV = exchangeCode(c, codeFrom(c), std::string(129, 'a'));
    EXPECT_EQ(error(longV), "invalid_request");
    HttpResult wrong = exchangeCode(c, codeFrom(c), std::string(43, 'b'));
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(error(wrong), "invalid_grant");
}

TEST(OAuth, AuthorizeRejectsPlainMissingPkceAndBadScopesByRedirect) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    auto p = authorizeParams();
    p["code_challenge_method"] = "plain";
    HttpResult plain = c.get("/oauth/authorize?" + formEncode(p));
    EXPECT_EQ(plain.status, 302);
    EXPECT_EQ(queryParam(plain.header("location"), "error"), "invalid_request");
    EXPECT_EQ(queryParam(plain.header("location"), "state"), "xyz-state");
    EXPECT_FALSE(queryParam(plain.header("location"), "error_description").empty());
    p = authorizeParams();
    p.erase("code_challenge");
    p.erase("code_challenge_method");
    EXPECT_EQ(queryParam(c.get("/oauth/authorize?" + formEncode(p)).header("location"), "error"), "invalid_request");
    p = authorizeParams();
    p["scope"] = "export:read admin:everything";
    EXPECT_EQ(queryParam(c.get("/oauth/authorize?" + formEncode(p)).header("location"), "error"), "invalid_scope");
    p = authorizeParams();
    p["response_type"] = "token";
    EXPECT_EQ(queryParam(c.get("/oauth/authorize?" + formEncode(p)).header("location"), "error"), "unsupported_response_type");
}

TEST(OAuth, UntrustedRedirectUrisGetAnErrorPageNotARedirect) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    auto p = authorizeParams();
    p["redirect_uri"] = kRedirect + "/extra";  // prefix match is not enough
    HttpResult r = c.get("/oauth/authorize?" + formEncode(p));
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(r.header("location").empty());
    p = authorizeParams();
    p["client_id"] = "nobody";
    EXPECT_EQ(c.get("/oauth/authorize?" + formEncode(p)).status, 400);
}

TEST(OAuth, LoginAndConsentPageIssuesACodeForTheChosenCompany) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    HttpResult page = c.get("/oauth/authorize?" + formEncode(authorizeParams()));
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<form method=\"post\" action=\"/oauth/authorize\">"), std::string::npos);
    EXPECT_NE(page.body.find(c.companyId(1)), std::string::npos);
    auto form = authorizeParams();
    form["username"] = "alice";
    form["password"] = "wrong";
    form["company_id"] = c.companyId(1);
    form["decision"] = "approve";
    HttpResult bad = c.postForm("/oauth/authorize", formEncode(form));
    EXPECT_EQ(bad.status, 200);
    EXPECT_NE(bad.body.find("wrong password"), std::string::npos);
    form["password"] = "password";
    HttpResult ok = c.postForm("/oauth/authorize", formEncode(form));
    ASSERT_EQ(ok.status, 302) << ok.body;
    HttpResult t = exchangeCode(c, queryParam(ok.header("location"), "code"));
    ASSERT_EQ(t.status, 200);
    auto intro = c.postForm("/oauth/token/introspect", "token=" + t.object()->getValue<std::string>("access_token"), kDemo);
    EXPECT_EQ(intro.object()->getValue<std::string>("sub"), "urn:pleo:company:" + c.companyId(1));
    form["decision"] = "deny";
    HttpResult denied = c.postForm("/oauth/authorize", formEncode(form));
    EXPECT_EQ(queryParam(denied.header("location"), "error"), "access_denied");
}

TEST(OAuth, RefreshRotatesAndReplayRevokesTheWholeGrant) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    Tokens t = c.login();
    HttpResult r1 = refresh(c, t.refresh);
    ASSERT_EQ(r1.status, 200) << r1.body;
    std::string at2 = r1.object()->getValue<std::string>("access_token");
    std::string rt2 = r1.object()->getValue<std::string>("refresh_token");
    EXPECT_NE(rt2, t.refresh);
    EXPECT_TRUE(active(c, at2));
    HttpResult replay = refresh(c, t.refresh);
    EXPECT_EQ(replay.status, 400);
    EXPECT_EQ(error(replay), "invalid_grant");
    EXPECT_FALSE(active(c, at2)) << "a replayed refresh token revokes every token of the grant";
    EXPECT_FALSE(active(c, t.access));
    EXPECT_EQ(error(refresh(c, rt2)), "invalid_grant");
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(at2)).status, 401);
}

TEST(OAuth, ExpiredRefreshTokenRevokesTheGrant) {
    SimulatorProcess sim({"--items", "3", "--refresh-ttl", "100"});
    SimClient c(sim);
    Tokens t = c.login();
    c.admin("POST", "/clock/advance", R"({"seconds":101})");
    EXPECT_EQ(error(refresh(c, t.refresh)), "invalid_grant");
    auto grants = c.admin("GET", "/grants")->getArray("data");
    EXPECT_TRUE(grants->getObject(0)->getValue<bool>("revoked"));
}

TEST(OAuth, AccessTokensExpireWithTheClock) {
    SimulatorProcess sim({"--items", "3", "--token-ttl", "120"});
    SimClient c(sim);
    Tokens t = c.login();
    EXPECT_EQ(t.expiresIn, 120);
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(t.access)).status, 200);
    c.admin("POST", "/clock/advance", R"({"seconds":121})");
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(t.access)).status, 401);
    HttpResult r = refresh(c, t.refresh);
    ASSERT_EQ(r.status, 200) << "the refresh token outlives the access token";
}

TEST(OAuth, TimeScaleMakesTokensExpireInRealSeconds) {
    SimulatorProcess sim({"--items", "3", "--token-ttl", "60", "--time-scale", "100"});
    SimClient c(sim);
    Tokens t = c.login();
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    EXPECT_EQ(c.get("/v3/export-jobs", bearer(t.access)).status, 401);
}

TEST(OAuth, RefreshCannotWidenScope) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    Tokens t = c.login(0, "export:read");
    HttpResult r = refresh(c, t.refresh, "export:read export:write");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error(r), "invalid_scope");
}

TEST(OAuth, TokenEndpointErrors) {
    SimulatorProcess sim({"--items", "3", "--auto-approve"});
    SimClient c(sim);
    HttpResult noGrant = c.postForm("/oauth/token", "code=x", kDemo);
    EXPECT_EQ(noGrant.status, 400);
    EXPECT_EQ(error(noGrant), "invalid_request");
    HttpResult pw = c.postForm("/oauth/token", "grant_type=password&username=a&password=b", kDemo);
    EXPECT_EQ(error(pw), "unsupported_grant_type");
    HttpResult wrongSecret = exchangeCode(c, codeFrom(c), kVerifier, basic("ledgerbridge-demo", "nope"));
    EXPECT_EQ(wrongSecret.status, 401);
    EXPECT_EQ(error(wrongSecret), "invalid_client");
    EXPECT_FALSE(wrongSecret.header("www-authenticate").empty());
    HttpResult none = c.postForm("/oauth/token", "grant_type=refresh_token&refresh_token=x");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(error(refresh(c, "unknown")), "invalid_grant");
}

TEST(OAuth, BodyCredentialsAcceptedUnlessStrict) {
    {
        SimulatorProcess sim({"--items", "3", "--auto-approve"});
        SimClient c(sim);
        auto r = c.postForm("/oauth/token", formEncode({{"grant_type", "authorization_code"}, {"code", codeFrom(c)},
                                                        {"redirect_uri", kRedirect}, {"code_verifier", kVerifier},
                                                        {"client_id", "ledgerbridge-demo"}, {"client_secret", "demo-secret"}}));
        EXPECT_EQ(r.status, 200) << r.body;
    }
    SimulatorProcess sim({"--items", "3", "--auto-approve", "--strict-client-auth", "--client-secret", "s3cret"});
    SimClient c(sim);
    auto r = c.postForm("/oauth/token", formEncode({{"grant_type", "authorization_code"}, {"code", codeFrom(c)},
                                                    {"redirect_uri", kRedirect}, {"code_verifier", kVerifier},
                                                    {"client_id", "ledgerbridge-demo"}, {"client_secret", "s3cret"}}));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error(r), "invalid_client");
    EXPECT_EQ(exchangeCode(c, codeFrom(c), kVerifier, basic("ledgerbridge-demo", "s3cret")).status, 200);
}
