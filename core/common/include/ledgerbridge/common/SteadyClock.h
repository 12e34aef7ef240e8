// Milliseconds on the steady clock: for deadlines that must not move with the wall clock, and
// that a parent and its plugin host compare (one host, one CLOCK_MONOTONIC).
#pragma once

#include <chrono>
#include <cstdint>

namespace ledgerbridge {

inline std::int64_t steadyNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace ledgerbridge
