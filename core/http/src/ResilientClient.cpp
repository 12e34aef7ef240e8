// Retries, rate limit and counters around one transport: see ResilientClient.h.
#include "ledgerbridge/http/ResilientClient.h"

#include <Poco/URI.h>

#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/http/Completeness.h"

namespace ledgerbridge::http {

namespace {
/// An answer that ended early (Completeness.h): handled like a broken connection.
struct CutShort {
    std::string why;
};

std::string where(const std::string& url) {
    try {
        Poco::URI uri(url);
        return uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
    } catch (...) {
        return "(unparseable URL)";
    }
}
}  // namespace

ResilientClient::ResilientClient(std::string name, http::HttpTransport& transport, RateLimiter& limiter,
                                 RetryOptions options, const std::atomic<bool>* cancel, SleepFn sleep)
    : name_(std::move(name)),
      transport_(transport),
      limiter_(limiter),
      backoff_(options),
      cancel_(cancel),
      sleep_(sleep ? std::move(sleep) : SleepFn([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })) {}

ClientStats ResilientClient::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

void ResilientClient::record(int status) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.requests;
        if (status == 0)
            ++stats_.networkErrors;
        else
            ++stats_.byStatus[status];
    }
    if (hook_) hook_(status);
}

void ResilientClient::wait(std::chrono::milliseconds d) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        waited_ += d;
        ++stats_.retries;
    }
    // Sleep in short slices so a cancellation is noticed quickly.
    for (auto left = d; left.count() > 0;) {
        if (cancel_ && cancel_->load()) throw InterruptedError("Stopped while waiting to retry a request to " + name_ + ".");
        auto slice = std::min(left, std::chrono::milliseconds(200));
        sleep_(slice);
        left -= slice;
    }
}

HttpResponse ResilientClient::send(const HttpRequest& request, bool idempotent) {
    const RetryOptions& opt = backoff_.options();
    const std::string target = request.method + " " + where(request.url);
    for (int attempt = 1;; ++attempt) {
        if (!limiter_.acquire(cancel_)) throw InterruptedError("Stopped before sending " + target + ".");
        std::chrono::milliseconds pause{0};
        std::string why;
        bool last = attempt >= opt.maxAttempts;
        try {
            HttpResponse response = transport_.send(request);
            record(response.status);
            if (std::string cut = cutShort(response, request.method); !cut.empty()) throw CutShort{cut};
            bool retryable = response.status == 429 || (idempotent && isRetryableStatus(response.status));
            if (!retryable) return response;
            why = "HTTP " + std::to_string(response.status);
            auto retryAfter = parseRetryAfter(response.header("Retry-After"));
            if (retryAfter && *retryAfter > opt.maxRetryAfter)
                throw HttpStatusError(name_ + " asked us to wait " + std::to_string(retryAfter->count() / 1000) +
                                          " s before retrying " + target + ", longer than the " +
                                          std::to_string(opt.maxRetryAfter.count() / 1000) + " s we wait; try again later.",
                                      response.status);
            pause = retryAfter ? *retryAfter : backoff_.delay(attempt);
            if (response.status == 429) limiter_.pauseUntil(RateLimiter::Clock::now() + pause);
            if (last)
                throw HttpStatusError(name_ + " answered " + why + " to " + target + " " + std::to_string(attempt) +
                                          " times in a row; giving up for now (the work is kept and resumes on the next run).",
                                      response.status);
        } catch (const NetworkError& e) {
            record(0);
            if (!idempotent || last) throw;
            why = e.what();
            pause = backoff_.delay(attempt);
        } catch (const CutShort& cut) {
            // Not the server's answer but part of it: for an idempotent request, exactly a
            // broken connection (send again); otherwise the request may have been carried out.
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++stats_.cutShort;
            }
            if (!idempotent)
                throw NetworkError(name_ + "'s answer to " + target + " was cut short (" + cut.why +
                                   "); the request may have been carried out.");
            if (last)
                throw NetworkError(name_ + "'s answer to " + target + " was cut short " + std::to_string(attempt) +
                                   " times in a row (" + cut.why +
                                   "); giving up for now (the work is kept and resumes on the next run).");
            why = "answer cut short: " + cut.why;
            pause = backoff_.delay(attempt);
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (waited_ + pause > opt.budget)
                throw NetworkError("The retry budget for " + name_ + " (" + std::to_string(opt.budget.count() / 1000) +
                                   " s of waiting) is used up; last failure: " + why + " on " + target + ".");
        }
        log::warn("retrying a request", {{"api", name_}, {"request", target}, {"reason", why},
                                          {"attempt", attempt + 1}, {"wait_ms", pause.count()}});
        wait(pause);
    }
}

}  // namespace ledgerbridge::http
