// Starting a plugin host process: vfork + exec of `ledgerbridge-plugin-host` with one end of a
// socketpair as its fd 3 and nothing else open, an environment of PATH and locale only (the
// parent's variables may hold other connections' secrets), PR_SET_NO_NEW_PRIVS, the resource
// limits, and PR_SET_PDEATHSIG so the child dies with the host.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ledgerbridge::loader::process {

struct ChildLimits {
    std::uint64_t addressSpaceBytes = 0;  ///< RLIMIT_AS; 0 = unlimited
    std::uint64_t cpuSeconds = 0;         ///< RLIMIT_CPU (soft: SIGXCPU; hard 5 s later: SIGKILL); 0 = unlimited
    std::uint64_t openFiles = 0;          ///< RLIMIT_NOFILE; 0 = inherited
};

struct Child {
    pid_t pid = -1;
    int fd = -1;  ///< the parent's end of the socketpair (close-on-exec)
};

/// Throws PluginError naming the executable when the socketpair or vfork fails. A failed exec
/// shows as the child exiting with status 127 before its Hello.
Child launchPluginHost(const std::string& executable, const ChildLimits& limits);

}  // namespace ledgerbridge::loader::process
