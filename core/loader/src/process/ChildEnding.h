// How a plugin host process ended, in words, and whether that counts against the plugin
// (towards quarantine). Counted: a fault signal of its own (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
// SIGABRT, SIGSYS), its CPU limit (SIGXCPU), the host killing it at the call deadline or for a
// protocol violation, and exiting in the middle of a call. Not counted: SIGKILL or SIGTERM
// from anyone but the host (an operator, the OOM killer, a shutdown).
#pragma once

#include <string>

namespace ledgerbridge::loader::process {

struct Ending {
    std::string cause;   ///< "SIGSEGV", "the call deadline (10m)", "exited with status 3", ...
    bool counted = false;
};

/// `status` from waitpid; `killedByHost` says the host sent the SIGKILL (then `hostReason` is the cause).
Ending classifyEnding(int status, bool killedByHost, const std::string& hostReason);

/// The signal's name ("SIGSEGV", "SIGKILL", ... or "signal N").
std::string signalText(int signal);

}  // namespace ledgerbridge::loader::process
