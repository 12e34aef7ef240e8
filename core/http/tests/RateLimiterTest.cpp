// The rate limiter against a fake clock: bursts, steady spacing, Retry-After pauses, cancel.
#include <gtest/gtest.h>

#include "ledgerbridge/http/RateLimiter.h"

using namespace ledgerbridge::http;
using namespace std::chrono;

namespace {
struct FakeTime {
    RateLimiter::Clock::time_point now = RateLimiter::Clock::time_point(hours(1));
    milliseconds slept{0};
    RateLimiter::SleepFn sleep() {
        return [this](milliseconds d) {
            now += d;
            slept += d;
        };
    }
    RateLimiter::NowFn clock() {
        return [this] { return now; };
    }
};
}  // namespace

TEST(RateLimiter, AllowsABurstThenSpacesRequestsToTheBudget) {
    FakeTime t;
    RateLimiter limiter(600, t.sleep(), t.clock());  // 10 per second, burst of 60
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(limiter.acquire());
    EXPECT_EQ(t.slept.count(), 0);
    for (int i = 0; i < 600; ++i) ASSERT_TRUE(limiter.acquire());
    // 600 more at 10/s take about a minute of (fake) waiting, never less.
    EXPECT_GE(t.slept.count(), 59000);
    EXPECT_LE(t.slept.count(), 61000);
}

TEST(RateLimiter, NeverExceedsTheBudgetInAnyMinute) {
    FakeTime t;
    RateLimiter limiter(500, t.sleep(), t.clock());
    std::vector<RateLimiter::Clock::time_point> sent;
    for (int i = 0; i < 2000; ++i) {
        ASSERT_TRUE(limiter.acquire());
        sent.push_back(t.now);
    }
    // Sliding one-minute windows: at most budget + burst (the bucket starts full).
    std::size_t lo = 0;
    for (std::size_t hi = 0; hi < sent.size(); ++hi) {
        while (sent[hi] - sent[lo] >= minutes(1)) ++lo;
        ASSERT_LE(hi - lo + 1, 500u + 50u) << "at request " << hi;
    }
}

TEST(RateLimiter, PauseUntilHoldsEveryCaller) {
    FakeTime t;
    RateLimiter limiter(0, t.sleep(), t.clock());  // unlimited, but a 429 still pauses
    limiter.pauseUntil(t.now + seconds(7));
    ASSERT_TRUE(limiter.acquire());
    EXPECT_GE(t.slept.count(), 7000);
}

TEST(RateLimiter, CancellationEndsTheWait) {
    FakeTime t;
    std::atomic<bool> cancel{false};
    int sleeps = 0;
    RateLimiter limiter(
        60, [&](milliseconds d) { t.now += d; if (++sleeps == 3) cancel = true; }, t.clock());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(limiter.acquire(&cancel));  // the burst
    EXPECT_FALSE(limiter.acquire(&cancel));
}
