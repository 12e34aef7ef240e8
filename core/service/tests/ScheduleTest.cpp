// Schedule: parsing (with the messages a person sees), next fire times for intervals and cron
// expressions, DST in Europe/Copenhagen, day rules, and jitter bounds with an injected RNG.
#include "ledgerbridge/service/Schedule.h"

#include <gtest/gtest.h>

#include <random>

#include "TestSupport.h"
#include "ledgerbridge/common/Exception.h"

using ledgerbridge::ConfigError;
using ledgerbridge::service::Schedule;
using lbtest::utc;

namespace {

Schedule parse(const std::string& text) { return Schedule::parse(text, "acme"); }

std::string errorOf(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(Schedule, IntervalsAreEpochAlignedAndStrictlyAfter) {
    const Schedule s = parse("every 15m");
    EXPECT_EQ(s.kind(), Schedule::Kind::Interval);
    EXPECT_EQ(s.interval(), std::chrono::minutes(15));
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 1, 10, 7, 30)), utc(2025, 1, 1, 10, 15));
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 1, 10, 15)), utc(2025, 1, 1, 10, 30));
    EXPECT_EQ(parse("every 30s").nextAfter(utc(2025, 1, 1, 0, 0, 31)), utc(2025, 1, 1, 0, 1, 0));
    EXPECT_EQ(parse("every 1h").nextAfter(utc(2025, 3, 30, 0, 30)), utc(2025, 3, 30, 1, 0));  // DST-blind
    EXPECT_EQ(parse("every 1h jitter 2m").jitter(), std::chrono::minutes(2));
}

TEST(Schedule, WeekdayMorningsInCopenhagen) {
    const Schedule s = parse("cron 0 6 * * 1-5 Europe/Copenhagen");
    // Friday 2025-01-10 07:00 CET -> Monday 2025-01-13 06:00 CET (05:00 UTC).
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 10, 6, 0)), utc(2025, 1, 13, 5, 0));
    // Across spring-forward: Friday 28 March 06:00 CET = 05:00 UTC, Monday 31 March 06:00 CEST = 04:00 UTC.
    EXPECT_EQ(s.nextAfter(utc(2025, 3, 27, 12, 0)), utc(2025, 3, 28, 5, 0));
    EXPECT_EQ(s.nextAfter(utc(2025, 3, 28, 5, 0)), utc(2025, 3, 31, 4, 0));
}

TEST(Schedule, SpringForwardGapFiresOnceAtTheChange) {
    const Schedule daily = parse("cron 30 2 * * * Europe/Copenhagen");
    // 02:30 does not exist on 2025-03-30: it fires when the clocks jump (01:00 UTC).
    EXPECT_EQ(daily.nextAfter(utc(2025, 3, 29, 12, 0)), utc(2025, 3, 30, 1, 0));
    EXPECT_EQ(daily.nextAfter(utc(2025, 3, 30, 1, 0)), utc(2025, 3, 31, 0, 30));

    const Schedule hourly = parse("cron 0 * * * * Europe/Copenhagen");
    EXPECT_EQ(hourly.nextAfter(utc(2025, 3, 30, 0, 0)), utc(2025, 3, 30, 1, 0));  // 02:00 (gap) and 03:00 coincide
    EXPECT_EQ(hourly.nextAfter(utc(2025, 3, 30, 1, 0)), utc(2025, 3, 30, 2, 0));  // then 04:00 CEST

    const Schedule quarter = parse("cron */15 2 * * * Europe/Copenhagen");
    EXPECT_EQ(quarter.nextAfter(utc(2025, 3, 29, 23, 0)), utc(2025, 3, 30, 1, 0));
    EXPECT_EQ(quarter.nextAfter(utc(2025, 3, 30, 1, 0)), utc(2025, 3, 31, 0, 0));  // no repeats
}

TEST(Schedule, FallBackFiresRepeatedTimesOnce) {
    const Schedule daily = parse("cron 30 2 * * * Europe/Copenhagen");
    // 02:30 happens twice on 2025-10-26 (00:30 and 01:30 UTC): only the first fires.
    EXPECT_EQ(daily.nextAfter(utc(2025, 10, 25, 12, 0)), utc(2025, 10, 26, 0, 30));
    EXPECT_EQ(daily.nextAfter(utc(2025, 10, 26, 0, 30)), utc(2025, 10, 27, 1, 30));
    // Asked from inside the repeated hour (second pass), the next is tomorrow.
    EXPECT_EQ(daily.nextAfter(utc(2025, 10, 26, 1, 10)), utc(2025, 10, 27, 1, 30));

    const Schedule hourly = parse("cron 0 * * * * Europe/Copenhagen");
    EXPECT_EQ(hourly.nextAfter(utc(2025, 10, 25, 23, 30)), utc(2025, 10, 26, 0, 0));  // 02:00 CEST
    EXPECT_EQ(hourly.nextAfter(utc(2025, 10, 26, 0, 0)), utc(2025, 10, 26, 2, 0));    // 03:00 CET
}

