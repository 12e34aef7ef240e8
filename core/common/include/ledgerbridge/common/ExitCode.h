// Process exit codes of every ledgerbridge command. Documented in `ledgerbridge --help`;
// scripts and schedulers act on them, so values never change once published.
#pragma once

namespace ledgerbridge {

enum class ExitCode : int {
    Ok = 0,                    ///< everything asked for was done
    Failure = 1,               ///< the work failed (network, store, remote errors); nothing reported as done that was not
    UsageOrConfig = 2,         ///< the command line or the configuration is wrong; nothing was written
    CompletedWithErrors = 3,   ///< the run finished but some entries were rejected (see the report)
    NeedsReauthorization = 4,  ///< a connection's grant is gone: run `ledgerbridge auth login`
    PluginFailure = 5,         ///< a plugin could not be loaded, is quarantined, or failed
    EnvironmentMismatch = 6,   ///< state or tokens belong to another environment (staging vs production)
    Busy = 7,                  ///< another process holds the lock for this work; try again later
    Interrupted = 130,         ///< stopped by a signal before the work finished (safe to re-run)
};

inline int toInt(ExitCode c) { return static_cast<int>(c); }

}  // namespace ledgerbridge
