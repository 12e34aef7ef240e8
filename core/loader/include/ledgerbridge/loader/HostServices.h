// The services the host offers plugins, as a C++ interface the loader adapts into the C table
// of plugin_abi.h (via the SDK's host helpers, so the conformance kit drives plugins the same
// way). The export engine implements it with the real HTTP client, state store, secrets and
// target tokens; BasicHostServices is a self-contained implementation for tests and
// `plugins check` without a store.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ledgerbridge/host.hpp"

namespace ledgerbridge::loader {

/// The interface (see sdk::HostServices in <ledgerbridge/host.hpp> for each method's contract:
/// every call names the plugin, implementations must not throw).
using HostServices = sdk::HostServices;
using sdk::HttpRequest;
using sdk::HttpResponse;
using sdk::LogLevel;

/// Logs through the host's redacting log sink (field "plugin"), keeps state in memory, serves
/// secrets from a map, has no HTTP client (requests fail with a message saying so), uses the
/// system clock, and a cancellation flag set by cancel(). Thread-safe.
class BasicHostServices : public HostServices {
public:
    void log(const std::string& plugin, LogLevel level, const std::string& message) override;
    std::optional<HttpResponse> http(const std::string& plugin, const HttpRequest& request,
                                     std::string& error) override;
    std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) override;
    bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) override;
    bool kvErase(const std::string& plugin, const std::string& key) override;
    std::optional<std::string> secret(const std::string& plugin, const std::string& name) override;
    std::optional<std::string> accessToken(const std::string& plugin) override;
    std::int64_t nowMs() override;
    bool cancelled() override;

    /// Adds a secret (also registered with the Redactor so it never reaches a log line).
    void setSecret(const std::string& name, const std::string& value);
    /// Asks every plugin call in progress or to come to stop (true) or lets them run (false).
    void cancel(bool on = true) { cancelled_ = on; }

private:
    std::mutex mutex_;
    std::map<std::string, std::string> state_, secrets_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace ledgerbridge::loader
