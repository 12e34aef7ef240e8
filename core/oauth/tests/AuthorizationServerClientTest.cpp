// AuthorizationServerClient against a scripted transport: answers the fuzzer found mishandled.
#include <gtest/gtest.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;

namespace {
class ScriptedTransport : public HttpTransport {
public:
    HttpResponse response;
    HttpResponse send(const HttpRequest&) override { return response; }
};
}  // namespace

// Found by fuzz_token_response: a redirect back to our redirect URI whose query has a broken
// %-escape made Poco's URISyntaxException escape preflightAuthorize (and the login command).
TEST(AuthorizationServerClient, APreflightRedirectWithBrokenEscapesIsAnAuthErrorNamingTheSetting) {
    ScriptedTransport transport;
    AuthorizationServerClient client(Endpoints::fromIssuer("https://auth.example"),
                                     {"client-1", [] { return std::string("secret-123"); }, "staging"}, transport);
    const std::string redirect = "http://127.0.0.1:8765/callback";
    transport.response.status = 302;
    transport.response.headers = {{"Location", redirect + "?error=invalid_scope&error_description=%zz&state=s"}};
    try {
        client.preflightAuthorize(client.authorizeUrl(redirect, "export", "s", "c"), redirect, "export", "ledgerbridge auth login");
        FAIL() << "a malformed redirect was accepted";
    } catch (const AuthError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("malformed address"), std::string::npos) << what;
        EXPECT_NE(what.find("auth_url in [environment.staging]"), std::string::npos) << what;
        EXPECT_EQ(what.find("%zz"), std::string::npos) << what;
    }
    // A well-formed error redirect still becomes the scope message.
    transport.response.headers = {{"Location", redirect + "?error=invalid_scope&state=s"}};
    EXPECT_THROW(client.preflightAuthorize(client.authorizeUrl(redirect, "export", "s", "c"), redirect, "export",
                                           "ledgerbridge auth login"),
                 AuthError);
}
