// ERP records in Pleo's form: see PleoForm.h.
#include "ledgerbridge/masterdata/PleoForm.h"

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>

#include <stdexcept>

namespace ledgerbridge::masterdata {

namespace {

// accounts.yml: code, externalId and name at most 255 characters (BookkeepingAccount*RequestV1).
constexpr std::size_t kAccountTextMax = 255;

bool digitsOnly(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

std::string stripLeadingZeros(std::string s) {
    std::size_t i = s.find_first_not_of('0');
    s = i == std::string::npos ? "0" : s.substr(i);
    return s;
}

}  // namespace

std::string PleoForm::hash() const {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    auto add = [&](const std::string& s) {
        sha.update(std::to_string(s.size()));
        sha.update(":");
        sha.update(s);
    };
    add(sdk::masterKindName(kind));
    add(key);
    for (const auto& [k, v] : fields) {
        add(k);
        add(v);
    }
    add(archived ? "archived" : "active");
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string canonicalDecimal(const std::string& decimal) {
    std::string s = decimal;
    std::string intPart = s, frac;
    if (auto dot = s.find('.'); dot != std::string::npos) {
        intPart = s.substr(0, dot);
        frac = s.substr(dot + 1);
    }
    if (intPart.empty()) intPart = "0";
    if (!digitsOnly(intPart) || (!frac.empty() && !digitsOnly(frac))) return decimal;  // not ours to fix
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    intPart = stripLeadingZeros(intPart);
    return frac.empty() ? intPart : intPart + "." + frac;
}

std::string percentToFraction(const std::string& percent) {
    std::string intPart = percent, frac;
    if (auto dot = percent.find('.'); dot != std::string::npos) {
        intPart = percent.substr(0, dot);
        frac = percent.substr(dot + 1);
    }
    if (!percent.empty() && percent[0] == '-') throw std::invalid_argument("a negative tax rate '" + percent + "'");
    if (!digitsOnly(intPart) || (percent.find('.') != std::string::npos && !digitsOnly(frac)))
        throw std::invalid_argument("the tax rate '" + percent + "' is not a decimal percentage such as 25 or 12.5");
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac.size() > 4)
        throw std::invalid_argument("the tax rate '" + percent + "' has more than 4 decimals (Pleo keeps 6 as a fraction)");
    intPart = stripLeadingZeros(intPart);
    if (intPart.size() > 3 || (intPart.size() == 3 && (intPart != "100" || !frac.empty())))
        throw std::invalid_argument("the tax rate '" + percent + "' is above 100 %");
    // Dividing by 100 moves the decimal point two places left: pad the integer part to 3 digits.
    std::string padded = std::string(3 - intPart.size(), '0') + intPart;
    return canonicalDecimal(padded.substr(0, padded.size() - 2) + "." + padded.substr(padded.size() - 2) + frac);
}

std::string pleoTaxType(const std::string& erpType) {
    // Expenses in Pleo are gross amounts: a normal or exempt code is "inclusive" (the tax is in
    // the amount; 0 % for exempt); reverse charge adds the tax on top.
    if (erpType.empty() || erpType == "normal" || erpType == "exempt") return "inclusive";
    if (erpType == "reverse") return "reverse";
    throw std::invalid_argument("the tax type '" + erpType + "' is not normal, reverse or exempt");
}

std::variant<PleoForm, std::string> toPleoForm(const sdk::MasterRecord& r, const MappingContext& ctx) {
    PleoForm f;
    f.kind = r.kind;
    f.code = r.code;
    f.archived = r.archived;
    if (r.name.empty()) return std::string("the name is empty (Pleo requires one)");
    f.fields["name"] = r.name;
    switch (r.kind) {
    case sdk::MasterKind::TaxCode: {
        if (r.code.empty()) return std::string("the tax code has no code (Pleo's tax codes are matched by code)");
        f.key = r.code;
        try {
            f.fields["rate"] = percentToFraction(r.taxRate.empty() ? "0" : r.taxRate);
            f.fields["type"] = pleoTaxType(r.type);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        if (r.type == "exempt" && f.fields["rate"] != "0") return "an exempt tax code with the rate " + r.taxRate + " %";
        f.fields["ingoingTaxAccount"] = r.inputAccountCode;
        f.fields["outgoingTaxAccount"] = r.outputAccountCode;
        break;
    }
    case sdk::MasterKind::Account: {
        f.key = r.id;
        if (r.id.size() > kAccountTextMax) return std::string("the ERP id is longer than Pleo's 255 characters");
        if (r.code.size() > kAccountTextMax) return std::string("the account code is longer than Pleo's 255 characters");
        if (r.name.size() > kAccountTextMax) return std::string("the account name is longer than Pleo's 255 characters");
        f.fields["code"] = r.code;
        std::string taxCode;
        if (!r.defaultTaxCodeId.empty()) {
            auto it = ctx.taxCodeById.find(r.defaultTaxCodeId);
            if (it == ctx.taxCodeById.end())
                return "its default tax code (ERP id " + r.defaultTaxCodeId + ") is not among the ERP's tax codes";
            taxCode = it->second;
        }
        // accounts.yml's taxCodeExternalId holds the tax code's code ("IVA 20").
        f.fields["taxCodeExternalId"] = taxCode;
        break;
    }
    case sdk::MasterKind::Dimension:
        if (r.code.empty()) return std::string("the dimension has no code (Pleo's tag groups are matched by code)");
        f.key = r.code;
        break;
    case sdk::MasterKind::DimensionValue: {
        if (r.code.empty()) return std::string("the dimension value has no code (Pleo's tags are matched by code)");
        auto it = ctx.dimensionById.find(r.parentId);
        if (it == ctx.dimensionById.end())
            return "its dimension (ERP id " + r.parentId + ") is not among the ERP's dimensions";
        f.key = it->second + "/" + r.code;
        f.fields["group"] = it->second;
        break;
    }
    case sdk::MasterKind::Supplier: {
        f.key = r.id;
        if (r.currency.size() != 3) return "the supplier has no ISO 4217 currency (Pleo requires defaultCurrency), got '" + r.currency + "'";
        if (!r.country.empty() && r.country.size() != 2)
            return "the country '" + r.country + "' is not an ISO 3166-1 alpha-2 code";
        f.fields["code"] = r.code;
        f.fields["defaultCurrency"] = r.currency;
        f.fields["country"] = r.country;
        f.fields["registrationNumber"] = r.registrationNumber;
        f.fields["taxRegistrationNumber"] = r.vatNumber;
        break;
    }
    }
    return f;
}

}  // namespace ledgerbridge::masterdata
