// A first-party plugin as the host runs it: the real .so from the build's plugin folder, checked
// and loaded by the host's loader (core/loader, Boost.DLL, the C ABI), configured and pushed
// through loader sessions, with the conformance kit's in-memory host services.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace ledgerbridge::books {

using Settings = std::vector<std::pair<std::string, std::string>>;

/// The build's plugin folder, $LEDGERBRIDGE_BINARY_DIR/lib/ledgerbridge/plugins, unless
/// $LEDGERBRIDGE_BOOKS_PLUGIN_DIR names another (e.g. another build's plugins, to show what the
/// test finds in them).
std::string buildPluginDirectory();

/// Memory (/dev/shm) when there is one, else the temp folder; $LEDGERBRIDGE_BOOKS_TMP wins.
/// The plugins fsync every rewrite, which on a shared disk made the DATEV runs (a file per
/// month) far slower; what is tested here is the books, not durability.
std::string scratchDirectory();

class PluginHarness {
public:
    /// Loads `<plugin folder>/<name>.so`, its crash records in a fresh folder under
    /// scratchDirectory() (removed again with the harness). Throws PluginError.
    explicit PluginHarness(const std::string& name);
    ~PluginHarness();
    PluginHarness(const PluginHarness&) = delete;
    PluginHarness& operator=(const PluginHarness&) = delete;
    /// A new instance, configured with `settings` and checked (configure + check, as a run does).
    std::unique_ptr<loader::PluginSession> open(const Settings& settings);
    testkit::MemoryHost& host() { return host_; }

private:
    std::string healthDir_;
    testkit::MemoryHost host_;
    loader::FilePluginHealthStore health_;
    loader::PluginLoader loader_;
    std::shared_ptr<loader::LoadedPlugin> plugin_;
};

}  // namespace ledgerbridge::books
