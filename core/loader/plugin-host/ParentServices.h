// The host services as the plugin sees them inside `ledgerbridge-plugin-host`: every call is a
// Service frame to the parent, which answers with the real services (HTTP with retries, TLS
// and the target token attached there; state; secrets; the log with its redaction; the run's
// cancellation). The child holds nothing of the host's but its own connection's settings.
#pragma once

#include <chrono>

#include "../src/process/Channel.h"
#include "../src/process/ProcessProtocol.h"
#include "ledgerbridge/loader/HostServices.h"

namespace ledgerbridge::loader::pluginhost {

class ParentServices : public HostServices {
public:
    explicit ParentServices(wire::Channel& channel) : channel_(channel) {}

    void log(const std::string& plugin, LogLevel level, const std::string& message) override;
    std::optional<HttpResponse> http(const std::string& plugin, const HttpRequest& request,
                                     std::string& error) override;
    std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) override;
    bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) override;
    bool kvErase(const std::string& plugin, const std::string& key) override;
    std::optional<std::string> secret(const std::string& plugin, const std::string& name) override;
    std::optional<std::string> accessToken(const std::string& plugin) override;
    std::int64_t nowMs() override;
    /// Asked of the parent at most every 50 ms while the answer is "no" (plugins ask per entry;
    /// a round trip each would cost more than the entry); "yes" is kept.
    bool cancelled() override;

private:
    /// Sends the request and returns the reply's payload decoder input. A parent that is gone
    /// ends this process (there is nobody left to answer to).
    std::string ask(wire::Encoder& request);
    /// One request of `kind`: `put` writes its arguments, `get` reads the reply.
    template <typename Put, typename Get>
    auto call(protocol::ServiceKind kind, Put&& put, Get&& get);
    wire::Channel& channel_;
    bool cancelled_ = false;
    std::chrono::steady_clock::time_point askedAt_{};
};

}  // namespace ledgerbridge::loader::pluginhost
