// A plugin's manifest and settings as the host reads them (sdk::validateSettings, which the
// loader's PluginSession runs before a plugin sees its settings): declared settings of every
// type, with and without defaults, against any keys and values from a configuration. A bad
// setting is a SettingsError naming every key, never a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/plugin.hpp"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    FuzzedDataProvider in(data, size);
    std::vector<sdk::SettingSpec> specs;
    const int specCount = in.ConsumeIntegralInRange(0, 6);
    for (int i = 0; i < specCount; ++i) {
        sdk::SettingSpec s;
        s.key = in.ConsumeRandomLengthString(16);
        // Only the ABI's types (LB_SETTING_STRING..PATH): the loader copies the type as it is.
        s.type = static_cast<sdk::SettingType>(in.ConsumeIntegralInRange(1, 4));
        if (in.ConsumeBool()) s.defaultValue = in.ConsumeRandomLengthString(24);
        s.secret = in.ConsumeBool();
        specs.push_back(std::move(s));
    }
    std::vector<std::pair<std::string, std::string>> given;
    while (in.remaining_bytes() > 0) {
        std::string key = in.ConsumeRandomLengthString(16);
        given.emplace_back(std::move(key), in.ConsumeRandomLengthString(32));
    }
    try {
        sdk::Settings s = sdk::validateSettings(specs, given);
        for (const auto& spec : specs) {
            if (spec.type == sdk::SettingType::Int) (void)s.getInt(spec.key);  // validated: must not throw
            if (spec.type == sdk::SettingType::Bool) (void)s.getBool(spec.key);
        }
    } catch (const sdk::SettingsError& e) {
        if (e.problems().empty()) std::abort();
    }
    return 0;
}
