// Access tokens of an OAuth client acting for itself (RFC 6749 section 4.4, "client
// credentials": Microsoft Entra's service-to-service tokens for Business Central). There is no
// user, no login and no refresh token: when the cached token is within its margin (a quarter of
// its lifetime, at most 60 s) a new one is requested with the client id and secret. Each token
// is sealed into the state store as a grant (kind, fingerprint as for other grants), so other
// processes and restarts reuse it instead of asking the server again.
//
// Unlike a refresh, a client-credentials request spends nothing: two processes asking at once
// both get valid tokens. So there is no cross-process lease, only the process-wide mutex of the
// grant (one request per process), and a lost answer is simply asked again next time.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "ledgerbridge/oauth/AuthorizationServerClient.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"
#include "ledgerbridge/oauth/TokenCrypto.h"
#include "ledgerbridge/oauth/TokenManager.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::oauth {

class ClientCredentialsTokens : public AuthorizationSource {
public:
    /// `client`, `store` and `crypto` are not owned and must outlive this. `scopes` are asked
    /// for with every token request (may be empty).
    ClientCredentialsTokens(GrantKey key, std::string clientId, std::string scopes, AuthorizationServerClient& client,
                            store::StateStore& store, const TokenCrypto& crypto);

    /// A valid access token: the cached or stored one, else a new one. Throws
    /// ClientCredentialsRejected (exit 2) for a refused id or secret, AuthError, NetworkError,
    /// ProtocolError.
    std::string accessToken();
    std::string authorizationHeader() override { return "Bearer " + accessToken(); }
    /// Asks for a new token unless another thread already replaced the rejected one.
    std::string onUnauthorized(const std::string& rejectedHeader) override;

private:
    /// Requests a token and stores it sealed (the mutex is held).
    void fetchLocked();
    bool cachedUsable() const;

    GrantKey key_;
    std::string clientId_, scopes_;
    AuthorizationServerClient& client_;
    store::StateStore& store_;
    const TokenCrypto& crypto_;
    std::shared_ptr<std::mutex> grantMutex_;
    std::string accessToken_;
    std::int64_t expiresAt_ = 0, lifetimeMs_ = 0;
};

}  // namespace ledgerbridge::oauth
