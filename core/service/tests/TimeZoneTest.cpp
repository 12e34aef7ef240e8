// TimeZone: TZif reading and POSIX rules, checked against known Copenhagen transitions and
// against glibc's own reading of the same zones.
#include "ledgerbridge/service/TimeZone.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "TestSupport.h"
#include "ledgerbridge/common/Exception.h"

using ledgerbridge::ConfigError;
using ledgerbridge::service::LocalResolution;
using ledgerbridge::service::TimeZone;
using lbtest::utcSeconds;

TEST(TimeZone, CopenhagenOffsetsAndExactTransitions) {
    const auto tz = TimeZone::load("Europe/Copenhagen");
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 1, 15, 12, 0)), 3600);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 7, 1, 12, 0)), 7200);
    // 2025-03-30 01:00 UTC: 02:00 CET -> 03:00 CEST; 2025-10-26 01:00 UTC: 03:00 CEST -> 02:00 CET.
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 3, 30, 0, 59, 59)), 3600);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 3, 30, 1, 0, 0)), 7200);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 10, 26, 0, 59, 59)), 7200);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2025, 10, 26, 1, 0, 0)), 3600);
}

TEST(TimeZone, FarFutureUsesTheFooterRule) {
    const auto tz = TimeZone::load("Europe/Copenhagen");
    EXPECT_EQ(tz->offsetAt(utcSeconds(2100, 1, 10, 0, 0)), 3600);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2100, 7, 10, 0, 0)), 7200);
    // Last Sunday of March 2100 is the 28th.
    EXPECT_EQ(tz->offsetAt(utcSeconds(2100, 3, 28, 0, 59, 59)), 3600);
    EXPECT_EQ(tz->offsetAt(utcSeconds(2100, 3, 28, 1, 0, 0)), 7200);
}

TEST(TimeZone, ResolvesGapsAndRepeatedHours) {
    const auto tz = TimeZone::load("Europe/Copenhagen");
    const LocalResolution gap = tz->resolve(utcSeconds(2025, 3, 30, 2, 30));  // local 02:30 does not exist
    EXPECT_EQ(gap.kind, LocalResolution::Kind::Gap);
    EXPECT_EQ(gap.first, utcSeconds(2025, 3, 30, 1, 0));
    const LocalResolution twice = tz->resolve(utcSeconds(2025, 10, 26, 2, 30));  // exists twice
    EXPECT_EQ(twice.kind, LocalResolution::Kind::Ambiguous);
    EXPECT_EQ(twice.first, utcSeconds(2025, 10, 26, 0, 30));
    EXPECT_EQ(twice.second, utcSeconds(2025, 10, 26, 1, 30));
    const LocalResolution plain = tz->resolve(utcSeconds(2025, 6, 1, 12, 0));
    EXPECT_EQ(plain.kind, LocalResolution::Kind::Unique);
    EXPECT_EQ(plain.first, utcSeconds(2025, 6, 1, 10, 0));
}

TEST(TimeZone, PosixRulesMatchTheTables) {
    struct Case {
        const char* zone;
        const char* rule;
    } cases[] = {{"Europe/Copenhagen", "CET-1CEST,M3.5.0,M10.5.0/3"},
                 {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
                 {"Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"}};
    for (const auto& c : cases) {
        const auto table = TimeZone::load(c.zone);
        const auto rule = TimeZone::fromPosixRule(c.zone, c.rule);
        for (std::int64_t t = utcSeconds(2015, 1, 1, 0, 0); t < utcSeconds(2030, 1, 1, 0, 0); t += 1800)
            ASSERT_EQ(table->offsetAt(t), rule->offsetAt(t)) << c.zone << " at " << t;
    }
}

TEST(TimeZone, AgreesWithGlibc) {
    // glibc reads the same files independently; the test is single-threaded here, so switching
    // TZ for the comparison is safe.
    const char* old = std::getenv("TZ");
    const std::string saved = old != nullptr ? old : "";
    for (const char* zone : {"Europe/Copenhagen", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham", "UTC"}) {
        const auto tz = TimeZone::load(zone);
        setenv("TZ", (std::string(":") + zone).c_str(), 1);
        tzset();
        for (std::int64_t t = utcSeconds(1990, 1, 1, 0, 0); t < utcSeconds(2045, 1, 1, 0, 0); t += 7 * 3600 + 17) {
            const std::time_t tt = static_cast<std::time_t>(t);
            std::tm tm{};
            localtime_r(&tt, &tm);
            ASSERT_EQ(tz->offsetAt(t), tm.tm_gmtoff) << zone << " at " << t;
        }
    }
    if (old != nullptr) setenv("TZ", saved.c_str(), 1);
    else unsetenv("TZ");
    tzset();
}

TEST(TimeZone, RefusesBadNamesAndFiles) {
    EXPECT_THROW(TimeZone::load("../etc/passwd"), ConfigError);
    EXPECT_THROW(TimeZone::load("/etc/localtime"), ConfigError);
    try {
        TimeZone::load("Europe/Atlantis");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("tzdata"), std::string::npos) << e.what();
    }
    EXPECT_THROW(TimeZone::fromTzif("X", "not a tzif file at all, really not one, nope nope"), ConfigError);
    EXPECT_THROW(TimeZone::fromPosixRule("X", "CET-1CEST,M13.5.0,M10.5.0"), ConfigError);
}
