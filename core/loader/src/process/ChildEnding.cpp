// How a plugin host process ended: see ChildEnding.h.
#include "ChildEnding.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>

namespace ledgerbridge::loader::process {

std::string signalText(int signal) {
    const char* abbrev = sigabbrev_np(signal);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

Ending classifyEnding(int status, bool killedByHost, const std::string& hostReason) {
    if (killedByHost) return {hostReason, true};
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        switch (sig) {
        case SIGSEGV:
        case SIGBUS:
        case SIGILL:
        case SIGFPE:
        case SIGABRT:
        case SIGSYS: return {signalText(sig), true};
        case SIGXCPU: return {"SIGXCPU (its CPU time limit)", true};
        case SIGKILL:
            return {"SIGKILL from outside the host (an operator or the out-of-memory killer; not counted against "
                    "the plugin)",
                    false};
        default: return {signalText(sig) + " from outside the host (not counted against the plugin)", false};
        }
    }
    if (WIFEXITED(status)) return {"exited with status " + std::to_string(WEXITSTATUS(status)), true};
    return {"ended (wait status " + std::to_string(status) + ")", true};
}

}  // namespace ledgerbridge::loader::process
