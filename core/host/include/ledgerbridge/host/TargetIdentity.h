// Which books of the target system a connection writes to. A plugin names the settings that
// identify them in its manifest (targetIdentity, e.g. Business Central's tenant_id, environment
// and company_id); the host keys the connection's export ledger, run history, plugin state and
// target grant by their values, so entries posted into one company are never taken as posted
// in another, and a grant for one identity is never used for another. A plugin that names none
// keeps the Pleo connection's fingerprint, exactly as before.
#pragma once

#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::host {

/// "key=value" of each setting the manifest names, in the manifest's order, joined by "; ";
/// the connection's value, else the setting's default, lower-cased (GUIDs, tenant domains and
/// BC environment names compare without case). Empty when the manifest names none.
std::string targetIdentity(const config::Connection& connection, const sdk::Manifest& manifest);

/// The fingerprint the connection's ledger, runs and plugin state live under: the Pleo
/// environment fingerprint (issuer, API, company), plus the target identity when there is one.
config::Fingerprint targetFingerprint(const config::EnvironmentProfile& profile, const config::Connection& connection,
                                      const sdk::Manifest& manifest);

}  // namespace ledgerbridge::host
