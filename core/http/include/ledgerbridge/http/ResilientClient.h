// The host's HTTP client for APIs (Pleo, and ERPs on behalf of plugins): one transport (TLS
// verified, see oauth/HttpTransport.h) plus everything that must be the same for every call —
// the shared rate limit, retries with backoff on 429/5xx/network errors, Retry-After, a
// bounded retry budget, cancellation, and counters for reports and metrics.
//
// What is retried: a 429 always (the server did not act on it); other retryable statuses,
// network errors and answers cut short (fewer bytes than their Content-Length, JSON that ends
// early: see Completeness.h) only for requests marked idempotent, because a POST that timed out
// may have been carried out. Callers that send non-idempotent requests handle the consequences (a 409
// for a job that exists, a 422 for an event already applied).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

#include "ledgerbridge/http/RateLimiter.h"
#include "ledgerbridge/http/RetryPolicy.h"
#include "ledgerbridge/http/HttpTransport.h"

namespace ledgerbridge::http {

using http::HttpRequest;
using http::HttpResponse;

struct ClientStats {
    std::int64_t requests = 0;        ///< sends, retries included
    std::int64_t retries = 0;
    std::int64_t networkErrors = 0;
    std::int64_t cutShort = 0;        ///< answers that ended early (Completeness.h), each retried or fatal
    std::map<int, std::int64_t> byStatus;
};

class ResilientClient {
public:
    using SleepFn = std::function<void(std::chrono::milliseconds)>;

    /// `transport` and `limiter` are not owned; `cancel` may be null. `name` names the API in
    /// messages ("Pleo").
    ResilientClient(std::string name, http::HttpTransport& transport, RateLimiter& limiter, RetryOptions options = {},
                    const std::atomic<bool>* cancel = nullptr, SleepFn sleep = {});

    /// Sends `request`, retrying as described above. Returns the final response, whatever its
    /// status (the caller maps 4xx to its own errors), and never one known to be cut short.
    /// Throws NetworkError when the host stays unreachable or its answers keep arriving cut short
    /// (at once for a request not idempotent), HttpStatusError when retryable statuses outlast the attempts or budget
    /// (message with the status and the API's name), InterruptedError when cancelled.
    HttpResponse send(const HttpRequest& request, bool idempotent = true);

    ClientStats stats() const;
    /// Called after every response with its status, or 0 for a network error (metrics hook).
    void onResponse(std::function<void(int)> hook) { hook_ = std::move(hook); }

private:
    void wait(std::chrono::milliseconds d);
    void record(int status);

    std::string name_;
    http::HttpTransport& transport_;
    RateLimiter& limiter_;
    Backoff backoff_;
    const std::atomic<bool>* cancel_;
    SleepFn sleep_;
    std::function<void(int)> hook_;
    mutable std::mutex mutex_;
    ClientStats stats_;
    std::chrono::milliseconds waited_{0};
};

}  // namespace ledgerbridge::http
