// A plugin's own pacing under a target's published request limit ("at most N requests in any
// sliding window of W"), so the target's 429 stays the exception. Header-only: plugins built
// against the installed SDK need nothing more than this header and plugin.hpp.
//
// A request counts from the moment its answer arrived (record() after host.http() returns):
// the target saw it no later than that, so a window measured from there never undercounts the
// target's own window.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <thread>

#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sdk {

class RequestWindow {
public:
    /// At most `limit` requests in any `windowMs`; limit 0 paces nothing.
    RequestWindow(std::size_t limit, std::int64_t windowMs) : limit_(limit), windowMs_(windowMs) {}

    /// Milliseconds to wait before one more request fits the window at `nowMs` (0: send now).
    std::int64_t waitMs(std::int64_t nowMs) {
        while (!answeredMs_.empty() && answeredMs_.front() <= nowMs - windowMs_) answeredMs_.pop_front();
        if (limit_ == 0 || answeredMs_.size() < limit_) return 0;
        return answeredMs_.front() + windowMs_ - nowMs;
    }

    /// A request was answered (or failed without an answer) at `nowMs`.
    void record(std::int64_t nowMs) {
        answeredMs_.push_back(nowMs);
        // Only the newest `limit` answers decide a wait; drop older ones so the memory stays bounded.
        while (limit_ > 0 && answeredMs_.size() > limit_) answeredMs_.pop_front();
    }

    /// Blocks until one more request fits, checking the host's cancellation every 100 ms.
    void waitForRoom(const Host& host) {
        for (std::int64_t left = waitMs(nowMs()); left > 0; left = waitMs(nowMs())) {
            host.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(100, left)));
        }
    }

    /// record(nowMs()).
    void recordNow() { record(nowMs()); }

    /// The steady clock in milliseconds (the clock waitForRoom() and recordNow() use).
    static std::int64_t nowMs() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

private:
    std::size_t limit_;
    std::int64_t windowMs_;
    std::deque<std::int64_t> answeredMs_;  ///< answer times, oldest first, at most limit_ of them
};

}  // namespace ledgerbridge::sdk
