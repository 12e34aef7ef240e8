// When and how long to wait before sending a request again. Exponential backoff with jitter
// (a random wait between half and all of base·2^(retry-1), capped), so many workers that failed
// together do not come back together; a server's Retry-After always wins over our own guess.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace ledgerbridge::http {

struct RetryOptions {
    int maxAttempts = 6;                                  ///< sends per request, the first included
    std::chrono::milliseconds baseDelay{500};
    std::chrono::milliseconds maxDelay{30000};
    std::chrono::milliseconds maxRetryAfter{300000};      ///< a longer Retry-After is not waited for
    std::chrono::milliseconds budget{600000};             ///< all waits of one client together
};

/// Whether a response status is worth another try: 408, 425, 429 and 5xx except 501/505.
bool isRetryableStatus(int status);

/// Parses a Retry-After value: delay-seconds or an HTTP-date (relative to `now`). nullopt when
/// it is absent or unreadable.
std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value,
                                                          std::chrono::system_clock::time_point now =
                                                              std::chrono::system_clock::now());

class Backoff {
public:
    explicit Backoff(RetryOptions options, std::uint64_t seed = std::random_device{}());
    /// The wait before retry number `retry` (1 = the first retry).
    std::chrono::milliseconds delay(int retry);
    const RetryOptions& options() const { return options_; }

private:
    RetryOptions options_;
    std::mt19937_64 rng_;
    std::mutex mutex_;
};

}  // namespace ledgerbridge::http
