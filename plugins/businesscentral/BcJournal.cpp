// Pleo entry -> Business Central journal lines, and the checks: see BcJournal.hpp.
#include "BcJournal.hpp"

#include <Poco/JSONString.h>

#include <cstdio>

namespace ledgerbridge::businesscentral {

namespace {
constexpr std::int64_t kMaxMinor = 1000000000000;  ///< 10^12: larger amounts are refused (keeps the VAT arithmetic in 64 bits)

/// The first `max` characters of UTF-8 `s`, never cutting a character in two.
std::string cut(const std::string& s, std::size_t max) {
    std::size_t bytes = 0, chars = 0;
    while (bytes < s.size() && chars < max) {
        const auto c = static_cast<unsigned char>(s[bytes]);
        bytes += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++chars;
    }
    return s.substr(0, std::min(bytes, s.size()));
}

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

/// The VAT BC computes from a VAT-inclusive amount: gross * rate / (100 + rate), rounded half
/// away from zero to the currency's minor unit.
std::int64_t vatIncluded(std::int64_t gross, std::int64_t num, std::int64_t den) {
    // |gross| <= 10^12 and num <= 10^6: the product stays far below 2^63.
    const std::int64_t top = gross * num * 2;
    const std::int64_t bottom = (100 * den + num) * 2;
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

void checkAmount(const sdk::Money& m, const BcConfig& config, const std::string& where) {
    if (m.currency != config.currency)
        throw Rejected("validation_failure", where + " is in '" + m.currency + "', but Business Central journal lines are "
                                                 "in the company's local currency " + config.currency);
    if (m.minor > kMaxMinor || m.minor < -kMaxMinor)
        throw Rejected("validation_failure", where + ": the amount " + std::to_string(m.minor) + " is out of range");
}
}  // namespace

std::string documentNumberOf(const std::string& id) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
    char buf[24];
    std::snprintf(buf, sizeof buf, "LB%016llX", static_cast<unsigned long long>(h));
    return buf;
}

std::string decimalText(std::int64_t minor, int exponent) {
    const bool negative = minor < 0;
    std::string digits = std::to_string(negative ? -minor : minor);
    if (exponent <= 0) return (negative ? "-" : "") + digits;
    while (digits.size() <= static_cast<std::size_t>(exponent)) digits = "0" + digits;
    return (negative ? "-" : "") + digits.substr(0, digits.size() - exponent) + "." +
           digits.substr(digits.size() - exponent);
}

JournalDocument journalOf(const sdk::Entry& e, const BcConfig& config) {
    if (e.accountingEntryId.empty()) throw Rejected("validation_failure", "the entry has no accounting entry id");
    if (e.lines.empty()) throw Rejected("validation_failure", "entry " + e.accountingEntryId + " has no lines");
    JournalDocument doc;
    doc.documentNumber = documentNumberOf(e.accountingEntryId);
    doc.externalDocumentNumber = e.accountingEntryId.size() <= 35 ? e.accountingEntryId : doc.documentNumber;
    doc.postingDate = !e.bookingDate.empty() ? e.bookingDate : e.date;
    if (!isDate(doc.postingDate))
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": the date '" + doc.postingDate +
                                                 "' is not YYYY-MM-DD");
    checkAmount(e.totalWallet, config, "entry " + e.accountingEntryId + ": the total");
    doc.exponent = e.totalWallet.exponent;
    if (doc.exponent < 0 || doc.exponent > 4)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": " + std::to_string(doc.exponent) +
                                                 " decimals are more than Business Central keeps");
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const sdk::Line& l = e.lines[i];
        const std::string where = "entry " + e.accountingEntryId + ", line " + std::to_string(i + 1);
        if (l.accountCode.empty()) throw Rejected("account_unknown", where + " has no account");
        if (l.accountCode.size() > 20)
            throw Rejected("account_unknown", where + ": account '" + l.accountCode + "' is longer than BC's 20 characters");
        checkAmount(l.netAmount, config, where + ": the net amount");
        checkAmount(l.taxAmount.currency.empty() ? sdk::Money{0, config.currency, 2} : l.taxAmount, config,
                    where + ": the tax amount");
        JournalLine out;
        out.accountNumber = l.accountCode;
        out.taxCode = taxCodeOf(l, config, where);
        const bool reverse = l.taxType == "reverse";
        // Reverse charge: BC self-assesses the VAT on top of the net amount; otherwise the
        // amount includes the VAT BC splits off.
        out.minor = reverse || out.taxCode.empty() ? l.netAmount.minor : l.netAmount.minor + l.taxAmount.minor;
        checkAmount(l.walletAmount, config, where + ": the amount");
        if (l.walletAmount.minor != (reverse ? l.netAmount.minor : l.netAmount.minor + l.taxAmount.minor))
            throw Rejected("validation_failure",
                           where + ": the amount " + decimalText(l.walletAmount.minor, doc.exponent) + " is not net " +
                               decimalText(l.netAmount.minor, doc.exponent) +
                               (reverse ? " (reverse charge: VAT comes on top)" : " plus tax " +
                                   decimalText(l.taxAmount.minor, doc.exponent)));
        if (!out.taxCode.empty() && !reverse && !l.taxRate.empty()) {
            std::int64_t num = 0, den = 1;
            if (!rateOf(l.taxRate, num, den))
                throw Rejected("validation_failure", where + ": tax rate '" + l.taxRate + "' is not a decimal");
            const std::int64_t bcVat = vatIncluded(out.minor, num, den);
            if (bcVat != l.taxAmount.minor)
                throw Rejected("validation_failure",
                               where + ": Business Central would compute VAT " + decimalText(bcVat, doc.exponent) +
                                   " from " + decimalText(out.minor, doc.exponent) + " at " + l.taxRate +
                                   " %, Pleo says " + decimalText(l.taxAmount.minor, doc.exponent));
        }
        out.description = cut(l.description.empty() ? e.note : l.description, 100);
        for (const sdk::Tag& t : l.tags) {
            const auto dim = config.dimensions.find(t.groupCode);
            if (dim == config.dimensions.end()) continue;
            if (t.code.empty() || t.code.size() > 20)
                throw Rejected("tag_unknown", where + ": tag '" + t.name + "' of group " + t.groupCode +
                                                  " needs a code of 1-20 characters for BC dimension " + dim->second);
            out.dimensions.emplace_back(dim->second, t.code);
        }
        sum += out.minor;
        doc.lines.push_back(std::move(out));
    }
    if (sum != e.totalWallet.minor)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + " does not balance: its lines come to " +
                                                 decimalText(sum, doc.exponent) + ", its total is " +
                                                 decimalText(e.totalWallet.minor, doc.exponent));
    if (e.contraAccountCode.empty() || e.contraAccountCode.size() > 20)
        throw Rejected("account_unknown", "entry " + e.accountingEntryId + " has no contra account (of at most 20 characters)");
    JournalLine contra;
    contra.accountNumber = e.contraAccountCode;
    contra.minor = -e.totalWallet.minor;
    contra.description = cut(e.note.empty() ? "Pleo " + e.accountingEntryId : e.note, 100);
    doc.lines.push_back(std::move(contra));
    return doc;
}

std::string journalLineBody(const JournalDocument& doc, const JournalLine& line) {
    std::string body = "{\"accountType\":\"G/L Account\",\"accountNumber\":" + Poco::toJSON(line.accountNumber) +
                       ",\"postingDate\":" + Poco::toJSON(doc.postingDate) +
                       ",\"documentNumber\":" + Poco::toJSON(doc.documentNumber) +
                       ",\"externalDocumentNumber\":" + Poco::toJSON(doc.externalDocumentNumber) +
                       ",\"amount\":" + decimalText(line.minor, doc.exponent) +
                       ",\"description\":" + Poco::toJSON(line.description);
    if (!line.taxCode.empty()) body += ",\"taxCode\":" + Poco::toJSON(line.taxCode);
    return body + "}";
}

}  // namespace ledgerbridge::businesscentral
