// Pleo's Installations API (installations.yml): the calling app's own installation for the
// company its credential belongs to. Status values and error codes are the spec's enums.
// Answers are InstallationResponse objects, not wrapped in `data` (the spec says so).
#pragma once

#include <optional>
#include <string>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

namespace installation {
inline constexpr const char* kActivated = "ACTIVATED";
inline constexpr const char* kInactive = "INACTIVE";
inline constexpr const char* kAuthorized = "AUTHORIZED";
inline constexpr const char* kPendingIntegration = "PENDING_INTEGRATION";
inline constexpr const char* kError = "ERROR";
inline constexpr const char* kAuthError = "AUTH_ERROR";      ///< InstallationErrorCode
inline constexpr const char* kNotEntitled = "NOT_ENTITLED";  ///< InstallationErrorCode
}  // namespace installation

struct Installation {
    std::string id, applicationId, resource, status, errorCode, createdAt, updatedAt;
};

class InstallationsClient {
public:
    explicit InstallationsClient(PleoApi& api) : api_(api) {}

    /// GET /v1/installations/me (optionally `company_id`); nullopt when Pleo answers 404.
    std::optional<Installation> get(const std::string& companyId = {});
    /// POST /v1/installations/me:activate — after master data has been synchronised (OAuth only).
    Installation activate();
    /// PUT /v1/installations/me {status, errorCode?}: e.g. ERROR + AUTH_ERROR.
    Installation update(const std::string& status, const std::string& errorCode = {});
    /// POST /v1/installations/me {status?}: needed for API-key connections, which get no
    /// installation from an OAuth flow.
    Installation create(const std::string& status = {});
    /// DELETE /v1/installations/me: Pleo also revokes all of the client's tokens. False when
    /// there was no installation (404).
    bool remove();

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
