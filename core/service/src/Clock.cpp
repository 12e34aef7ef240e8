// The manual test clock: waiters register their mutex and condition variable so that moving
// the clock can wake them without a lost-wakeup race.
#include "ledgerbridge/service/Clock.h"

#include <algorithm>

namespace ledgerbridge::service {

Clock::TimePoint ManualClock::now() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return now_;
}

void ManualClock::waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, TimePoint deadline) {
    const std::pair<std::mutex*, std::condition_variable*> me{lock.mutex(), &cv};
    {
        std::lock_guard<std::mutex> guard(mutex_);
        if (now_ >= deadline) return;
        waiters_.push_back(me);
    }
    // The caller's mutex is held from registration until wait() releases it, and wakeAll()
    // takes that mutex before notifying, so a move of the clock cannot slip in between.
    cv.wait(lock);
    std::lock_guard<std::mutex> guard(mutex_);
    const auto it = std::find(waiters_.begin(), waiters_.end(), me);
    if (it != waiters_.end()) waiters_.erase(it);
}

void ManualClock::set(TimePoint t) {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        now_ = t;
    }
    wakeAll();
}

void ManualClock::advance(std::chrono::system_clock::duration d) {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        now_ += d;
    }
    wakeAll();
}

void ManualClock::wakeAll() {
    std::vector<std::pair<std::mutex*, std::condition_variable*>> waiters;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        waiters = waiters_;
    }
    for (auto& [m, cv] : waiters) {
        std::lock_guard<std::mutex> guard(*m);
        cv->notify_all();
    }
}

}  // namespace ledgerbridge::service
