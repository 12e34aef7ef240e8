// Crash-test hooks: see TestHooks.h.
#include "ledgerbridge/oauth/TestHooks.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace ledgerbridge::oauth::testhooks {

void crashPoint(const char* point) {
#ifdef LEDGERBRIDGE_TEST_HOOKS
    const char* at = std::getenv("LEDGERBRIDGE_CRASH_AT");
    if (at && std::strcmp(at, point) == 0) ::raise(SIGKILL);
#else
    (void)point;
#endif
}

bool compiledIn() {
#ifdef LEDGERBRIDGE_TEST_HOOKS
    return true;
#else
    return false;
#endif
}

}  // namespace ledgerbridge::oauth::testhooks
