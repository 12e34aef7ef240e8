// The target identity of a connection: see TargetIdentity.h.
#include "ledgerbridge/host/TargetIdentity.h"

#include <Poco/String.h>

namespace ledgerbridge::host {

std::string targetIdentity(const config::Connection& connection, const sdk::Manifest& manifest) {
    std::string out;
    for (const std::string& key : manifest.targetIdentity) {
        std::string value;
        if (auto it = connection.settings.find(key); it != connection.settings.end()) {
            value = it->second.value;
        } else {
            for (const auto& spec : manifest.settings)
                if (spec.key == key && spec.defaultValue) value = *spec.defaultValue;
        }
        if (!out.empty()) out += "; ";
        out += key + "=" + Poco::toLower(value);
    }
    return out;
}

config::Fingerprint targetFingerprint(const config::EnvironmentProfile& profile, const config::Connection& connection,
                                      const sdk::Manifest& manifest) {
    return config::environmentFingerprint(profile, connection.companyId, targetIdentity(connection, manifest));
}

}  // namespace ledgerbridge::host
