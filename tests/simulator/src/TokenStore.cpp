// Clients, codes, grants and tokens of the simulated authorisation server.
#include "TokenStore.h"

#include <sstream>

#include "Ids.h"

namespace lbsim {

std::set<std::string> splitScopes(const std::string& scopes) {
    std::set<std::string> out;
    std::istringstream ss(scopes);
    std::string s;
    while (ss >> s) out.insert(s);
    return out;
}

bool scopesWithin(const std::string& requested, const std::set<std::string>& allowed) {
    for (const auto& s : splitScopes(requested))
        if (!allowed.count(s)) return false;
    return true;
}

const Client* TokenStore::client(const std::string& id) const {
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : &it->second;
}

std::string TokenStore::issueCode(AuthCode code) {
    std::string c = "ac_" + randomToken(24);
    codes_[c] = std::move(code);
    return c;
}

AuthCode* TokenStore::code(const std::string& code) {
    auto it = codes_.find(code);
    return it == codes_.end() ? nullptr : &it->second;
}

std::string TokenStore::newGrant(const std::string& clientId, int company, const std::string& userId,
                                 const std::string& scope) {
    Grant g;
    g.id = "grant_" + randomToken(12);
    g.clientId = clientId;
    g.company = company;
    g.userId = userId;
    g.scope = scope;
    grants_[g.id] = g;
    return g.id;
}

Grant* TokenStore::grant(const std::string& id) {
    auto it = grants_.find(id);
    return it == grants_.end() ? nullptr : &it->second;
}

IssuedTokens TokenStore::issueTokens(const std::string& grantId, const std::string& scope, std::int64_t now) {
    const Grant& g = grants_.at(grantId);
    IssuedTokens t;
    t.accessToken = "lbsim_at_" + randomToken(32);
    t.refreshToken = "lbsim_rt_" + randomToken(32);
    t.scope = scope;
    t.expiresIn = accessTtl_;
    access_[t.accessToken] = AccessToken{grantId, g.clientId, scope, g.company, now, now + accessTtl_};
    refresh_[t.refreshToken] = RefreshToken{grantId, now + refreshTtl_, false};
    return t;
}

RefreshToken* TokenStore::refresh(const std::string& token) {
    auto it = refresh_.find(token);
    return it == refresh_.end() ? nullptr : &it->second;
}

const AccessToken* TokenStore::activeAccess(const std::string& token, std::int64_t now) const {
    auto it = access_.find(token);
    if (it == access_.end() || now >= it->second.expiresAt) return nullptr;
    auto g = grants_.find(it->second.grantId);
    if (g == grants_.end() || g->second.revoked) return nullptr;
    return &it->second;
}

void TokenStore::revokeGrant(const std::string& grantId) {
    auto g = grants_.find(grantId);
    if (g != grants_.end()) g->second.revoked = true;
    for (auto it = access_.begin(); it != access_.end();)
        it = it->second.grantId == grantId ? access_.erase(it) : std::next(it);
    for (auto& r : refresh_)
        if (r.second.grantId == grantId) r.second.rotated = true;
}

int TokenStore::expireAccess(const std::string& token, std::int64_t now) {
    int n = 0;
    for (auto& a : access_) {
        if (token.empty() || a.first == token) {
            a.second.expiresAt = now;
            ++n;
        }
    }
    return n;
}

std::string TokenStore::mintApiKey(int company, const std::string& scope) {
    std::string key = "lbsim_key_" + randomToken(24);
    apiKeys_[key] = ApiKey{company, scope};
    return key;
}

const ApiKey* TokenStore::apiKey(const std::string& key) const {
    auto it = apiKeys_.find(key);
    return it == apiKeys_.end() ? nullptr : &it->second;
}

std::string TokenStore::grantOf(const std::string& token) const {
    auto a = access_.find(token);
    if (a != access_.end()) return a->second.grantId;
    auto r = refresh_.find(token);
    if (r != refresh_.end()) return r->second.grantId;
    return "";
}

void TokenStore::clearAll() {
    codes_.clear();
    grants_.clear();
    access_.clear();
    refresh_.clear();
    apiKeys_.clear();
}

}  // namespace lbsim
