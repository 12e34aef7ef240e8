// Pleo's tax codes: see TaxCodesClient.h.
#include "ledgerbridge/pleo/TaxCodesClient.h"

#include <regex>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Object;

namespace {

TaxCode read(const Object::Ptr& o, const std::string& what) {
    TaxCode t;
    t.id = json::str(o, "id", what);
    t.companyId = json::str(o, "companyId", what);
    t.name = json::str(o, "name", what);
    t.rate = json::number(o, "rate", what);
    t.type = json::str(o, "type", what);
    t.code = json::optStr(o, "code", what);
    t.ingoingTaxAccount = json::optStr(o, "ingoingTaxAccount", what);
    t.outgoingTaxAccount = json::optStr(o, "outgoingTaxAccount", what);
    t.archived = json::boolean(o, "archived", what);
    return t;
}

}  // namespace

std::string TaxCodesClient::body(const std::string& companyId, const TaxCodeInput& in) {
    static const std::regex decimal(R"(^(0|[1-9][0-9]{0,5})(\.[0-9]{1,6})?$)");
    if (!std::regex_match(in.rate, decimal))
        throw UsageError("Tax code '" + in.name + "': rate '" + in.rate +
                         "' is not a plain decimal percentage (digits, optionally a point and up to 6 decimals).");
    if (in.type != "inclusive" && in.type != "exclusive" && in.type != "reverse")
        throw UsageError("Tax code '" + in.name + "': type '" + in.type + "' is not one of inclusive, exclusive, reverse.");
    if (in.name.empty()) throw UsageError("A tax code needs a name (rate " + in.rate + ").");
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("archived", in.archived);
    if (!in.code.empty()) body.set("code", in.code);
    body.set("companyId", companyUuid(companyId));
    if (!in.ingoingTaxAccount.empty()) body.set("ingoingTaxAccount", in.ingoingTaxAccount);
    body.set("name", in.name);
    if (!in.outgoingTaxAccount.empty()) body.set("outgoingTaxAccount", in.outgoingTaxAccount);
    body.set("type", in.type);
    // The rate goes in as the checked decimal text, as a JSON number (see the header).
    std::string text = json::stringify(body);
    text.insert(text.size() - 1, ",\"rate\":" + in.rate);
    return text;
}

std::vector<TaxCode> TaxCodesClient::search(const std::string& companyId) {
    const std::string what = "POST /v0/tax-codes:search";
    std::vector<TaxCode> out;
    PleoApi::paginate(
        what,
        [&](const std::string& cursor) {
            std::string q = "/v0/tax-codes:search?company_id=" + json::enc(companyUuid(companyId)) + "&limit=100";
            if (!cursor.empty()) q += "&after=" + json::enc(cursor);
            return api_.expect("POST", q, "{}", {200}, true);
        },
        [&](const Object::Ptr& item) {
            out.push_back(read(item, what));
            return true;
        });
    return out;
}

TaxCode TaxCodesClient::create(const std::string& companyId, const TaxCodeInput& in) {
    const std::string what = "POST /v0/tax-codes";
    return read(json::data(api_.expect("POST", "/v0/tax-codes", body(companyId, in), {200, 201}, false), what), what);
}

TaxCode TaxCodesClient::update(const std::string& companyId, const std::string& id, const TaxCodeInput& in) {
    const std::string what = "PUT /v0/tax-codes/" + id;
    return read(json::data(api_.expect("PUT", "/v0/tax-codes/" + json::enc(id), body(companyId, in), {200}), what), what);
}

TaxCode TaxCodesClient::archive(const TaxCode& t) {
    return update(t.companyId, t.id,
                  TaxCodeInput{t.name, t.rate, t.type, t.code, t.ingoingTaxAccount, t.outgoingTaxAccount, true});
}

}  // namespace ledgerbridge::pleo
