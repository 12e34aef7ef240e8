// What the end-to-end tests of ERP plugins with an OAuth target (Xero, Business Central,
// Fortnox) share: pointing an Installation's connection at a loopback test double (the
// simulator's authorization server stands in for the ERP's identity server), the headless
// `auth login --target`, and SIGKILLing `ledgerbridge run` at random instants.
#pragma once

#include <chrono>
#include <string>

#include "EndToEndHarness.h"

namespace ledgerbridge::e2e {

/// "127.0.0.1:PORT" of a double's base URL: the one host its bearer token may go to.
std::string hostPortOf(const std::string& url);

/// Adds the connection's target.* keys (client, the simulator's authorize and token URLs, its
/// CA, target.token_hosts = `tokenHosts`) and lets the profile use plain HTTP on loopback.
void useTargetDouble(Installation& inst, const std::string& tokenHosts);

/// `ledgerbridge auth login --connection acme --target`, the browser played headless.
void loginTarget(Installation& inst);

/// Replaces the value of the first line "KEY = ..." of the installation's config file.
void setConfigValue(Installation& inst, const std::string& key, const std::string& value);

/// Starts `ledgerbridge run`, kills it with SIGKILL after `delay` unless it ended first.
/// Returns true when the kill happened while it ran.
bool runAndKill(Installation& inst, std::chrono::milliseconds delay, int& exitCode);

struct KillCount {
    int kills = 0, runs = 0;
};
/// Runs and SIGKILLs `ledgerbridge run` after a random delay in [minMs, maxMs] until `wanted`
/// kills landed (at most 200 runs) or the job left pending/in_progress; then once more at each
/// durable step (LEDGERBRIDGE_CRASH_AT), for the instants a random kill may miss.
KillCount killAtRandomInstants(Installation& inst, const std::string& job, int wanted, int minMs, int maxMs);

}  // namespace ledgerbridge::e2e
