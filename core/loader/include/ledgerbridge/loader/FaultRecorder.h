// Telling a plugin's crash from a kill. The loader marks "inside plugin X" in the health store
// around every call; a mark left behind at the next start means the process died during the
// call — but that may be a SIGKILL from outside, the OOM killer, or the host's own disk failing,
// none of which is the plugin's fault. So the host also records the plugin's own faults:
//
//  - installFaultHandlers() (once per process) catches SIGSEGV, SIGBUS, SIGILL, SIGFPE and
//    SIGABRT. When one arrives in a thread that is inside a plugin call (a FaultScope is
//    active on it), the handler writes "<fault dir>/<pid>.fault" naming the plugin, the call and
//    the signal, with async-signal-safe calls only (open, write, fsync, close: the path and text
//    were prepared when the call began), then lets the signal end the process as it would have.
//  - At the next start, takeFault() finds that record: the leftover mark was the plugin's crash
//    and counts towards quarantine. A leftover mark without a record was not, and is cleared.
//
// Limits (documented in the loader README): a fault in a thread the plugin started itself, or a
// plugin that exits the process, is not recorded (it reads as an outside kill); a fault inside a
// host service the plugin called during its call counts as the plugin's.
#pragma once

#include <optional>
#include <string>

namespace ledgerbridge::loader {

/// Installs the fault handlers once per process (later calls do nothing). Previous handlers
/// (a sanitizer's, a crash reporter's) are restored and run after the record is written.
void installFaultHandlers();

/// Marks the calling thread as inside `operation` of `plugin` for as long as it lives; records
/// go to `faultDirectory` (which must exist). Scopes nest (the innermost counts).
class FaultScope {
public:
    FaultScope(const std::string& faultDirectory, const std::string& plugin, const char* operation);
    ~FaultScope();
    FaultScope(const FaultScope&) = delete;
    FaultScope& operator=(const FaultScope&) = delete;

    struct Prepared;  ///< what the handler writes, ready before the call

private:
    Prepared* prepared_;
    Prepared* previous_;
};

/// A fault a process recorded before it died.
struct FaultRecord {
    std::string plugin;
    std::string operation;
    int signal = 0;
    long pid = 0;
};

/// Takes (removes) the records of processes that are no longer alive naming `plugin` in
/// `faultDirectory`, and returns one of them (the plugin had one call in flight per store, so
/// one record is what counts). Records of live processes and of other plugins stay.
std::optional<FaultRecord> takeFault(const std::string& faultDirectory, const std::string& plugin);

/// "SIGSEGV" for 11, ...; "signal N" for others.
std::string signalName(int signal);

}  // namespace ledgerbridge::loader
