// The installation's lifecycle: see InstallationLifecycle.h.
#include "ledgerbridge/host/InstallationLifecycle.h"

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::host {

namespace inst = pleo::installation;

std::string activateInstallationAfterSync(pleo::PleoApi& api, const config::Connection& conn) {
    if (conn.credential == "api_key") {
        log::info("installation activation does not apply to API-key connections", {{"connection", conn.name}});
        return {};
    }
    pleo::InstallationsClient installations(api);
    auto current = installations.get(pleo::companyUuid(conn.companyId));
    if (current && current->status == inst::kActivated) return current->status;
    pleo::Installation after = installations.activate();
    log::info("installation activated", {{"connection", conn.name}, {"status", after.status}});
    return after.status;
}

std::string syncMasterDataAndActivate(pleo::PleoApi& api, const config::Connection& conn, MasterDataWriter& writer) {
    if (conn.credential != "api_key") {
        pleo::InstallationsClient installations(api);
        auto current = installations.get(pleo::companyUuid(conn.companyId));
        // Tell Pleo we are synchronising (the spec's PENDING_INTEGRATION) unless it already works.
        if (current && current->status != inst::kActivated && current->status != inst::kPendingIntegration)
            installations.update(inst::kPendingIntegration);
    }
    writer.write(api, conn.companyId);
    return activateInstallationAfterSync(api, conn);
}

bool reportTargetAuthFailure(pleo::PleoApi& api, const std::string& connection, const std::string& why) noexcept {
    try {
        pleo::InstallationsClient(api).update(inst::kError, inst::kAuthError);
        log::warn("told Pleo the installation is in error (AUTH_ERROR): the target refused the credential",
                  {{"connection", connection}, {"reason", redact(why)}});
        return true;
    } catch (const std::exception& e) {
        try {
            log::warn("could not tell Pleo about the target's authorisation failure",
                      {{"connection", connection}, {"error", redact(e.what())}});
        } catch (...) {
        }
    } catch (...) {
    }
    return false;
}

}  // namespace ledgerbridge::host
