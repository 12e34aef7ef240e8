// Xero Accounting API calls through the host, rate limits, response parsing: see XeroApi.hpp.
#include "XeroApi.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace ledgerbridge::xero {

namespace {
constexpr int kMaxRateLimitWaits = 5;                  ///< 429 waits per request
constexpr std::int64_t kDayWindowGuessMs = 3600000;    ///< when Xero gives no Retry-After for the day
constexpr std::int64_t kMinuteMs = 60000;

std::int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string text(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    try {
        return o->get(key).convert<std::string>();
    } catch (const Poco::Exception&) {
        return {};
    }
}

ElementResult elementOf(const Poco::JSON::Object::Ptr& o, const Endpoint& ep) {
    ElementResult r;
    r.id = text(o, ep.idField);
    if (r.id == "00000000-0000-0000-0000-000000000000") r.id.clear();  // Xero's "not created"
    r.reference = text(o, ep.refField);
    r.status = text(o, "Status");
    r.type = text(o, "Type");
    r.hasAttachments = text(o, "HasAttachments") == "true";
    if (const auto errors = o->getArray("ValidationErrors"))
        for (std::size_t i = 0; i < errors->size(); ++i) {
            const std::string m = text(errors->getObject(static_cast<unsigned>(i)), "Message");
            r.errors.push_back(m.empty() ? "validation error" : m);
        }
    return r;
}

Poco::JSON::Object::Ptr parseObject(const std::string& body) {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

/// Seconds of a Retry-After header (delay-seconds form); `fallback` when absent or unreadable.
std::int64_t retryAfterSeconds(const std::string& value, std::int64_t fallback) {
    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) return fallback;
    return std::stoll(value);
}
}  // namespace

std::vector<ElementResult> parseCollection(const std::string& body, const Endpoint& ep) {
    std::vector<ElementResult> out;
    try {
        const auto root = parseObject(body);
        const auto items = root ? root->getArray(ep.collection) : nullptr;
        if (!items) throw std::runtime_error(std::string("the response has no ") + ep.collection + " array");
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto o = items->getObject(static_cast<unsigned>(i));
            if (!o) throw std::runtime_error(std::string("an element of ") + ep.collection + " is not an object");
            out.push_back(elementOf(o, ep));
        }
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("the response is not JSON (" + e.displayText() + ")");
    }
    return out;
}

