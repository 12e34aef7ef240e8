// A request budget per minute, shared by every thread that talks to one API (Pleo allows 600
// requests a minute per client; we stay below with a default of 500). A token bucket: a burst
// of up to `perMinute / 10` requests is allowed, then requests are spaced evenly. Waiting is
// interruptible through the cancellation flag.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

namespace ledgerbridge::http {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    /// `sleep` is how waiting happens (tests pass a fake that advances their clock).
    using SleepFn = std::function<void(std::chrono::milliseconds)>;
    using NowFn = std::function<Clock::time_point()>;

    /// `perMinute` 0 disables limiting.
    explicit RateLimiter(int perMinute, SleepFn sleep = {}, NowFn now = {});

    /// Blocks until one request may be sent. Returns false when `cancel` was set meanwhile.
    bool acquire(const std::atomic<bool>* cancel = nullptr);

    /// Nobody sends before `until` (a 429's Retry-After applies to every caller).
    void pauseUntil(Clock::time_point until);

    int perMinute() const { return perMinute_; }

private:
    int perMinute_;
    double capacity_;
    double tokens_;
    Clock::time_point last_;
    Clock::time_point pausedUntil_;
    SleepFn sleep_;
    NowFn now_;
    std::mutex mutex_;
};

}  // namespace ledgerbridge::http
