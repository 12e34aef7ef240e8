// Simulated clock with a time-scale factor.
#include "Clock.h"

#include <ctime>

namespace lbsim {

Clock::Clock(double scale)
    : scale_(scale),
      startEpoch_(static_cast<std::int64_t>(std::time(nullptr))),
      startSteady_(std::chrono::steady_clock::now()) {}

std::int64_t Clock::now() const {
    auto real = std::chrono::duration<double>(std::chrono::steady_clock::now() - startSteady_).count();
    return startEpoch_ + static_cast<std::int64_t>(real * scale_) + offset_.load();
}

void Clock::advance(std::int64_t seconds) { offset_ += seconds; }

std::int64_t Clock::toRealSeconds(std::int64_t simulated) const {
    auto r = static_cast<std::int64_t>(static_cast<double>(simulated) / scale_ + 0.999);
    return r < 1 ? 1 : r;
}

std::string isoTime(std::int64_t epochSeconds) {
    std::time_t t = static_cast<std::time_t>(epochSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace lbsim
