// The client credentials grant (RFC 6749 section 4.4) against RotatingAuthorizationServer, a
// real token endpoint on 127.0.0.1 that shares no code with the client: one token request for
// many callers and for a second source on the same store (another process), the token sealed
// in the store without a refresh token, a new token before expiry, and a refused secret as
// ClientCredentialsRejected (a configuration error, exit 2) that names the client, not the
// secret.
#include <gtest/gtest.h>

#include <Poco/TemporaryFile.h>

#include <chrono>
#include <thread>

#include "RotatingAuthorizationServer.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/ClientCredentialsTokens.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/store/Grants.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;
using testas::RotatingAuthorizationServer;

namespace {

class ClientCredentials : public ::testing::Test {
protected:
    void SetUp() override { dir_.createDirectories(); }
    static config::EnvironmentProfile plainHttpProfile() {
        config::EnvironmentProfile p;
        p.name = "target of acme";
        p.allowHttp = true;  // the test server is plain HTTP on loopback
        return p;
    }
    /// A source as the host builds one, with `secret`.
    std::unique_ptr<ClientCredentialsTokens> source(const std::string& secret) {
        endpoints_.token = server_.baseUrl() + "/oauth/token";
        clients_.push_back(std::make_unique<AuthorizationServerClient>(
            endpoints_, ClientCredentials_{"bc-app", [secret] { return secret; }, "[connection.acme]"}, transport_));
        return std::make_unique<ClientCredentialsTokens>(key_, "bc-app", "https://api.example/.default", *clients_.back(),
                                                         store_, crypto_);
    }
    using ClientCredentials_ = oauth::ClientCredentials;

    const std::string secret_ = "cc-secret-" + base64UrlEncode(randomBytes(12));
    RotatingAuthorizationServer server_{"bc-app", secret_};
    Poco::TemporaryFile dir_;
    config::EnvironmentProfile profile_ = plainHttpProfile();
    http::PocoHttpTransport transport_{profile_};
    store::StateStore store_{dir_.path() + "/state"};
    TokenCrypto crypto_{randomBytes(32)};
    GrantKey key_{"acme", "fp-target", "env local, target", "businesscentral"};
    Endpoints endpoints_;
    std::vector<std::unique_ptr<AuthorizationServerClient>> clients_;
};

TEST_F(ClientCredentials, OneTokenServesEveryCallerAndAnotherProcessAndIsStoredSealedWithoutARefreshToken) {
    auto first = source(secret_);
    const std::string token = first->accessToken();
    EXPECT_EQ(first->accessToken(), token);
    EXPECT_EQ(first->authorizationHeader(), "Bearer " + token);
    EXPECT_EQ(server_.counts().clientTokens, 1);
    EXPECT_EQ(server_.lastClientScope(), "https://api.example/.default");

    const auto g = store::Grants(store_).find("acme", "fp-target", "businesscentral");
    ASSERT_TRUE(g.has_value());
    EXPECT_TRUE(g->refreshToken.empty());
    EXPECT_EQ(g->accessToken.find(token), std::string::npos) << "the token is sealed at rest";
    EXPECT_EQ(crypto_.open(g->accessToken, {"acme", "fp-target", "businesscentral"}), token);
    EXPECT_EQ(g->clientId, "bc-app");

    auto second = source(secret_);  // another process on the same state store
    EXPECT_EQ(second->accessToken(), token);
    EXPECT_EQ(server_.counts().clientTokens, 1) << "the stored token was reused, not requested again";
}

TEST_F(ClientCredentials, ANewTokenIsFetchedBeforeTheOldOneExpires) {
    server_.setAccessLifetime(8);  // margin: a quarter, 2 s
    auto s = source(secret_);
    const std::string first = s->accessToken();
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    EXPECT_EQ(s->accessToken(), first) << "still 3.5 s left, outside the margin";
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    const std::string next = s->accessToken();  // 1.5 s left: within the margin
    EXPECT_NE(next, first);
    EXPECT_EQ(server_.counts().clientTokens, 2);
    EXPECT_EQ(server_.counts().tokenRequests, 2);
}

TEST_F(ClientCredentials, ARefusedSecretIsAConfigurationErrorNamingTheClientNotTheSecret) {
    const std::string wrong = "wrong-secret-123456";
    auto s = source(wrong);
    try {
        s->accessToken();
        FAIL() << "a wrong secret got a token";
    } catch (const ClientCredentialsRejected& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("bc-app"), std::string::npos) << m;
        EXPECT_NE(m.find("[connection.acme]"), std::string::npos) << m;
        EXPECT_EQ(m.find(wrong), std::string::npos) << m;
        EXPECT_EQ(e.exitCode(), ExitCode::UsageOrConfig);
    }
    EXPECT_FALSE(store::Grants(store_).find("acme", "fp-target", "businesscentral").has_value());
}

}  // namespace
