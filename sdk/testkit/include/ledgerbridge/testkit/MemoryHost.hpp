// An in-memory HostServices for tests: state in a map, secrets and token from fields, a fixed
// clock, a cancellation switch, no network (every HTTP request fails unless a responder is
// set). It records every write and request so tests can prove that check() and plan() have no
// side effects. Header-only; used by the conformance kit and the host's loader tests.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/host.hpp"

namespace ledgerbridge::testkit {

class MemoryHost : public sdk::HostServices {
public:
    void log(const std::string& plugin, sdk::LogLevel level, const std::string& message) override {
        std::lock_guard<std::mutex> lock(mutex_);
        logLines.push_back(plugin + " [" + std::to_string(static_cast<int>(level)) + "] " + message);
    }
    std::optional<sdk::HttpResponse> http(const std::string&, const sdk::HttpRequest& request,
                                          std::string& error) override {
        std::lock_guard<std::mutex> lock(mutex_);
        requests.push_back(request.method + " " + request.url);
        if (responder) return responder(request);
        error = "no network in the test host";
        return std::nullopt;
    }
    std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failStore) return std::nullopt;
        auto it = state.find(plugin + "/" + key);
        if (it == state.end()) return std::nullopt;
        return it->second;
    }
    bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failStore) return false;
        ++writes;
        state[plugin + "/" + key] = value;
        return true;
    }
    bool kvErase(const std::string& plugin, const std::string& key) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failStore) return false;
        ++writes;
        state.erase(plugin + "/" + key);
        return true;
    }
    std::optional<std::string> secret(const std::string&, const std::string& name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = secrets.find(name);
        if (it == secrets.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> accessToken(const std::string&) override {
        std::lock_guard<std::mutex> lock(mutex_);
        return token;
    }
    std::int64_t nowMs() override { return clockMs; }
    bool cancelled() override { return cancel.load(); }

    // What tests set and inspect (lock-free reads are fine in single-threaded tests).
    std::map<std::string, std::string> state;    ///< "<plugin>/<key>" -> value
    std::map<std::string, std::string> secrets;  ///< name -> value
    std::optional<std::string> token;
    std::int64_t clockMs = 1767225600000;  ///< 2026-01-01T00:00:00Z
    std::atomic<bool> cancel{false};
    bool failStore = false;  ///< every state call fails
    std::function<sdk::HttpResponse(const sdk::HttpRequest&)> responder;
    std::vector<std::string> logLines, requests;
    int writes = 0;  ///< state writes so far

private:
    std::mutex mutex_;
};

}  // namespace ledgerbridge::testkit
