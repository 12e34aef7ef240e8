// The connection's installation at Pleo (installations.yml) through its life:
//
//   AUTHORIZED (Pleo, after the OAuth flow)
//     → PENDING_INTEGRATION (we start the first master-data sync)
//     → ACTIVATED (`POST /v1/installations/me:activate` once the sync wrote tags, tax codes and
//       vendors; Pleo's contract says so, and only for OAuth connections)
//     → ERROR + AUTH_ERROR when the ERP side refuses our credential (best effort, see below);
//       the next successful sync activates it again
//     → deleted by `ledgerbridge auth disconnect` (Pleo then revokes the client's tokens).
//
// The master-data sync itself is the SDK's master-data capability (issue 15); it calls
// syncMasterDataAndActivate with its MasterDataWriter. Tests use a writer that writes fixed
// master data into the simulator.
#pragma once

#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/pleo/InstallationsClient.h"
#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::host {

/// The ERP half of a master-data sync: writes the target's chart of accounts, tax codes,
/// dimensions (tag groups and tags) and suppliers (vendors) into Pleo with core/pleo's clients
/// on `pleo`. Throws on any failure; a failed write must not lead to activation.
class MasterDataWriter {
public:
    virtual ~MasterDataWriter() = default;
    virtual void write(pleo::PleoApi& pleo, const std::string& companyId) = 0;
};

/// After a successful master-data sync: activates the installation unless it is already
/// ACTIVATED, and returns its status afterwards. API-key connections: Pleo's activation
/// applies to OAuth only, so nothing is sent and "" is returned. Throws the clients' errors
/// (the sync decides whether a failed activation fails the sync; it does: an inactive
/// installation means Pleo does not consider the integration ready).
std::string activateInstallationAfterSync(pleo::PleoApi& pleo, const config::Connection& connection);

/// A whole sync: marks the installation PENDING_INTEGRATION when it is not ACTIVATED yet, runs
/// `writer`, then activateInstallationAfterSync. When `writer` throws, the installation is left
/// as it is and the error propagates. Returns the final status.
std::string syncMasterDataAndActivate(pleo::PleoApi& pleo, const config::Connection& connection, MasterDataWriter& writer);

/// The ERP refused the connection's credential (target grant missing, revoked or refused):
/// tells Pleo (status ERROR, errorCode AUTH_ERROR). Best effort: never throws, so the original
/// error is the one the caller reports; returns whether Pleo took it.
bool reportTargetAuthFailure(pleo::PleoApi& pleo, const std::string& connection, const std::string& why) noexcept;

}  // namespace ledgerbridge::host
