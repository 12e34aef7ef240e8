// The checks and VAT arithmetic both export modes share: see BcEntryChecks.hpp.
#include "BcEntryChecks.hpp"

#include <Poco/JSONString.h>

namespace ledgerbridge::businesscentral {

namespace {
constexpr std::int64_t kMaxMinor = 1000000000000;  ///< 10^12: larger amounts are refused (keeps the VAT arithmetic in 64 bits)

bool isDate(const std::string& d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (d[i] < '0' || d[i] > '9') return false;
    return true;
}

/// "25" / "12.5" -> (numerator, denominator); false unless a decimal 0-100 with at most 4 decimals.
bool rateOf(const std::string& text, std::int64_t& num, std::int64_t& den) {
    num = 0;
    den = 1;
    bool dot = false, digit = false;
    for (char c : text) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (c >= '0' && c <= '9' && den < 10000) {
            num = num * 10 + (c - '0');
            if (dot) den *= 10;
            digit = true;
        } else {
            return false;
        }
    }
    return digit && num <= 100 * den;
}

/// amount * num / (bottomPercent * den + (included ? num : 0)), rounded half away from zero.
std::int64_t vatOf(std::int64_t amount, std::int64_t num, std::int64_t den, bool included) {
    // |amount| <= 10^12 and num <= 10^6: the product stays far below 2^63.
    const std::int64_t top = amount * num * 2;
    const std::int64_t bottom = (100 * den + (included ? num : 0)) * 2;
    return (top + (top >= 0 ? bottom / 2 : -bottom / 2)) / bottom;
}

/// The BC taxCode of `line`, "" for an untaxed line; throws Rejected for an unmapped code.
std::string taxCodeOf(const sdk::Line& line, const BcConfig& config, const std::string& where) {
    if (line.taxCode.empty() || line.taxType == "none") return {};
    const bool reverse = line.taxType == "reverse";
    const auto& map = reverse ? config.reverseTaxCodes : config.taxCodes;
    const auto it = map.find(line.taxCode);
    if (it == map.end())
        throw Rejected("tax_code_unknown", where + ": Pleo tax code '" + line.taxCode + "' has no Business Central tax code in " +
                                               (reverse ? "reverse_charge_tax_codes" : "tax_codes"));
    return it->second;
}
}  // namespace

std::string dimensionBody(const std::pair<std::string, std::string>& dim) {
    return "{\"code\":" + Poco::toJSON(dim.first) + ",\"valueCode\":" + Poco::toJSON(dim.second) + "}";
}

std::string decimalText(std::int64_t minor, int exponent) {
    const bool negative = minor < 0;
    std::string digits = std::to_string(negative ? -minor : minor);
    if (exponent <= 0) return (negative ? "-" : "") + digits;
    while (digits.size() <= static_cast<std::size_t>(exponent)) digits = "0" + digits;
    return (negative ? "-" : "") + digits.substr(0, digits.size() - exponent) + "." +
           digits.substr(digits.size() - exponent);
}

std::string cutUtf8(const std::string& s, std::size_t max) {
    std::size_t bytes = 0, chars = 0;
    while (bytes < s.size() && chars < max) {
        const auto c = static_cast<unsigned char>(s[bytes]);
        bytes += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++chars;
    }
    return s.substr(0, std::min(bytes, s.size()));
}

std::string postingDateOf(const sdk::Entry& e) {
    const std::string date = !e.bookingDate.empty() ? e.bookingDate : e.date;
    if (!isDate(date))
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": the date '" + date + "' is not YYYY-MM-DD");
    return date;
}

int exponentOf(const sdk::Entry& e) {
    const int exponent = e.totalWallet.exponent;
    if (exponent < 0 || exponent > 4)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": " + std::to_string(exponent) +
                                                 " decimals are more than Business Central keeps");
    return exponent;
}

void checkAmount(const sdk::Money& m, const std::string& currency, const std::string& where) {
    if (m.currency != currency)
        throw Rejected("validation_failure", where + " is in '" + m.currency + "', but the document is in " + currency);
    if (m.minor > kMaxMinor || m.minor < -kMaxMinor)
        throw Rejected("validation_failure", where + ": the amount " + std::to_string(m.minor) + " is out of range");
}

