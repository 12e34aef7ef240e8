// OAuth state: registered clients, authorization codes, grants, access and refresh tokens,
// API keys. Not thread-safe by itself: the simulator holds its state lock around every call.
// A grant is one user's consent for one client and company; every token descends from one
// grant, so revoking the grant (replayed refresh token, admin) kills all of them at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lbsim {

struct Client {
    std::string id, secret;
    std::vector<std::string> redirectUris;
    std::set<std::string> scopes;
};

struct AuthCode {
    std::string clientId, redirectUri, challenge, scope, userId, grantId;
    int company = 0;
    std::int64_t expiresAt = 0;
    bool used = false;
};

struct Grant {
    std::string id, clientId, userId, scope;
    int company = 0;
    bool revoked = false;
};

struct AccessToken {
    std::string grantId, clientId, scope;
    int company = 0;
    std::int64_t issuedAt = 0, expiresAt = 0;
};

struct RefreshToken {
    std::string grantId;
    std::int64_t expiresAt = 0;
    bool rotated = false;
};

struct ApiKey {
    int company = 0;
    std::string scope;
};

struct IssuedTokens {
    std::string accessToken, refreshToken, scope;
    std::int64_t expiresIn = 0;
};

class TokenStore {
public:
    TokenStore(int accessTtl, int refreshTtl) : accessTtl_(accessTtl), refreshTtl_(refreshTtl) {}

    void addClient(const Client& c) { clients_[c.id] = c; }
    const Client* client(const std::string& id) const;
    std::string issueCode(AuthCode code);
    /// nullptr when unknown. The caller checks use and expiry.
    AuthCode* code(const std::string& code);
    std::string newGrant(const std::string& clientId, int company, const std::string& userId, const std::string& scope);
    Grant* grant(const std::string& id);
    IssuedTokens issueTokens(const std::string& grantId, const std::string& scope, std::int64_t now);
    RefreshToken* refresh(const std::string& token);
    /// The access token if it is known, unexpired and its grant not revoked.
    const AccessToken* activeAccess(const std::string& token, std::int64_t now) const;
    /// Revokes the grant and every token of it.
    void revokeGrant(const std::string& grantId);
    /// Expires access tokens now: one token, or all when `token` is empty. Returns the count.
    int expireAccess(const std::string& token, std::int64_t now);
    std::string mintApiKey(int company, const std::string& scope);
    const ApiKey* apiKey(const std::string& key) const;
    const std::map<std::string, Grant>& grants() const { return grants_; }
    /// The grant an access or refresh token belongs to, or "".
    std::string grantOf(const std::string& token) const;
    void clearAll();

private:
    int accessTtl_, refreshTtl_;
    std::map<std::string, Client> clients_;
    std::map<std::string, AuthCode> codes_;
    std::map<std::string, Grant> grants_;
    std::map<std::string, AccessToken> access_;
    std::map<std::string, RefreshToken> refresh_;
    std::map<std::string, ApiKey> apiKeys_;
};

/// True when every scope in `requested` (space-separated) is in `allowed`.
bool scopesWithin(const std::string& requested, const std::set<std::string>& allowed);
std::set<std::string> splitScopes(const std::string& scopes);

}  // namespace lbsim
