// Pleo's tax codes: see TaxCodesClient.h.
#include "ledgerbridge/pleo/TaxCodesClient.h"

#include <algorithm>

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

/// 0, 0.d to 0.dddddd, 1, or 1.0 to 1.000000. Written out, not as a std::regex: GCC 12 at -O1
/// and above reports a false -Wmaybe-uninitialized inside <regex> (GCC bug 105562), which failed
/// the Asan and Release builds with -Werror.
bool isRateFraction(const std::string& rate) {
    if (rate.empty() || (rate[0] != '0' && rate[0] != '1')) return false;
    if (rate.size() == 1) return true;
    const std::string decimals = rate.substr(2);
    if (rate[1] != '.' || decimals.empty() || decimals.size() > 6) return false;
    const char highest = rate[0] == '1' ? '0' : '9';
    return std::all_of(decimals.begin(), decimals.end(), [&](char c) { return c >= '0' && c <= highest; });
}

}  // namespace

std::string TaxCodesClient::body(const std::string& companyId, const TaxCodeInput& in) {
    // Pleo's rate is a fraction (20 % is 0.20), from 0 to 1.
    if (!isRateFraction(in.rate))
        throw UsageError("Tax code '" + in.name + "': rate '" + in.rate +
                         "' is not a decimal fraction from 0 to 1 with at most 6 decimals (Pleo writes 20 % as 0.20).");
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
