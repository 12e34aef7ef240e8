// Fortnox API v3 through the host: see FortnoxApi.hpp.
#include "FortnoxApi.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <chrono>
#include <thread>

namespace ledgerbridge::fortnox {

namespace {
constexpr std::int64_t kWindowMs = 5000;  ///< Fortnox's sliding window
constexpr int kMaxRateLimitRetries = 3;

std::int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string lower(std::string s) { return Poco::toLower(s); }

/// Seconds of a Retry-After header (delta-seconds); Fortnox's window when absent or unreadable.
std::int64_t retryAfterMs(const sdk::HttpResponse& r) {
    for (const auto& [name, value] : r.headers)
        if (Poco::icompare(name, "Retry-After") == 0 && !value.empty() &&
            value.find_first_not_of("0123456789") == std::string::npos && value.size() < 7)
            return std::stoll(value) * 1000;
    return kWindowMs;
}
}  // namespace

FortnoxApi::FortnoxApi(const sdk::Host& host, const FortnoxConfig& config)
    : host_(host), config_(config), window_(static_cast<std::size_t>(config.requestsPerWindow), kWindowMs) {}

FortnoxError parseError(const sdk::HttpResponse& r) {
    FortnoxError e;
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
        const auto info = root ? root->getObject("ErrorInformation") : nullptr;
        if (info) {
            // Fortnox writes both "message"/"code" and, in older answers, "Message"/"Code".
            e.message = info->has("message") ? info->getValue<std::string>("message")
                                             : info->optValue<std::string>("Message", "");
            const auto code = info->has("code") ? info->get("code") : info->get("Code");
            if (!code.isEmpty()) e.code = code.convert<long long>();
        }
    } catch (const std::exception&) {
    }
    if (e.message.empty()) e.message = "Fortnox answered " + std::to_string(r.status) + " without an error message";
    return e;
}

std::string failureReasonFor(const FortnoxError& e) {
    const std::string m = lower(e.message);
    if (m.find("konto") != std::string::npos || m.find("account") != std::string::npos) return "account_unknown";
    if (m.find("kostnadsst") != std::string::npos || m.find("cost cent") != std::string::npos ||
        m.find("projekt") != std::string::npos || m.find("project") != std::string::npos)
        return "tag_unknown";
    return "validation_failure";
}

void FortnoxApi::throwIfUnauthorised(const sdk::HttpResponse& r, const std::string& what) {
    if (r.status == 401)
        throw sdk::Error(LB_ERR_TARGET, what + ": Fortnox refused the access token (401); the connection needs to be "
                                               "authorised again");
    if (r.status == 403)
        throw sdk::Error(LB_ERR_TARGET, what + ": Fortnox refused access (403): " + parseError(r).message +
                                            "; check the app's scopes (bookkeeping connectfile archive inbox) and the "
                                            "user's licence");
}

sdk::HttpResponse FortnoxApi::get(const std::string& pathAndQuery) {
    sdk::HttpRequest req;
    req.method = "GET";
    req.url = config_.baseUrl + pathAndQuery;
    req.headers = {{"Accept", "application/json"}};
    return send(std::move(req), false);
}

sdk::HttpResponse FortnoxApi::post(const std::string& pathAndQuery, const std::string& body,
                                   const std::string& contentType) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.url = config_.baseUrl + pathAndQuery;
    req.headers = {{"Accept", "application/json"}, {"Content-Type", contentType}};
    req.body = body;
    return send(std::move(req), true);
}

void FortnoxApi::pause(std::int64_t ms) const {
    const std::int64_t until = steadyMs() + ms;
    for (std::int64_t now = steadyMs(); now < until; now = steadyMs()) {
        host_.throwIfCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(100, until - now)));
    }
}

sdk::HttpResponse FortnoxApi::send(sdk::HttpRequest req, bool write) {
    req.useTargetToken = true;
    req.timeoutMs = static_cast<std::uint32_t>(config_.timeoutSeconds) * 1000u;
    const std::string what = req.method + " " + req.url.substr(config_.baseUrl.size());
    for (int attempt = 0;; ++attempt) {
        host_.throwIfCancelled();
        window_.waitForRoom(host_);
        sdk::HttpResponse r;
        try {
            r = host_.http(req);
            window_.recordNow();
        } catch (const sdk::CancelledError&) {
            throw;
        } catch (const sdk::Error& e) {
            window_.recordNow();
            if (write) throw NoResponse(what + " got no answer; it may have been carried out (" + e.what() + ")");
            throw NotSent(what + " got no answer (" + e.what() + ")");
        }
        if (r.status != 429) return r;
        // 429: Fortnox did nothing. Wait out a short Retry-After; a long one ends the push.
        const std::int64_t waitMs = retryAfterMs(r);
        if (attempt >= kMaxRateLimitRetries || waitMs > std::int64_t{config_.maxRetryWaitSeconds} * 1000)
            throw NotSent(what + ": Fortnox's rate limit (429, Retry-After " + std::to_string(waitMs / 1000) +
                          " s); nothing was written, try again later");
        host_.warn(what + ": Fortnox answered 429; waiting " + std::to_string(waitMs) + " ms");
        pause(waitMs);
    }
}

}  // namespace ledgerbridge::fortnox
