// Token bucket: see RateLimiter.h.
#include "ledgerbridge/http/RateLimiter.h"

#include <algorithm>
#include <thread>

namespace ledgerbridge::http {

RateLimiter::RateLimiter(int perMinute, SleepFn sleep, NowFn now)
    : perMinute_(std::max(0, perMinute)),
      capacity_(std::max(1.0, perMinute_ / 10.0)),
      tokens_(capacity_),
      sleep_(sleep ? std::move(sleep) : SleepFn([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })),
      now_(now ? std::move(now) : NowFn([] { return Clock::now(); })) {
    last_ = now_();
    pausedUntil_ = last_;
}

void RateLimiter::pauseUntil(Clock::time_point until) {
    std::lock_guard<std::mutex> lock(mutex_);
    pausedUntil_ = std::max(pausedUntil_, until);
}

bool RateLimiter::acquire(const std::atomic<bool>* cancel) {
    for (;;) {
        if (cancel && cancel->load()) return false;
        std::chrono::milliseconds wait{0};
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto now = now_();
            if (now < pausedUntil_) {
                wait = std::chrono::duration_cast<std::chrono::milliseconds>(pausedUntil_ - now) + std::chrono::milliseconds(1);
            } else if (perMinute_ == 0) {
                return true;
            } else {
                double elapsedMin = std::chrono::duration<double>(now - last_).count() / 60.0;
                tokens_ = std::min(capacity_, tokens_ + elapsedMin * perMinute_);
                last_ = now;
                if (tokens_ >= 1.0) {
                    tokens_ -= 1.0;
                    return true;
                }
                double missingMs = (1.0 - tokens_) / perMinute_ * 60000.0;
                wait = std::chrono::milliseconds(static_cast<long long>(missingMs) + 1);
            }
        }
        // Sleep in short slices so a cancellation is noticed quickly.
        sleep_(std::min(wait, std::chrono::milliseconds(200)));
    }
}

}  // namespace ledgerbridge::http
