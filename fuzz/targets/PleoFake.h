// A Pleo that answers every request with the fuzzer's status and body, behind the client's real
// transport interface: the fuzz targets drive ExportsClient's own parsing (simdjson for item
// pages, Poco::JSON for jobs, results and errors) exactly as a run does, without a socket.
#pragma once

#include <string>

#include "ledgerbridge/http/HttpTransport.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::fuzz {

class ScriptedTransport : public http::HttpTransport {
public:
    int status = 200;
    std::string body;
    http::HttpResponse send(const http::HttpRequest&) override {
        http::HttpResponse r;
        r.status = status;
        r.headers = {{"Content-Type", "application/json"}};
        r.body = body;
        return r;
    }
};

class StaticAuth : public oauth::AuthorizationSource {
public:
    std::string authorizationHeader() override { return "Bearer fuzz-token"; }
    std::string onUnauthorized(const std::string&) override { return "Bearer fuzz-token-2"; }
};

/// No waiting anywhere: one attempt per request, no rate limit.
inline pleo::ClientOptions noWaiting() {
    pleo::ClientOptions o;
    o.requestsPerMinute = 0;
    o.retry.maxAttempts = 1;
    o.retry.baseDelay = std::chrono::milliseconds(0);
    o.retry.maxDelay = std::chrono::milliseconds(0);
    o.retry.budget = std::chrono::milliseconds(0);
    return o;
}

}  // namespace ledgerbridge::fuzz
