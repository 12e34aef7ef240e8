// IANA time zones read straight from the system's compiled tz database (TZif files, RFC 8536,
// normally /usr/share/zoneinfo from Debian's tzdata package), including the POSIX TZ rule in
// the file's footer that covers times after its last listed transition.
//
// Why our own reader instead of localtime_r with a temporary TZ: TZ is process-global, so
// switching it would change the local time every other thread sees (log timestamps, Poco,
// SQLite) even under a mutex of ours. A TimeZone is an immutable value: thread-safe, and
// independent of the process's TZ variable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ledgerbridge::service {

/// How a local wall-clock time maps back to UTC.
struct LocalResolution {
    enum class Kind {
        Unique,     ///< exists once: `first` == `second`
        Ambiguous,  ///< exists twice (clocks went back): `first` < `second`
        Gap         ///< does not exist (clocks went forward): `first` is the transition instant
    };
    Kind kind = Kind::Unique;
    std::int64_t first = 0;   ///< seconds since the epoch (UTC)
    std::int64_t second = 0;
};

class TimeZone {
public:
    /// Loads zone `name` ("Europe/Copenhagen", "UTC") from `zoneinfoDir` (empty: $TZDIR when
    /// set, else /usr/share/zoneinfo). Throws ConfigError when the name is not a plain relative
    /// zone name, the file is missing (says to install tzdata or fix the name) or is not a TZif
    /// file.
    static std::shared_ptr<const TimeZone> load(const std::string& name, const std::string& zoneinfoDir = {});

    /// Builds a zone from the bytes of a TZif file (tests, embedded zones). Throws ConfigError
    /// naming `name` when the bytes are not a valid TZif file.
    static std::shared_ptr<const TimeZone> fromTzif(const std::string& name, const std::string& bytes);

    /// Builds a zone from a POSIX TZ rule alone ("CET-1CEST,M3.5.0,M10.5.0/3"). Throws ConfigError.
    static std::shared_ptr<const TimeZone> fromPosixRule(const std::string& name, const std::string& rule);

    const std::string& name() const { return name_; }

    /// The offset from UTC (seconds, east positive) in effect at `utcSeconds`.
    int offsetAt(std::int64_t utcSeconds) const;

    /// Where the wall-clock time `localSeconds` (local calendar time counted as if it were UTC)
    /// falls in UTC.
    LocalResolution resolve(std::int64_t localSeconds) const;

    struct Rule;  // the parsed POSIX TZ footer (internal)

private:
    TimeZone() = default;

    std::string name_;
    std::vector<std::int64_t> transitions_;    ///< UTC seconds, ascending
    std::vector<int> transitionOffsets_;       ///< the offset from each transition on
    int initialOffset_ = 0;                    ///< before the first transition
    std::shared_ptr<const Rule> rule_;         ///< after the last transition (may be null)
};

}  // namespace ledgerbridge::service
