// Which statuses are retried, Retry-After in both forms, and the backoff's bounds.
#include <gtest/gtest.h>

#include <set>

#include "ledgerbridge/http/RetryPolicy.h"

using namespace ledgerbridge::http;
using namespace std::chrono;

TEST(RetryPolicy, RetryableStatuses) {
    for (int s : {408, 425, 429, 500, 502, 503, 504}) EXPECT_TRUE(isRetryableStatus(s)) << s;
    for (int s : {200, 201, 400, 401, 403, 404, 409, 413, 422, 501, 505}) EXPECT_FALSE(isRetryableStatus(s)) << s;
}

TEST(RetryPolicy, RetryAfterSecondsAndHttpDate) {
    EXPECT_EQ(parseRetryAfter("3")->count(), 3000);
    EXPECT_EQ(parseRetryAfter(" 0 ")->count(), 0);
    auto now = system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now)->count(), 30000);
    EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:40:00 GMT", now)->count(), 0);  // in the past: at once
    EXPECT_FALSE(parseRetryAfter(""));
    EXPECT_FALSE(parseRetryAfter("soon"));
    EXPECT_FALSE(parseRetryAfter("-5"));
    EXPECT_FALSE(parseRetryAfter("99999999999999999999"));
}

TEST(RetryPolicy, BackoffGrowsWithJitterWithinBounds) {
    RetryOptions o;
    o.baseDelay = milliseconds(100);
    o.maxDelay = milliseconds(1000);
    Backoff b(o, 7);
    std::set<long long> seen;
    for (int retry = 1; retry <= 8; ++retry) {
        long long cap = std::min<long long>(100LL << (retry - 1), 1000);
        for (int i = 0; i < 50; ++i) {
            long long d = b.delay(retry).count();
            ASSERT_GE(d, cap / 2) << "retry " << retry;
            ASSERT_LE(d, cap) << "retry " << retry;
            seen.insert(d);
        }
    }
    EXPECT_GT(seen.size(), 20u);  // jittered, not a fixed schedule
}
