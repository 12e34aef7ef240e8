// The service's notion of time, injectable so tests drive the scheduler with a manual clock
// instead of sleeping. Wall-clock time (system_clock) because schedules are about calendar time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

namespace ledgerbridge::service {

class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;

    virtual TimePoint now() const = 0;

    /// Blocks on `cv` (with `lock` held on entry and on return, as in condition_variable::wait)
    /// until `deadline` has passed on this clock, or `cv` is notified, or spuriously. Callers
    /// re-check their condition in a loop.
    virtual void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline) = 0;
};

/// The real clock.
class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
    void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline) override {
        cv.wait_until(lock, deadline);
    }
};

/// Simulated time running `scale` times faster than real time from `start` (end-to-end tests
/// against the Pleo simulator's time scale: with scale 3600 an hourly schedule fires every real
/// second). Precondition: scale > 0.
class ScaledClock final : public Clock {
public:
    ScaledClock(TimePoint start, double scale)
        : start_(start), realStart_(std::chrono::steady_clock::now()), scale_(scale) {}

    TimePoint now() const override {
        const std::chrono::duration<double> real = std::chrono::steady_clock::now() - realStart_;
        return start_ + std::chrono::duration_cast<TimePoint::duration>(real * scale_);
    }
    void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline) override {
        const std::chrono::duration<double> simulated = deadline - now();
        if (simulated.count() <= 0) return;
        cv.wait_for(lock, std::chrono::duration_cast<std::chrono::nanoseconds>(simulated / scale_));
    }

private:
    TimePoint start_;
    std::chrono::steady_clock::time_point realStart_;
    double scale_;
};

/// A clock that moves only when told to (tests). advance()/set() wake every waiter so it can
/// re-check its deadline. Waiters must outlive any concurrent advance() call.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : now_(start) {}

    TimePoint now() const override;
    void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline) override;

    void set(TimePoint t);
    void advance(std::chrono::system_clock::duration d);

private:
    void wakeAll();

    mutable std::mutex mutex_;
    TimePoint now_;
    std::vector<std::pair<std::mutex*, std::condition_variable*>> waiters_;
};

}  // namespace ledgerbridge::service
