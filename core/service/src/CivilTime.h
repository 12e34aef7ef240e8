// Proleptic Gregorian calendar arithmetic on plain integers (days since 1970-01-01), after
// Howard Hinnant's public-domain algorithms. Internal to the service module: the time zone and
// schedule code convert between "seconds since the epoch" and calendar fields with it, without
// touching the process's TZ or the C library's global state.
#pragma once

#include <cstdint>

namespace ledgerbridge::service::civil {

struct Date {
    std::int64_t year;
    int month;  ///< 1..12
    int day;    ///< 1..31
};

inline std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

/// Days since 1970-01-01 of the given date (month 1..12, day 1..31).
inline std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = floorDiv(y, 400);
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (m + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/// The date of a day number (days since 1970-01-01).
inline Date civilFromDays(std::int64_t z) {
    z += 719468;
    const std::int64_t era = floorDiv(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return Date{yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

/// 0 = Sunday ... 6 = Saturday.
inline int weekday(std::int64_t days) {
    const std::int64_t w = (days + 4) % 7;  // 1970-01-01 was a Thursday
    return static_cast<int>(w < 0 ? w + 7 : w);
}

inline bool isLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int daysInMonth(std::int64_t y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace ledgerbridge::service::civil
