// Crash-test hooks. Built in when CMake's LEDGERBRIDGE_TEST_HOOKS is ON and inert unless the
// environment variable LEDGERBRIDGE_CRASH_AT names the point: then the process SIGKILLs itself
// there, exactly like `kill -9`, so tests can prove that no instant of a refresh loses a grant
// silently. Points: refresh:before_request, refresh:after_response, refresh:before_commit,
// refresh:after_commit; the export engine's durable steps export:staged, export:pushing,
// export:pushed, export:reported, export:final. "POINT#N" dies at the N-th pass.
// LEDGERBRIDGE_TEST_LEASE_MS shortens the run leases (engine and scheduler), in hook builds only.
#pragma once

namespace ledgerbridge::oauth::testhooks {

/// Kills the process with SIGKILL when hooks are compiled in and LEDGERBRIDGE_CRASH_AT is
/// `point` (or `point#N` and this is the N-th pass of a point it names).
void crashPoint(const char* point);

/// Whether this build contains the hooks.
bool compiledIn();

/// The run leases' lifetime in ms: LEDGERBRIDGE_TEST_LEASE_MS when hooks are compiled in and it
/// is set (a positive number), else `fallback`. The replicas end-to-end test runs `serve` with a
/// lease of seconds, so a lost replica's connections move within the test's time.
long long leaseMs(long long fallback);

}  // namespace ledgerbridge::oauth::testhooks
