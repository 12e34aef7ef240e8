// Crash-test hooks: see TestHooks.h.
#include "ledgerbridge/oauth/TestHooks.h"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ledgerbridge::oauth::testhooks {

void crashPoint(const char* point) {
#ifdef LEDGERBRIDGE_TEST_HOOKS
    // "point" dies at the first pass, "point#N" at the N-th pass of this process.
    static std::atomic<long> passes{0};
    const char* at = std::getenv("LEDGERBRIDGE_CRASH_AT");
    if (!at) return;
    const std::size_t n = std::strlen(point);
    if (std::strncmp(at, point, n) != 0) return;
    if (at[n] == '\0') ::raise(SIGKILL);
    if (at[n] == '#' && ++passes == std::atol(at + n + 1)) ::raise(SIGKILL);
#else
    (void)point;
#endif
}

long long leaseMs(long long fallback) {
#ifdef LEDGERBRIDGE_TEST_HOOKS
    const char* ms = std::getenv("LEDGERBRIDGE_TEST_LEASE_MS");
    if (ms && std::atoll(ms) > 0) return std::atoll(ms);
#endif
    return fallback;
}

bool compiledIn() {
#ifdef LEDGERBRIDGE_TEST_HOOKS
    return true;
#else
    return false;
#endif
}

}  // namespace ledgerbridge::oauth::testhooks
