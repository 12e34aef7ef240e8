// Backoff and Retry-After: see RetryPolicy.h.
#include "ledgerbridge/http/RetryPolicy.h"

#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <cctype>

namespace ledgerbridge::http {

bool isRetryableStatus(int status) {
    if (status == 408 || status == 425 || status == 429) return true;
    return status >= 500 && status <= 599 && status != 501 && status != 505;
}

std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& raw, std::chrono::system_clock::time_point now) {
    std::string value = raw;
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(value.begin());
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (value.size() > 9) return std::nullopt;  // beyond any sensible wait: treat as unreadable
        return std::chrono::milliseconds(std::stoll(value) * 1000);
    }
    try {
        int tzd = 0;
        Poco::DateTime when = Poco::DateTimeParser::parse(value, tzd);
        auto at = std::chrono::system_clock::from_time_t(when.timestamp().epochTime() - tzd);
        auto diff = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
        return std::max(diff, std::chrono::milliseconds(0));
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

Backoff::Backoff(RetryOptions options, std::uint64_t seed) : options_(options), rng_(seed) {}

std::chrono::milliseconds Backoff::delay(int retry) {
    long long cap = options_.baseDelay.count();
    for (int i = 1; i < retry && cap < options_.maxDelay.count(); ++i) cap *= 2;
    cap = std::min<long long>(cap, options_.maxDelay.count());
    std::lock_guard<std::mutex> lock(mutex_);
    std::uniform_int_distribution<long long> pick(cap / 2, std::max<long long>(cap, 1));
    // "Equal jitter": at least half the exponential step, so retries never hammer at once,
    // plus a random half so synchronized workers spread out.
    return std::chrono::milliseconds(pick(rng_));
}

}  // namespace ledgerbridge::http
