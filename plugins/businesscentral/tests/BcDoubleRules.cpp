// The Business Central double's shared refusals: see BcDoubleRules.hpp.
#include "BcDoubleRules.hpp"

#include <algorithm>

namespace ledgerbridge::bctest {

std::optional<Answer> accountRefusal(const BcDouble::Company& c, const std::string& number) {
    const auto account = std::find_if(c.accounts.begin(), c.accounts.end(),
                                      [&](const BcDouble::Account& a) { return a.number == number; });
    if (account == c.accounts.end())
        return error(400, "Internal_RecordNotFound", "The G/L Account does not exist. Identification fields and values: "
                                                     "No.='" + number + "'");
    if (account->blocked)
        return error(400, "Internal_ValidationError", "Blocked must be equal to 'No' in G/L Account: No.=" + number);
    return std::nullopt;
}

std::optional<Answer> vendorRefusal(const BcDouble::Company& c, const std::string& number) {
    const auto vendor = std::find_if(c.vendors.begin(), c.vendors.end(),
                                     [&](const BcDouble::Vendor& v) { return v.number == number; });
    if (vendor == c.vendors.end())
        return error(400, "Internal_RecordNotFound", "The Vendor does not exist. Identification fields and values: No.='" +
                                                         number + "'");
    if (vendor->blocked == "All")
        return error(400, "Internal_ValidationError", "You cannot create this type of document when Vendor " + number +
                                                          " is blocked with type All");
    return std::nullopt;
}

std::optional<Answer> taxCodeRefusal(const BcDouble::Company& c, const std::string& code) {
    if (code.empty() ||
        std::any_of(c.taxGroups.begin(), c.taxGroups.end(), [&](const BcDouble::TaxGroup& t) { return t.code == code; }))
        return std::nullopt;
    return error(400, "Internal_RecordNotFound", "The VAT Prod. Posting Group does not exist. Identification fields "
                                                 "and values: Code='" + code + "'");
}

Answer addDimensionSetLine(const BcDouble::Company& c, std::vector<std::pair<std::string, std::string>>& dimensions,
                           const std::string& body) {
    const auto o = objectIn(body);
    if (!o) return error(400, "BadRequest", "The request body is not a JSON object.");
    const std::string code = o->optValue<std::string>("code", ""), value = o->optValue<std::string>("valueCode", "");
    const auto dim = std::find_if(c.dimensions.begin(), c.dimensions.end(),
                                  [&](const BcDouble::Dimension& d) { return d.code == code; });
    if (dim == c.dimensions.end())
        return error(400, "Internal_RecordNotFound", "The Dimension does not exist. Identification fields and "
                                                     "values: Code='" + code + "'");
    const bool known = std::any_of(c.dimensionValues.begin(), c.dimensionValues.end(), [&](const BcDouble::DimensionValue& v) {
        return v.dimensionId == dim->id && v.code == value;
    });
    if (!known)
        return error(400, "Internal_RecordNotFound", "The Dimension Value does not exist. Identification fields and "
                                                     "values: Dimension Code='" + code + "',Code='" + value + "'");
    dimensions.emplace_back(code, value);
    Poco::JSON::Object out;
    out.set("code", code);
    out.set("valueCode", value);
    return json(201, out);
}

void bookGlEntry(BcDouble::Company& c, const std::string& documentNumber, const std::string& externalDocumentNumber,
                 const std::string& postingDate, const std::string& account, std::int64_t cents,
                 const std::vector<std::pair<std::string, std::string>>& dimensions) {
    BcDouble::GlEntry g;
    g.entryNumber = static_cast<int>(c.ledger.size()) + 1;
    g.id = guid(0x91e, g.entryNumber);
    g.documentNumber = documentNumber;
    g.externalDocumentNumber = externalDocumentNumber;
    g.accountNumber = account;
    g.postingDate = postingDate;
    g.cents = cents;
    g.dimensions = dimensions;
    c.ledger.push_back(g);
}

}  // namespace ledgerbridge::bctest
