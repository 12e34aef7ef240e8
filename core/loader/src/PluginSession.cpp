// Guarded calls into one plugin instance: crash-quarantine marks around every call, a fault
// scope while plugin code runs (FaultRecorder.h), plugin errors and stray exceptions turned into
// PluginError naming the plugin, failures of the health store kept as the store's errors.
#include <chrono>
#include <exception>
#include <type_traits>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/common/SteadyClock.h"
#include "ledgerbridge/loader/FaultRecorder.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "PluginCallLog.h"

namespace ledgerbridge::loader {

// In this process the deadline is checked just before the call: what remains is a pause of
// this very thread between the check and the plugin's first write.
PushResult PluginSession::pushBefore(const std::vector<sdk::Entry>& entries, std::int64_t notAfterSteadyMs) {
    const std::int64_t now = steadyNowMs();
    if (notAfterSteadyMs != 0 && now > notAfterSteadyMs)
        throw PushTooLateError("plugin '" + manifest().name + "': the batch was ready " +
                               std::to_string(now - notAfterSteadyMs) +
                               " ms after its deadline; the plugin was not called");
    return push(entries);
}

/// The plugin in this process: every call bracketed by the health store's marks and a FaultScope.
class InProcessSession : public PluginSession {
public:
    InProcessSession(std::shared_ptr<const LoadedPlugin> plugin, HostServices& services, PluginHealthStore& health);
    ~InProcessSession() override;
    InProcessSession(const InProcessSession&) = delete;
    InProcessSession& operator=(const InProcessSession&) = delete;

    const sdk::Manifest& manifest() const override { return plugin_->manifest(); }
    void configure(const std::vector<std::pair<std::string, std::string>>& settings) override;
    void check() override;
    sdk::PlanResult plan(const std::vector<sdk::Entry>& entries) override;
    PushResult push(const std::vector<sdk::Entry>& entries) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    bool hasMasterData() const override;
    std::optional<sdk::MasterDataPage> readMasterData(const sdk::MasterDataRequest& request) override;

private:
    template <typename F>
    auto guarded(const char* operation, F&& call);

    std::shared_ptr<const LoadedPlugin> plugin_;
    PluginHealthStore& health_;
    std::string faultDirectory_;
    std::unique_ptr<sdk::PluginClient> client_;
};

void prepareSettings(const std::string& label, const sdk::Manifest& manifest,
                     const std::vector<std::pair<std::string, std::string>>& settings) {
    // The host validates too (plugins not built with the SDK wrapper may not), and registers
    // secret values with the Redactor before the plugin can log anything.
    try {
        sdk::validateSettings(manifest.settings, settings);
    } catch (const sdk::SettingsError& e) {
        throw PluginError(label + ": " + sdk::CallFailed("configure", LB_ERR_CONFIG, e.what(), e.problems()).what());
    }
    for (const auto& [key, value] : settings)
        for (const auto& spec : manifest.settings)
            if (spec.key == key && spec.secret && value.size() >= 6) Redactor::global().add(value);
}

template <typename F>
auto InProcessSession::guarded(const char* operation, F&& call) {
    const std::string& name = plugin_->name();
    // A store that cannot write the mark (full disk) fails here as the StoreError it is, before
    // any plugin code runs: never reported as the plugin's failure.
    health_.recordCallStart(name, operation);
    struct EndOnThrow {  // the call threw: clear the mark if we can, the call's error matters more
        PluginHealthStore& health;
        const std::string& name;
        bool active = true;
        ~EndOnThrow() {
            if (!active) return;
            try {
                health.recordCallEnd(name);
            } catch (...) {  // left behind without a fault record: cleared, not counted, next start
            }
        }
    } endOnThrow{health_, name};
    auto invoke = [&]() -> decltype(call()) {
        PluginCallLog callLog(name, operation);
        FaultScope inside(faultDirectory_, name, operation);  // only while plugin code runs
        try {
            return call();
        } catch (const sdk::CallFailed& e) {
            throw PluginError(plugin_->label() + ": " + e.what());
        } catch (const std::exception& e) {
            throw PluginError(plugin_->label() + ": an exception crossed the plugin boundary during " + operation + ": " +
                              e.what());
        } catch (...) {
            throw PluginError(plugin_->label() + ": an exception of unknown type crossed the plugin boundary during " +
                              operation);
        }
    };
    // The call returned: a store that cannot clear the mark now fails as a StoreError (the
    // caller learns the state disk is failing; the push's outcomes stay unknown to the ledger,
    // which resolves them by lookup, as after any failure mid-batch).
    if constexpr (std::is_void_v<decltype(call())>) {
        invoke();
        endOnThrow.active = false;
        health_.recordCallEnd(name);
    } else {
        auto result = invoke();
        endOnThrow.active = false;
        health_.recordCallEnd(name);
        return result;
    }
}

InProcessSession::InProcessSession(std::shared_ptr<const LoadedPlugin> plugin, HostServices& services,
                                   PluginHealthStore& health)
    : plugin_(std::move(plugin)), health_(health), faultDirectory_(health.faultDirectory()) {
    client_ = guarded("create", [&] {
        return std::make_unique<sdk::PluginClient>(plugin_->api_, services, plugin_->name());
    });
}

InProcessSession::~InProcessSession() {
    try {
        guarded("close", [&] { client_.reset(); });
        health_.recordCleanSession(plugin_->name());
    } catch (...) {
    }
}

void InProcessSession::configure(const std::vector<std::pair<std::string, std::string>>& settings) {
    prepareSettings(plugin_->label(), plugin_->manifest(), settings);
    guarded("configure", [&] { client_->configure(settings); });
}

void InProcessSession::check() {
    guarded("check", [&] { client_->check(); });
}

sdk::PlanResult InProcessSession::plan(const std::vector<sdk::Entry>& entries) {
    return guarded("plan", [&] { return client_->plan(entries); });
}

PushResult InProcessSession::push(const std::vector<sdk::Entry>& entries) {
    return guarded("push", [&] {
        auto [status, results] = client_->pushPartial(entries);
        PushResult r;
        r.outcomes = std::move(results.outcomes);
        r.status = status;
        if (status != LB_OK)
            r.message = plugin_->label() + ": " +
                        sdk::CallFailed("push", status, results.error.empty() ? "the plugin gave no reason" : results.error, {})
                            .what();
        return r;
    });
}

sdk::Outcome InProcessSession::lookup(const sdk::Entry& entry) {
    return guarded("lookup", [&] { return client_->lookup(entry); });
}

bool LoadedPlugin::hasMasterDataSlot() const {
    return api_->abi_minor >= 1 && LB_HAS_FIELD(api_, lb_plugin_api, read_master_data) && api_->read_master_data;
}

std::unique_ptr<PluginSession> LoadedPlugin::open() const {
    return std::make_unique<InProcessSession>(shared_from_this(), services_, health_);
}

bool InProcessSession::hasMasterData() const {
    return client_->hasMasterData() && (plugin_->manifest().capabilities & LB_CAP_MASTER_DATA) != 0;
}

std::optional<sdk::MasterDataPage> InProcessSession::readMasterData(const sdk::MasterDataRequest& request) {
    if (!client_->hasMasterData()) return std::nullopt;
    return guarded("read_master_data", [&]() -> std::optional<sdk::MasterDataPage> {
        try {
            return client_->readMasterData(request);
        } catch (const sdk::CallFailed& e) {
            if (e.status() == LB_ERR_UNSUPPORTED) return std::nullopt;
            throw;
        }
    });
}

}  // namespace ledgerbridge::loader
