// The debug line of one call into a plugin (`--log-level debug`), written by the session that
// makes the call: in this process (InProcessSession) or across the plugin host's channel
// (ProcessSession), so an operator sees the same lines in both modes.
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::loader {

/// The debug line of one call into a plugin: which plugin, which call, how long, and whether it
/// returned or threw (the error itself reaches the log through whoever handles it).
class PluginCallLog {
public:
    PluginCallLog(std::string plugin, const char* call)
        : on_(log::enabled(log::Level::Debug)), plugin_(std::move(plugin)), call_(call), exceptions_(std::uncaught_exceptions()) {}
    PluginCallLog(const PluginCallLog&) = delete;
    PluginCallLog& operator=(const PluginCallLog&) = delete;
    ~PluginCallLog() {
        if (!on_) return;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
        log::debug(std::uncaught_exceptions() > exceptions_ ? "plugin call failed" : "plugin call",
                   {{"plugin", plugin_}, {"call", call_}, {"ms", ms}});
    }

private:
    bool on_;
    std::string plugin_;
    const char* call_;
    int exceptions_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace ledgerbridge::loader