std::optional<ApiError> parseError(const std::string& body, const Endpoint& ep) {
    try {
        const auto root = parseObject(body);
        if (!root || (!root->has("Message") && !root->has("Elements"))) return std::nullopt;
        ApiError e;
        e.type = text(root, "Type");
        e.message = text(root, "Message");
        if (const auto elements = root->getArray("Elements"))
            for (std::size_t i = 0; i < elements->size(); ++i)
                if (const auto o = elements->getObject(static_cast<unsigned>(i))) e.elements.push_back(elementOf(o, ep));
        return e;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

std::string failureReasonFor(const std::vector<std::string>& messages) {
    for (const char* reason : {"account_unknown", "tax_code_unknown", "tag_unknown"})
        for (const std::string& m : messages) {
            const std::string l = lower(m);
            const bool account = l.find("account code") != std::string::npos || l.find("accountcode") != std::string::npos ||
                                 l.find("account could not be found") != std::string::npos;
            const bool tax = l.find("taxtype") != std::string::npos || l.find("tax type") != std::string::npos ||
                             l.find("tax rate") != std::string::npos;
            const bool tracking = l.find("tracking") != std::string::npos;
            const std::string r = reason;
            if ((r == "account_unknown" && account) || (r == "tax_code_unknown" && tax) || (r == "tag_unknown" && tracking))
                return r;
        }
    return "validation_failure";
}

std::string xeroMessage(const std::vector<std::string>& messages) {
    if (messages.empty()) return "Xero refused the document";
    std::string out = "Xero: ";
    for (std::size_t i = 0; i < messages.size(); ++i) out += (i ? "; " : "") + messages[i];
    return out;
}

std::string headerOf(const sdk::HttpResponse& r, const std::string& name) {
    const std::string wanted = lower(name);
    for (const auto& [k, v] : r.headers)
        if (lower(k) == wanted) return v;
    return {};
}

void XeroApi::throwIfUnauthorised(const sdk::HttpResponse& r, const std::string& what) {
    if (r.status == 401)
        throw sdk::Error(LB_ERR_TARGET, what + ": Xero refused the access token (401); the connection needs to be "
                                               "authorised again");
    if (r.status == 403)
        throw sdk::Error(LB_ERR_TARGET, what + ": Xero refused access (403); check that tenant_id names an "
                                               "organisation this connection may use and that the app has the scopes");
}

sdk::HttpResponse XeroApi::get(const std::string& pathAndQuery,
                               const std::vector<std::pair<std::string, std::string>>& extraHeaders) {
    sdk::HttpRequest req;
    req.method = "GET";
    req.url = config_.baseUrl + pathAndQuery;
    req.headers = {{"xero-tenant-id", config_.tenantId}, {"Accept", "application/json"}};
    req.headers.insert(req.headers.end(), extraHeaders.begin(), extraHeaders.end());
    req.timeoutMs = config_.timeoutMs;
    req.useTargetToken = true;
    return send(req, false);
}

sdk::HttpResponse XeroApi::put(const std::string& pathAndQuery, const std::string& body, const std::string& contentType,
                               const std::string& idempotencyKey) {
    sdk::HttpRequest req;
    req.method = "PUT";
    req.url = config_.baseUrl + pathAndQuery;
    req.headers = {{"xero-tenant-id", config_.tenantId},
                   {"Accept", "application/json"},
                   {"Content-Type", contentType},
                   {"Idempotency-Key", idempotencyKey}};
    req.body = body;
    req.timeoutMs = config_.timeoutMs;
    req.useTargetToken = true;
    return send(req, true);
}

sdk::HttpResponse XeroApi::send(const sdk::HttpRequest& req, bool write) {
    for (int waits = 0;; ++waits) {
        host_.throwIfCancelled();
        const std::int64_t now = host_.nowMs();
        if (dayBlockedUntilMs_ > now)
            throw NotSent("Xero's daily limit of 5,000 calls for this organisation is used up; retry in " +
                          std::to_string((dayBlockedUntilMs_ - now + 999) / 1000) + " s");
        waitForMinuteWindow();
        sdk::HttpResponse r;
        recentCallsMs_.push_back(steadyMs());
        try {
            r = host_.http(req);
        } catch (const sdk::CancelledError&) {
            throw;
        } catch (const sdk::Error& e) {
            if (write) throw NoResponse(std::string("no answer from Xero, the document may exist: ") + e.what());
            throw NotSent(std::string("no answer from Xero: ") + e.what());
        }
        const std::string dayLeft = headerOf(r, "X-DayLimit-Remaining");
        const std::string minuteLeft = headerOf(r, "X-MinLimit-Remaining");
        if (dayLeft == "0" && r.status != 429) dayBlockedUntilMs_ = host_.nowMs() + kDayWindowGuessMs;
        minuteUsedUp_ = minuteLeft == "0" && r.status != 429;
        if (r.status != 429) return r;

        const std::string problem = lower(headerOf(r, "X-Rate-Limit-Problem"));
        const std::int64_t seconds = retryAfterSeconds(headerOf(r, "Retry-After"), 60);
        if (problem == "day" || dayLeft == "0") {
            dayBlockedUntilMs_ = host_.nowMs() + seconds * 1000;
            throw NotSent("Xero's daily limit of 5,000 calls for this organisation is used up (429, "
                          "X-DayLimit-Remaining: 0); retry in " + std::to_string(seconds) + " s");
        }
        const std::string which = problem.empty() ? "rate" : problem;
        if (seconds * 1000 > config_.maxRetryWaitMs || waits >= kMaxRateLimitWaits)
            throw NotSent("Xero's " + which + " limit was hit (429); retry in " + std::to_string(seconds) + " s");
        host_.info("Xero's " + which + " limit was hit (429); waiting " + std::to_string(seconds) +
                   " s as Retry-After asks");
        pause(seconds * 1000);
    }
}

void XeroApi::waitForMinuteWindow() {
    const std::int64_t now = steadyMs();
    while (!recentCallsMs_.empty() && recentCallsMs_.front() <= now - kMinuteMs) recentCallsMs_.pop_front();
    if (!minuteUsedUp_) return;
    const std::int64_t wait = recentCallsMs_.empty() ? 0 : recentCallsMs_.front() + kMinuteMs - now;
    if (wait > config_.maxRetryWaitMs)
        throw NotSent("Xero's per-minute limit of 60 calls for this organisation is used up (X-MinLimit-Remaining: 0); "
                      "retry in " + std::to_string((wait + 999) / 1000) + " s");
    if (wait > 0) {
        host_.info("Xero's per-minute limit is used up (X-MinLimit-Remaining: 0); waiting " +
                   std::to_string((wait + 999) / 1000) + " s");
        pause(wait);
    }
    minuteUsedUp_ = false;
}

void XeroApi::pause(std::int64_t ms) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        host_.throwIfCancelled();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(100)));
    }
}

}  // namespace ledgerbridge::xero
