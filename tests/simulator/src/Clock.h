// Simulated time: starts at the real wall-clock time and runs `scale` times faster, so token,
// job and receipt-URL expiry can be tested in seconds. Admin can also jump it forward.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace lbsim {

class Clock {
public:
    explicit Clock(double scale);
    /// Simulated now, in whole seconds since the Unix epoch.
    std::int64_t now() const;
    /// Moves simulated time forward by `seconds` (admin /admin/clock/advance).
    void advance(std::int64_t seconds);
    double scale() const { return scale_; }
    /// Converts simulated seconds into real seconds (for Retry-After and similar), at least 1.
    std::int64_t toRealSeconds(std::int64_t simulated) const;

private:
    double scale_;
    std::int64_t startEpoch_;
    std::chrono::steady_clock::time_point startSteady_;
    std::atomic<std::int64_t> offset_{0};
};

/// Formats epoch seconds as ISO-8601 UTC, e.g. 2026-11-07T05:31:56Z.
std::string isoTime(std::int64_t epochSeconds);

}  // namespace lbsim
