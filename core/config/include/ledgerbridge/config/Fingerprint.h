// The environment fingerprint binds every piece of state (tokens, ledger, runs, plugin state)
// to the environment it was made in: the OAuth issuer, the API base, the Pleo company and,
// where there is one, the ERP tenant. Staging state can never be used against production or the
// reverse, because their fingerprints differ.
#pragma once

#include <string>

#include "ledgerbridge/config/Config.h"

namespace ledgerbridge::config {

struct Fingerprint {
    std::string value;        ///< 32 hex characters of SHA-256 over the canonical parts
    std::string description;  ///< the parts in clear (no secrets), for messages

    bool operator==(const Fingerprint& o) const { return value == o.value; }
    bool operator!=(const Fingerprint& o) const { return value != o.value; }
};

/// Fingerprint of one connection in one environment. URLs are normalised (scheme and host lower
/// case, no trailing slash) so that cosmetic differences do not split state.
Fingerprint environmentFingerprint(const EnvironmentProfile& profile, const std::string& companyId,
                                   const std::string& erpTenant = {});

}  // namespace ledgerbridge::config
