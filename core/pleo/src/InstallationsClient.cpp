// Pleo's Installations API: see InstallationsClient.h.
#include "ledgerbridge/pleo/InstallationsClient.h"

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Object;

namespace {

const std::string kPath = "/v1/installations/me";

Installation read(const Object::Ptr& o, const std::string& what) {
    Installation i;
    i.id = json::str(o, "id", what);
    i.applicationId = json::str(o, "applicationId", what);
    i.resource = json::str(o, "resource", what);
    i.status = json::str(o, "status", what);
    i.errorCode = json::optStr(o, "errorCode", what);
    i.createdAt = json::str(o, "createdAt", what);
    i.updatedAt = json::str(o, "updatedAt", what);
    return i;
}

}  // namespace

std::optional<Installation> InstallationsClient::get(const std::string& companyId) {
    const std::string what = "GET " + kPath;
    std::string q = kPath + (companyId.empty() ? "" : "?company_id=" + json::enc(companyId));
    http::HttpResponse r = api_.call("GET", q);
    if (r.status == 404) return std::nullopt;
    if (r.status != 200)
        throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " + json::errorSummary(r.body),
                              r.status, redact(r.body.substr(0, 500)));
    return read(json::parse(r.body, what), what);
}

Installation InstallationsClient::activate() {
    const std::string what = "POST " + kPath + ":activate";
    // Activating twice is harmless (the status is already ACTIVATED), so a lost answer may be retried.
    return read(api_.expect("POST", kPath + ":activate", "", {200}, true), what);
}

Installation InstallationsClient::update(const std::string& status, const std::string& errorCode) {
    Object body;
    body.set("status", status);
    if (!errorCode.empty()) body.set("errorCode", errorCode);
    return read(api_.expect("PUT", kPath, json::stringify(body), {200}, true), "PUT " + kPath);
}

Installation InstallationsClient::create(const std::string& status) {
    Object body;
    if (!status.empty()) body.set("status", status);
    return read(api_.expect("POST", kPath, json::stringify(body), {200, 201}, false), "POST " + kPath);
}

bool InstallationsClient::remove() {
    const std::string what = "DELETE " + kPath;
    http::HttpResponse r = api_.call("DELETE", kPath);
    if (r.status == 404) return false;
    if (r.status != 204 && r.status != 200)
        throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " + json::errorSummary(r.body),
                              r.status, redact(r.body.substr(0, 500)));
    return true;
}

}  // namespace ledgerbridge::pleo