CheckedLine checkedLine(const sdk::Entry& e, std::size_t i, const BcConfig& config, const std::string& currency) {
    const sdk::Line& l = e.lines[i];
    const int exponent = e.totalWallet.exponent;
    const std::string where = "entry " + e.accountingEntryId + ", line " + std::to_string(i + 1);
    if (l.accountCode.empty()) throw Rejected("account_unknown", where + " has no account");
    if (l.accountCode.size() > 20)
        throw Rejected("account_unknown", where + ": account '" + l.accountCode + "' is longer than BC's 20 characters");
    checkAmount(l.netAmount, currency, where + ": the net amount");
    checkAmount(l.taxAmount.currency.empty() ? sdk::Money{0, currency, 2} : l.taxAmount, currency, where + ": the tax amount");
    checkAmount(l.walletAmount, currency, where + ": the amount");
    CheckedLine out;
    out.accountNumber = l.accountCode;
    out.taxCode = taxCodeOf(l, config, where);
    out.taxRate = l.taxRate;
    out.reverse = l.taxType == "reverse";
    out.net = l.netAmount.minor;
    out.tax = l.taxAmount.minor;
    if (l.walletAmount.minor != (out.reverse ? out.net : out.net + out.tax))
        throw Rejected("validation_failure",
                       where + ": the amount " + decimalText(l.walletAmount.minor, exponent) + " is not net " +
                           decimalText(out.net, exponent) +
                           (out.reverse ? " (reverse charge: VAT comes on top)" : " plus tax " + decimalText(out.tax, exponent)));
    out.description = cutUtf8(l.description.empty() ? e.note : l.description, 100);
    for (const sdk::Tag& t : l.tags) {
        const auto dim = config.dimensions.find(t.groupCode);
        if (dim == config.dimensions.end()) continue;
        if (t.code.empty() || t.code.size() > 20)
            throw Rejected("tag_unknown", where + ": tag '" + t.name + "' of group " + t.groupCode +
                                              " needs a code of 1-20 characters for BC dimension " + dim->second);
        out.dimensions.emplace_back(dim->second, t.code);
    }
    return out;
}

std::string vendorNumberOf(const sdk::Entry& e, const BcConfig& config) {
    const std::string& code = e.supplier.code;
    const auto mapped = code.empty() ? config.vendors.end() : config.vendors.find(code);
    const std::string number = mapped != config.vendors.end() ? mapped->second : !code.empty() ? code : config.defaultVendor;
    const std::string supplier = e.supplier.name.empty() ? "(none)" : "'" + e.supplier.name + "'";
    if (number.empty())
        throw Rejected("vendor_unknown", "entry " + e.accountingEntryId + ": supplier " + supplier +
                                             " has no code and no default_vendor is set, so it has no Business Central vendor");
    if (number.size() > 20)
        throw Rejected("vendor_unknown", "entry " + e.accountingEntryId + ": supplier " + supplier + " code '" + number +
                                             "' is longer than a BC vendor number (20 characters); map it in vendors");
    return number;
}

void checkBcVat(const CheckedLine& line, std::int64_t amount, bool vatIncluded, int exponent, const std::string& where) {
    if (line.taxCode.empty() || line.reverse || line.taxRate.empty()) return;
    std::int64_t num = 0, den = 1;
    if (!rateOf(line.taxRate, num, den))
        throw Rejected("validation_failure", where + ": tax rate '" + line.taxRate + "' is not a decimal");
    const std::int64_t bcVat = vatOf(amount, num, den, vatIncluded);
    if (bcVat != line.tax)
        throw Rejected("validation_failure", where + ": Business Central would compute VAT " + decimalText(bcVat, exponent) +
                                                 " from " + decimalText(amount, exponent) + " at " + line.taxRate +
                                                 " %, Pleo says " + decimalText(line.tax, exponent));
}

}  // namespace ledgerbridge::businesscentral
