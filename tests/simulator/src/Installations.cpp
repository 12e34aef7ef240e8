// Installation records and their status rules.
#include "Installations.h"

#include <set>

#include "Clock.h"
#include "Http.h"
#include "Ids.h"

namespace lbsim {

namespace {
const std::set<std::string> kStatuses = {"ACTIVATED", "INACTIVE", "AUTHORIZED", "PENDING_INTEGRATION", "ERROR"};
const std::set<std::string> kErrorCodes = {"NOT_ENTITLED", "AUTH_ERROR"};

// A stable application id per client: the same app always has the same id.
std::string applicationIdOf(const std::string& clientId) {
    std::uint64_t h = hashString("application:" + clientId);
    return uuidFrom(h, mix64(h));
}
}  // namespace

Installation* Installations::find(const std::string& clientId, int company) {
    auto it = all_.find({clientId, company});
    return it == all_.end() ? nullptr : &it->second;
}

Installation& Installations::authorize(const std::string& clientId, int company, std::int64_t now) {
    if (Installation* in = find(clientId, company)) return *in;
    return create(clientId, company, "AUTHORIZED", nullptr, now);
}

Installation& Installations::create(const std::string& clientId, int company, const std::string& status,
                                    const Poco::JSON::Object::Ptr& metadata, std::int64_t now) {
    if (find(clientId, company))
        throw ApiError(400, "INSTALLATION_ALREADY_EXISTS", "The client already has an installation for this company.");
    if (!status.empty() && !kStatuses.count(status))
        throw ApiError(400, "INVALID_INSTALLATION_STATUS", "Unknown installation status '" + status + "'.");
    if (status == "ERROR")
        throw ApiError(400, "INVALID_INSTALLATION_STATUS", "An installation cannot be created in status ERROR.");
    Installation in;
    std::uint64_t h = hashString(clientId + "#" + std::to_string(company) + "#" + std::to_string(now) + randomToken(8));
    in.id = uuidFrom(h, mix64(h ^ 0x1257A11ULL));
    in.applicationId = applicationIdOf(clientId);
    in.status = status.empty() ? "AUTHORIZED" : status;
    if (metadata) in.metadata = metadata;
    in.createdAt = in.updatedAt = now;
    return all_.emplace(Key{clientId, company}, std::move(in)).first->second;
}

void Installations::setStatus(Installation& in, const std::string& status, const std::string& errorCode,
                              std::int64_t now) {
    if (!kStatuses.count(status))
        throw ApiError(400, "INVALID_INSTALLATION_STATUS", "Unknown installation status '" + status + "'.");
    if (status == "AUTHORIZED")
        throw ApiError(400, "INVALID_INSTALLATION_STATUS_CHANGE",
                       "AUTHORIZED is set by Pleo's authorisation server, not by the integration.");
    if (status == "ERROR" && errorCode.empty())
        throw ApiError(400, "MISSING_ERROR_CODE", "status ERROR needs an errorCode (NOT_ENTITLED or AUTH_ERROR).");
    if (!errorCode.empty() && !kErrorCodes.count(errorCode))
        throw ApiError(400, "INVALID_ERROR_CODE", "Unknown errorCode '" + errorCode + "'.");
    if (status != "ERROR" && !errorCode.empty())
        throw ApiError(400, "INVALID_ERROR_CODE", "errorCode is only allowed with status ERROR.");
    in.status = status;
    in.errorCode = errorCode;
    in.updatedAt = now;
}

bool Installations::remove(const std::string& clientId, int company) { return all_.erase({clientId, company}) > 0; }

Poco::JSON::Object::Ptr installationJson(const Installation& in, const std::string& companyUrn) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", in.id);
    o->set("applicationId", in.applicationId);
    o->set("resource", companyUrn);
    o->set("status", in.status);
    if (!in.errorCode.empty()) o->set("errorCode", in.errorCode);
    o->set("metadata", in.metadata);
    o->set("createdAt", isoTime(in.createdAt));
    o->set("updatedAt", isoTime(in.updatedAt));
    return o;
}

}  // namespace lbsim
