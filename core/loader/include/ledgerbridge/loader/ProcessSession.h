// A plugin session in a process of its own (`ledgerbridge-plugin-host`), so a plugin that
// crashes, hangs or misbehaves cannot take the host down or read what the host holds. The
// child loads the plugin exactly as PluginLoader does (every check before dlopen, the ABI
// negotiation); this side speaks the framed protocol to it (src/process/ProcessProtocol.h),
// serves the host services the plugin calls with the real HostServices (HTTP, state, secrets,
// logging, cancellation stay in the host), and turns how the child ended into a PluginError
// naming the plugin and the cause — counting crashes, deadlines and protocol violations towards
// quarantine. Design and limits: core/loader/README.md, "Plugins in their own process".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/loader/PluginHealthStore.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace ledgerbridge::loader {

struct IsolationOptions {
    /// The plugin host executable (see pluginHostExecutable()).
    std::string hostExecutable;
    /// Directories plugins may be loaded from (the child checks the file as PluginLoader does).
    std::vector<std::string> pluginDirectories;
    /// How long one call (a whole push batch, a lookup, a master-data page) may take in the
    /// plugin; time the host spends serving the plugin's HTTP and state requests is not counted.
    /// On expiry the child is killed (SIGKILL) and the call fails, counted towards quarantine.
    std::chrono::milliseconds callDeadline{std::chrono::minutes(10)};
    std::uint64_t addressSpaceBytes = 4ull << 30;  ///< RLIMIT_AS of the child; 0 = unlimited
    std::uint64_t cpuSeconds = 3600;               ///< RLIMIT_CPU of the child (its whole session); 0 = unlimited
    std::uint64_t openFiles = 256;                 ///< RLIMIT_NOFILE of the child
    int quarantineAfter = kQuarantineAfterCrashes; ///< consecutive counted endings before quarantine
};

/// Where `ledgerbridge-plugin-host` is: $LEDGERBRIDGE_PLUGIN_HOST, else beside the running
/// executable, else ../libexec/ledgerbridge/ beside it, else the build tree's (compiled in).
std::string pluginHostExecutable();

/// What a plugin host process reports after loading the plugin.
struct PluginDescription {
    sdk::Manifest manifest;
    std::uint32_t abiMajor = 0, abiMinor = 0;
    bool masterDataSlot = false;  ///< the ABI 1.1 read_master_data slot is filled
    std::string fileSha256;       ///< the file's SHA-256: crashes are counted per plugin and file
};

/// A plugin's description without loading it into this process: refuses a quarantined file
/// (quarantine is per plugin and file hash: a replaced file is not refused for its
/// predecessor's crashes) with the loader's sentence, then answers from this process's cache
/// when the file (path, inode, size, mtime) is unchanged, else from a short-lived plugin host
/// process that loads the plugin and exits. A crash while loading ends that child only; it is
/// thrown as a PluginError and counted in `health`. What ProcessSession, `plugins list`,
/// `plugins inspect` and the start-up checks use.
PluginDescription describePlugin(const IsolationOptions& options, const std::string& path, PluginHealthStore& health);

/// A LoaderOptions::describe that reads manifests through describePlugin. `health` must
/// outlive the loader it is given to.
std::function<void(const std::string&, PluginInspection&)> isolatedDescriber(IsolationOptions options,
                                                                             PluginHealthStore& health);

class ProcessSession : public PluginSession {
public:
    /// Learns the manifest through describePlugin (a quarantined file is refused before any of
    /// its code runs). The session's own child starts at the first call after configure (a run
    /// with no work starts none).
    /// Throws PluginError: refusals of the file (the loader's sentences), a crash while loading.
    /// `services` and `health` must outlive the session.
    ProcessSession(IsolationOptions options, const std::string& path, HostServices& services, PluginHealthStore& health);
    /// Closes the plugin instance and waits for the child (a clean close resets the crash count).
    ~ProcessSession() override;
    ProcessSession(const ProcessSession&) = delete;
    ProcessSession& operator=(const ProcessSession&) = delete;

    const sdk::Manifest& manifest() const override;
    /// Validated here at once (PluginError naming every bad key); given to the plugin as the
    /// first thing its child does.
    void configure(const std::vector<std::pair<std::string, std::string>>& settings) override;
    void check() override;
    sdk::PlanResult plan(const std::vector<sdk::Entry>& entries) override;
    PushResult push(const std::vector<sdk::Entry>& entries) override;
    /// The deadline travels with the batch: the plugin host checks it just before it calls the
    /// plugin, so a parent paused between deciding and sending cannot push late.
    PushResult pushBefore(const std::vector<sdk::Entry>& entries, std::int64_t notAfterSteadyMs) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    bool hasMasterData() const override;
    std::optional<sdk::MasterDataPage> readMasterData(const sdk::MasterDataRequest& request) override;

    /// The running child's process id; 0 before the first call and after it ended (tests).
    pid_t childPid() const;
    /// "plugin 'name' (path)".
    std::string label() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerbridge::loader
