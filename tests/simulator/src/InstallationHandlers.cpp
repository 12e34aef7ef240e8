// Handlers of /v1/installations/...
#include "InstallationHandlers.h"

#include <vector>

#include "Auth.h"

namespace lbsim {

namespace {

using Poco::JSON::Object;

Installation& mine(SimState& s, const Principal& p) {
    Installation* in = s.installations.find(p.clientId, p.company);
    if (!in) throw ApiError(404, "INSTALLATION_NOT_FOUND", "The client has no installation for this company.");
    return *in;
}

Reply installationReply(SimState& s, const Principal& p, const Installation& in) {
    Object::Ptr o = installationJson(in, s.catalog.companies().at(static_cast<std::size_t>(p.company)).urn);
    return jsonReply(200, o);
}

Object::Ptr jsonObjectBody(const Request& req, bool required) {
    if (req.body.empty()) {
        if (required) throw ApiError(400, "INVALID_REQUEST_BODY", "A JSON body is required.");
        return new Object;
    }
    Poco::Dynamic::Var v = parseJsonBody(req.body);
    if (v.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    return v.extract<Object::Ptr>();
}

Object::Ptr metadataOf(const Object::Ptr& body) {
    if (!body->has("metadata") || body->isNull("metadata")) return nullptr;
    Object::Ptr m = body->getObject("metadata");
    if (!m) throw ApiError(400, "INVALID_REQUEST_BODY", "'metadata' must be an object.");
    return m;
}

}  // namespace

Reply getInstallation(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "installations:read");
    checkCompanyParam(s, p, req.param("company_id"));
    return installationReply(s, p, mine(s, p));
}

Reply createInstallation(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "installations:write");
    Object::Ptr body = jsonObjectBody(req, true);
    Installation& in = s.installations.create(p.clientId, p.company, stringField(body, "status"), metadataOf(body),
                                              s.clock.now());
    return installationReply(s, p, in);
}

Reply updateInstallation(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "installations:write");
    Object::Ptr body = jsonObjectBody(req, true);
    std::string status = stringField(body, "status");
    if (status.empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "'status' is required.");
    Installation& in = mine(s, p);
    s.installations.setStatus(in, status, stringField(body, "errorCode"), s.clock.now());
    if (Object::Ptr m = metadataOf(body)) in.metadata = m;
    return installationReply(s, p, in);
}

Reply deleteInstallation(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "installations:write");
    mine(s, p);
    s.installations.remove(p.clientId, p.company);
    // Uninstalling ends the client's access to the company: every grant of it, so every access
    // and refresh token, is revoked (API keys are the company's, not the client's: untouched).
    if (!p.clientId.empty()) {
        std::vector<std::string> ids;
        for (const auto& g : s.tokens.grants())
            if (g.second.clientId == p.clientId && g.second.company == p.company && !g.second.revoked) ids.push_back(g.first);
        for (const auto& id : ids) s.tokens.revokeGrant(id);
    }
    Reply r;
    r.status = 204;
    r.contentType = "";
    return r;
}

Reply activateInstallation(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "installations:write");
    Installation& in = mine(s, p);
    if (in.status == "INACTIVE")
        throw ApiError(400, "INVALID_INSTALLATION_STATUS_CHANGE", "An INACTIVE installation cannot be activated.");
    if (in.status != "ACTIVATED") s.installations.setStatus(in, "ACTIVATED", "", s.clock.now());
    return installationReply(s, p, in);
}

Reply completeInstallation(SimState& s, const Request& req) {
    Reply r = activateInstallation(s, req);
    r.headers.emplace_back("Deprecation", "true");  // deprecated: true in installations.yml
    return r;
}

}  // namespace lbsim
