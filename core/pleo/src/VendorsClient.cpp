// Pleo's external vendors: see VendorsClient.h.
#include "ledgerbridge/pleo/VendorsClient.h"

#include <Poco/JSON/Array.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Vendor read(const Object::Ptr& o, const std::string& what) {
    Vendor v;
    v.id = json::str(o, "id", what);
    v.companyId = json::str(o, "companyId", what);
    v.name = json::str(o, "name", what);
    v.defaultCurrency = json::str(o, "defaultCurrency", what);
    v.state = json::str(o, "state", what);
    v.externalId = json::optStr(o, "externalId", what);
    v.code = json::optStr(o, "code", what);
    v.country = json::optStr(o, "country", what);
    v.registrationNumber = json::optStr(o, "registrationNumber", what);
    v.taxRegistrationNumber = json::optStr(o, "taxRegistrationNumber", what);
    return v;
}

std::string body(const std::string& companyId, const VendorInput& in, bool update) {
    if (in.name.empty()) throw UsageError("A Pleo vendor needs a name (external id '" + in.externalId + "').");
    if (in.defaultCurrency.size() != 3)
        throw UsageError("Vendor '" + in.name + "': default currency '" + in.defaultCurrency + "' is not an ISO 4217 code.");
    if (update && (in.externalId.empty() || in.state.empty()))
        throw UsageError("Updating vendor '" + in.name + "' needs its external id and state (Pleo requires both).");
    Object b(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!in.code.empty()) b.set("code", in.code);
    b.set("companyId", companyUuid(companyId));
    if (!in.country.empty()) b.set("country", in.country);
    b.set("defaultCurrency", in.defaultCurrency);
    if (!in.externalId.empty()) b.set("externalId", in.externalId);
    b.set("name", in.name);
    if (!in.registrationNumber.empty()) b.set("registrationNumber", in.registrationNumber);
    if (update) b.set("state", in.state);
    if (!in.taxRegistrationNumber.empty()) b.set("taxRegistrationNumber", in.taxRegistrationNumber);
    return json::stringify(b);
}

}  // namespace

std::vector<Vendor> VendorsClient::search(const std::string& companyId, const std::vector<std::string>& states) {
    const std::string what = "POST /v1/vendors:search";
    Object b;
    if (!states.empty()) {
        Array a;
        for (const auto& s : states) a.add(s);
        b.set("states", a);
    }
    const std::string text = json::stringify(b);
    std::vector<Vendor> out;
    PleoApi::paginate(
        what,
        [&](const std::string& cursor) {
            std::string q = "/v1/vendors:search?company_id=" + json::enc(companyUuid(companyId)) + "&limit=100";
            if (!cursor.empty()) q += "&after=" + json::enc(cursor);
            return api_.expect("POST", q, text, {200}, true);
        },
        [&](const Object::Ptr& item) {
            out.push_back(read(item, what));
            return true;
        });
    return out;
}

Vendor VendorsClient::create(const std::string& companyId, const VendorInput& in) {
    const std::string what = "POST /v1/vendors";
    return read(json::data(api_.expect("POST", "/v1/vendors", body(companyId, in, false), {201, 200}, false), what), what);
}

Vendor VendorsClient::update(const std::string& companyId, const std::string& id, const VendorInput& in) {
    const std::string what = "PUT /v1/vendors/" + id;
    return read(json::data(api_.expect("PUT", "/v1/vendors/" + json::enc(id), body(companyId, in, true), {200}), what), what);
}

bool VendorsClient::archive(const std::string& id) {
    const std::string what = "POST /v1/vendors/" + id + ":archive";
    http::HttpResponse r = api_.call("POST", "/v1/vendors/" + json::enc(id) + ":archive", "", true);
    if (r.status == 404) return false;
    if (r.status != 204 && r.status != 200)
        throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " + json::errorSummary(r.body),
                              r.status, redact(r.body.substr(0, 500)));
    return true;
}

}  // namespace ledgerbridge::pleo
