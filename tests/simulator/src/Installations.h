// Installations (installations.yml): one per OAuth client and company, created AUTHORIZED when
// the user consents (the token exchange of a new grant), as Pleo's authorisation server does.
// API keys have no client; their installation is keyed by the empty client id.
// Transitions the simulator allows (spec: InstallationStatus, me:activate):
//   AUTHORIZED | PENDING_INTEGRATION | ERROR | ACTIVATED  -> any of PENDING_INTEGRATION,
//   ACTIVATED, ERROR (ERROR needs an errorCode, the others must not carry one), INACTIVE;
//   me:activate from anything but INACTIVE -> ACTIVATED; INACTIVE only leaves by PUT.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace lbsim {

struct Installation {
    std::string id, applicationId, status = "AUTHORIZED", errorCode;
    Poco::JSON::Object::Ptr metadata = new Poco::JSON::Object;
    std::int64_t createdAt = 0, updatedAt = 0;
};

class Installations {
public:
    using Key = std::pair<std::string, int>;  // (client id, company index)
    /// The installation, or nullptr.
    Installation* find(const std::string& clientId, int company);
    /// Creates it AUTHORIZED when absent (consent); returns it either way.
    Installation& authorize(const std::string& clientId, int company, std::int64_t now);
    /// Creates it; throws ApiError 400 INSTALLATION_ALREADY_EXISTS.
    Installation& create(const std::string& clientId, int company, const std::string& status,
                         const Poco::JSON::Object::Ptr& metadata, std::int64_t now);
    /// Applies a status change after the checks above; throws ApiError 400.
    void setStatus(Installation& in, const std::string& status, const std::string& errorCode, std::int64_t now);
    bool remove(const std::string& clientId, int company);
    const std::map<Key, Installation>& all() const { return all_; }
    void clear() { all_.clear(); }

private:
    std::map<Key, Installation> all_;
};

/// InstallationResponse; `resource` is the company URN.
Poco::JSON::Object::Ptr installationJson(const Installation& in, const std::string& companyUrn);

}  // namespace lbsim