TEST(Schedule, DayOfMonthAndDayOfWeekRules) {
    // Both restricted: the 13th OR a Friday (Vixie cron).
    const Schedule either = parse("cron 0 0 13 * fri UTC");
    EXPECT_EQ(either.nextAfter(utc(2025, 6, 1, 0, 0)), utc(2025, 6, 6, 0, 0));   // Friday 6 June
    EXPECT_EQ(either.nextAfter(utc(2025, 6, 12, 0, 0)), utc(2025, 6, 13, 0, 0)); // the 13th (also a Friday)
    EXPECT_EQ(either.nextAfter(utc(2025, 7, 11, 0, 0)), utc(2025, 7, 13, 0, 0)); // Sunday 13 July
    // Only day of month restricted.
    EXPECT_EQ(parse("cron 0 0 31 * * UTC").nextAfter(utc(2025, 4, 1, 0, 0)), utc(2025, 5, 31, 0, 0));
    // Names, lists and 7 = Sunday.
    const Schedule names = parse("cron 30 8 * jan,JUL sun UTC");
    EXPECT_EQ(names.nextAfter(utc(2025, 2, 1, 0, 0)), utc(2025, 7, 6, 8, 30));
    EXPECT_EQ(parse("cron 30 8 * 1,7 7 UTC").nextAfter(utc(2025, 2, 1, 0, 0)), utc(2025, 7, 6, 8, 30));
    // Leap day.
    EXPECT_EQ(parse("cron 0 0 29 2 * UTC").nextAfter(utc(2025, 1, 1, 0, 0)), utc(2028, 2, 29, 0, 0));
}

TEST(Schedule, StepsAndRanges) {
    const Schedule s = parse("cron 5/15 9-17/4 * * * UTC");  // minutes 5,20,35,50; hours 9,13,17
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 1, 9, 5)), utc(2025, 1, 1, 9, 20));
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 1, 9, 50)), utc(2025, 1, 1, 13, 5));
    EXPECT_EQ(s.nextAfter(utc(2025, 1, 1, 17, 50)), utc(2025, 1, 2, 9, 5));
    EXPECT_EQ(parse("cron */20 * * * * UTC").nextAfter(utc(2025, 1, 1, 0, 41)), utc(2025, 1, 1, 1, 0));
}

TEST(Schedule, BadValuesNameTheConnectionAndTheProblem) {
    EXPECT_NE(errorOf("").find("connection.acme.schedule"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 6 * * 1-5").find("time zone is missing"), std::string::npos);
    EXPECT_NE(errorOf("cron 61 * * * * UTC").find("minute field"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 25 * * * UTC").find("hour field"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 0 * foo * UTC").find("month field"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 0 * * 5-1 UTC").find("backwards range"), std::string::npos);
    EXPECT_NE(errorOf("cron */0 * * * * UTC").find("step"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 0 31 2 * UTC").find("never fires"), std::string::npos);
    EXPECT_NE(errorOf("cron 0 6 * * * Mars/Olympus_Mons").find("Mars/Olympus_Mons"), std::string::npos);
    EXPECT_NE(errorOf("every 0m").find("positive duration"), std::string::npos);
    EXPECT_NE(errorOf("every 5x").find("positive duration"), std::string::npos);
    EXPECT_NE(errorOf("every 5m jitter 10m").find("shorter than the interval"), std::string::npos);
    EXPECT_NE(errorOf("every 5m jitter soon").find("jitter"), std::string::npos);
    EXPECT_NE(errorOf("weekly").find("\"every\" or \"cron\""), std::string::npos);
}

TEST(Schedule, JitterStaysWithinBounds) {
    const Schedule s = parse("every 1h jitter 2m");
    EXPECT_EQ(s.jitterDelay([] { return std::uint64_t{0}; }), std::chrono::seconds(0));
    EXPECT_EQ(s.jitterDelay([] { return std::uint64_t{120}; }), std::chrono::seconds(120));
    EXPECT_EQ(s.jitterDelay([] { return std::uint64_t{121}; }), std::chrono::seconds(0));
    EXPECT_LE(s.jitterDelay([] { return ~std::uint64_t{0}; }), std::chrono::seconds(120));
    std::mt19937_64 engine(42);
    std::chrono::seconds lo{1000}, hi{-1};
    for (int i = 0; i < 20000; ++i) {
        const auto d = s.jitterDelay([&] { return engine(); });
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_EQ(lo, std::chrono::seconds(0));
    EXPECT_EQ(hi, std::chrono::seconds(120));
    EXPECT_EQ(parse("every 1h").jitterDelay([] { return std::uint64_t{77}; }), std::chrono::seconds(0));
}
