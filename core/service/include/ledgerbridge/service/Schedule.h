// When a connection runs in service mode: the parsed `connection.NAME.schedule` value.
//
//   every 15m                                  an interval (s, m, h or d), aligned to the Unix
//                                              epoch so "every 15m" fires at :00, :15, :30, :45 UTC
//   cron 0 6 * * 1-5 Europe/Copenhagen         minute hour day-of-month month day-of-week, then
//                                              an IANA time zone (required)
//   ... jitter 2m                              either form may end with a random delay of up to
//                                              this long, added to every fire time
//
// Cron fields accept `*`, numbers, lists (1,15), ranges (1-5), steps (*/10, 0-30/5, 5/15) and
// English month and day names (jan..dec, sun..sat; 7 is Sunday too). As in Vixie cron, when
// both day fields are restricted (neither starts with `*`), a day matches if either matches.
//
// Daylight saving time: a wall-clock time that does not exist (clocks went forward) fires at
// the instant of the change; one that exists twice (clocks went back) fires once, at its first
// occurrence. Intervals count real elapsed time and ignore DST.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledgerbridge/service/TimeZone.h"

namespace ledgerbridge::service {

/// A source of uniformly distributed 64-bit random numbers (injectable for tests).
using RandomSource = std::function<std::uint64_t()>;

/// A RandomSource backed by a std::mt19937_64 seeded from std::random_device.
RandomSource defaultRandomSource();

class Schedule {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    enum class Kind { Interval, Cron };

    /// Parses `text` for connection `connection`. Throws ConfigError naming the connection, the
    /// key (connection.NAME.schedule), what is wrong and an example of a valid value — also when
    /// a cron expression can never fire (e.g. "0 0 31 2 *"). `zoneinfoDir` as in TimeZone::load.
    /// `keyName`: the connection's key the text comes from, for the message ("schedule", or
    /// "sync_schedule" for the master-data sync's schedule).
    static Schedule parse(const std::string& text, const std::string& connection, const std::string& zoneinfoDir = {},
                          const std::string& keyName = "schedule");

    Kind kind() const { return kind_; }
    const std::string& text() const { return text_; }
    std::chrono::seconds interval() const { return interval_; }  ///< Interval kind only
    std::chrono::seconds jitter() const { return jitter_; }
    /// The cron schedule's zone (null for intervals).
    const std::shared_ptr<const TimeZone>& timeZone() const { return zone_; }

    /// The first nominal fire time strictly after `after`, without jitter. Never throws for a
    /// parsed schedule (parse checked that it fires).
    TimePoint nextAfter(TimePoint after) const;

    /// A delay drawn uniformly from [0, jitter()] (whole seconds) using `random`.
    std::chrono::seconds jitterDelay(const RandomSource& random) const;

    struct Fields;  // the parsed cron fields (internal)

private:
    Schedule() = default;
    std::int64_t nextCron(std::int64_t after) const;

    Kind kind_ = Kind::Interval;
    std::string text_;
    std::chrono::seconds interval_{0};
    std::chrono::seconds jitter_{0};
    std::shared_ptr<const TimeZone> zone_;
    std::shared_ptr<const Fields> fields_;
};

}  // namespace ledgerbridge::service
