// The authorization server's answers (core/oauth AuthorizationServerClient): token responses
// of a code exchange and a refresh, introspection answers, OAuth error bodies, and the
// preflight's redirect Location. Input: byte 0 picks the call, byte 1 the status, the rest is
// the body (and, for a redirect, the Location header). Refusals are the documented errors.
#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"

using namespace ledgerbridge;

namespace {
const int kStatuses[] = {200, 302, 400, 401, 403, 404, 500, 503};

class ScriptedTransport : public oauth::HttpTransport {
public:
    oauth::HttpResponse response;
    oauth::HttpResponse send(const oauth::HttpRequest&) override { return response; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    fuzz::quietLogs();
    fuzz::freshRedactor();
    static ScriptedTransport transport;
    static oauth::AuthorizationServerClient client(oauth::Endpoints::fromIssuer("https://auth.pleo.invalid"),
                                                   {"client-1", [] { return std::string("fuzz-secret"); }, "fuzz"},
                                                   transport);
    const int call = data[0] % 4;
    const std::string body = fuzz::bytes(data + 2, size - 2);
    transport.response = {};
    transport.response.status = kStatuses[data[1] % (sizeof kStatuses / sizeof kStatuses[0])];
    transport.response.body = body;
    transport.response.headers = {{"Location", "http://127.0.0.1:8765/callback?" + body}};
    try {
        switch (call) {
            case 0: client.exchangeCode("code-1", "http://127.0.0.1:8765/callback", "verifier", "ledgerbridge auth login"); break;
            case 1: client.refresh("refresh-token-1"); break;
            case 2: client.introspect("access-token-1"); break;
            default:
                client.preflightAuthorize(client.authorizeUrl("http://127.0.0.1:8765/callback", "export", "s", "c"),
                                          "http://127.0.0.1:8765/callback", "export", "ledgerbridge auth login");
        }
    } catch (const ProtocolError&) {
    } catch (const AuthError&) {
    } catch (const ReauthorizationRequired&) {  // InvalidGrant
    } catch (const oauth::ClientCredentialsRejected&) {  // invalid_client: a ConfigError naming client_id
    } catch (const NetworkError&) {
    }
    return 0;
}
