// An in-process fake token endpoint behind the HttpTransport interface, for TokenManager tests
// that need exact control (no network, no timing): rotates refresh tokens on every use,
// answers a replayed one with invalid_grant and revokes the grant, counts everything.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include <Poco/URI.h>

#include "ledgerbridge/http/HttpTransport.h"

namespace ledgerbridge::oauth::fakes {

using http::formEncode;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpTransport;
using http::PocoHttpTransport;

class FakeAuthorizationServer : public HttpTransport {
public:
    std::string currentRefresh = "refresh-0000000";
    std::set<std::string> rotated;
    bool revoked = false;
    int expiresIn = 900;
    std::atomic<int> refreshes{0};
    std::atomic<int> replays{0};
    std::atomic<int> requests{0};

    HttpResponse send(const HttpRequest& request) override {
        ++requests;
        std::lock_guard<std::mutex> lock(mutex_);
        Poco::URI u;
        u.setRawQuery(request.body);
        std::string grantType, rt;
        for (const auto& [k, v] : u.getQueryParameters()) {
            if (k == "grant_type") grantType = v;
            if (k == "refresh_token") rt = v;
        }
        if (grantType != "refresh_token") return {400, {}, R"({"error":"unsupported_grant_type"})"};
        if (revoked) return {400, {}, R"({"error":"invalid_grant","error_description":"The grant was revoked."})"};
        if (rt != currentRefresh) {
            ++replays;
            revoked = true;
            return {400, {}, R"({"error":"invalid_grant","error_description":"The refresh token was already used."})"};
        }
        rotated.insert(rt);
        ++refreshes;
        currentRefresh = "refresh-" + std::to_string(refreshes.load()) + "-rotated";
        std::string access = "access-" + std::to_string(refreshes.load()) + "-token";
        return {200,
                {},
                R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":)" + std::to_string(expiresIn) +
                    R"(,"refresh_token":")" + currentRefresh + R"(","scope":"export:read"})"};
    }

private:
    std::mutex mutex_;
};

}  // namespace ledgerbridge::oauth::fakes
