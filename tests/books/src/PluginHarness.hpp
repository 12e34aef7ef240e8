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

/// Crash bookkeeping the loader requires, kept in memory: these tests run plugins in-process
/// and a crash fails the test anyway, so nothing needs to survive the process.
class InMemoryHealthStore : public loader::PluginHealthStore {
public:
    void recordCallStart(const std::string&, const std::string& operation) override { call_ = operation; }
    void recordCallEnd(const std::string&) override { call_.reset(); }
    void recordCleanSession(const std::string&) override {}
    std::optional<std::string> unfinishedCall(const std::string&) override { return call_; }
    int recordCrash(const std::string&) override { return 0; }
    int consecutiveCrashes(const std::string&) override { return 0; }
    void quarantine(const std::string&, const std::string&) override {}
    std::optional<std::string> quarantined(const std::string&) override { return std::nullopt; }
    void enable(const std::string&) override {}

private:
    std::optional<std::string> call_;
};

/// The build's plugin folder, $LEDGERBRIDGE_BINARY_DIR/lib/ledgerbridge/plugins, unless
/// $LEDGERBRIDGE_BOOKS_PLUGIN_DIR names another (e.g. another build's plugins, to show what the
/// test finds in them).
std::string buildPluginDirectory();

class PluginHarness {
public:
    /// Loads `<plugin folder>/<name>.so`. Throws PluginError (the loader's sentence).
    explicit PluginHarness(const std::string& name);
    /// A new instance, configured with `settings` and checked (configure + check, as a run does).
    std::unique_ptr<loader::PluginSession> open(const Settings& settings);
    testkit::MemoryHost& host() { return host_; }

private:
    testkit::MemoryHost host_;
    InMemoryHealthStore health_;
    loader::PluginLoader loader_;
    std::shared_ptr<loader::LoadedPlugin> plugin_;
};

}  // namespace ledgerbridge::books
