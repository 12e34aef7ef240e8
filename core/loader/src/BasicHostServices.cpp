// BasicHostServices: host services without a store or HTTP client, for tests and diagnostics.
#include "ledgerbridge/loader/HostServices.h"

#include <chrono>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::loader {

void BasicHostServices::log(const std::string& plugin, LogLevel level, const std::string& message) {
    static const log::Level levels[] = {log::Level::Debug, log::Level::Info, log::Level::Warn, log::Level::Error};
    const auto index = static_cast<std::size_t>(level);
    log::write(index < 4 ? levels[index] : log::Level::Error, message, {{"plugin", plugin}});
}

std::optional<HttpResponse> BasicHostServices::http(const std::string&, const HttpRequest& request,
                                                    std::string& error) {
    error = "this host has no HTTP client configured (" + request.method + " " + request.url + " not sent)";
    return std::nullopt;
}

std::optional<std::string> BasicHostServices::kvGet(const std::string& plugin, const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = state_.find(plugin + "\n" + key);
    if (it == state_.end()) return std::nullopt;
    return it->second;
}

bool BasicHostServices::kvPut(const std::string& plugin, const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> lock(mutex_);
    state_[plugin + "\n" + key] = value;
    return true;
}

bool BasicHostServices::kvErase(const std::string& plugin, const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    state_.erase(plugin + "\n" + key);
    return true;
}

std::optional<std::string> BasicHostServices::secret(const std::string&, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> BasicHostServices::accessToken(const std::string&) { return std::nullopt; }

std::int64_t BasicHostServices::nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool BasicHostServices::cancelled() { return cancelled_.load(); }

void BasicHostServices::setSecret(const std::string& name, const std::string& value) {
    if (value.size() >= 6) Redactor::global().add(value);
    std::lock_guard<std::mutex> lock(mutex_);
    secrets_[name] = value;
}

}  // namespace ledgerbridge::loader
