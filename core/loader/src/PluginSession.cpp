// Guarded calls into one plugin instance: crash-quarantine marks around every call, a fault
// scope while plugin code runs (FaultRecorder.h), plugin errors and stray exceptions turned into
// PluginError naming the plugin, failures of the health store kept as the store's errors.
#include <chrono>
#include <exception>
#include <type_traits>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/loader/FaultRecorder.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace ledgerbridge::loader {

namespace {
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
}  // namespace

template <typename F>
auto PluginSession::guarded(const char* operation, F&& call) {
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

PluginSession::PluginSession(std::shared_ptr<const LoadedPlugin> plugin, HostServices& services,
                             PluginHealthStore& health)
    : plugin_(std::move(plugin)), health_(health), faultDirectory_(health.faultDirectory()) {
    client_ = guarded("create", [&] {
        return std::make_unique<sdk::PluginClient>(plugin_->api_, services, plugin_->name());
    });
}

PluginSession::~PluginSession() {
    try {
        guarded("close", [&] { client_.reset(); });
        health_.recordCleanSession(plugin_->name());
    } catch (...) {
    }
}

void PluginSession::configure(const std::vector<std::pair<std::string, std::string>>& settings) {
    // The host validates too (plugins not built with the SDK wrapper may not), and registers
    // secret values with the Redactor before the plugin can log anything.
    const auto& specs = plugin_->manifest().settings;
    try {
        sdk::validateSettings(specs, settings);
    } catch (const sdk::SettingsError& e) {
        throw PluginError(plugin_->label() + ": " +
                          sdk::CallFailed("configure", LB_ERR_CONFIG, e.what(), e.problems()).what());
    }
    for (const auto& [key, value] : settings)
        for (const auto& spec : specs)
            if (spec.key == key && spec.secret && value.size() >= 6) Redactor::global().add(value);
    guarded("configure", [&] { client_->configure(settings); });
}

void PluginSession::check() {
    guarded("check", [&] { client_->check(); });
}

sdk::PlanResult PluginSession::plan(const std::vector<sdk::Entry>& entries) {
    return guarded("plan", [&] { return client_->plan(entries); });
}

PushResult PluginSession::push(const std::vector<sdk::Entry>& entries) {
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

sdk::Outcome PluginSession::lookup(const sdk::Entry& entry) {
    return guarded("lookup", [&] { return client_->lookup(entry); });
}

bool PluginSession::hasMasterData() const {
    return client_->hasMasterData() && (plugin_->manifest().capabilities & LB_CAP_MASTER_DATA) != 0;
}

std::optional<sdk::MasterDataPage> PluginSession::readMasterData(const sdk::MasterDataRequest& request) {
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
