// Pleo entry -> SIE voucher: checks, rows per tax type, exact amount conversion, balance check.
#include "SieMapping.hpp"

#include <cstdint>
#include <map>
#include <sstream>

#include "SieSettings.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::sie {

namespace {
bool digits(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// "YYYY-MM-DD" -> "YYYYMMDD", or "" when malformed.
std::string compactDate(const std::string& date) {
    if (date.size() < 10 || date[4] != '-' || date[7] != '-') return {};
    const std::string d = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
    return digits(d) ? d : std::string();
}

sdk::Outcome invalid(const sdk::Entry& e, const std::string& why) {
    return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId + ": " + why);
}

// `m` in hundredths, exactly; the reason when that is impossible.
std::optional<std::string> toCents(const sdk::Money& m, std::int64_t& cents) {
    const std::string shown = sdk::formatDecimal(m.minor, m.exponent < 0 ? 0 : m.exponent) + " " + m.currency;
    if (m.exponent < 0 || m.exponent > 18) return "amount " + shown + " has " + std::to_string(m.exponent) + " decimals";
    std::int64_t scale = 1;
    for (int k = 2; k < m.exponent; ++k) scale *= 10;
    if (m.exponent > 2) {
        if (m.minor % scale != 0)
            return "amount " + shown + " has more than two decimals; SIE amounts have at most two and this plugin "
                                       "never rounds a booking";
        cents = m.minor / scale;
        return std::nullopt;
    }
    std::int64_t factor = 1;
    for (int k = m.exponent; k < 2; ++k) factor *= 10;
    if (__builtin_mul_overflow(m.minor, factor, &cents)) return "amount " + shown + " is too large";
    return std::nullopt;
}

// The first `max` characters (UTF-8 code points) of `text`, ending in "..." when cut.
std::string shorten(const std::string& text, std::size_t max) {
    std::size_t chars = 0, i = 0, cut = std::string::npos;
    for (; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
        if (chars == max - 3) cut = i;
        if (++chars > max) return text.substr(0, cut) + "...";
    }
    return text;
}

std::string description(const sdk::Entry& e) {
    std::string text = !e.supplier.name.empty() ? e.supplier.name : e.note;
    if (text.empty() && !e.lines.empty()) text = e.lines.front().description;
    return shorten(text, kMaxDescription);
}

std::vector<SieObject> objects(const sdk::Line& l, const SieConfig& c) {
    std::map<int, SieObject> byDim;  // one object per dimension (SIE's rule), ordered by number
    for (const auto& t : l.tags) {
        const auto it = c.dimensions.find(t.groupCode);
        if (it != c.dimensions.end() && byDim.count(it->second) == 0)
            byDim[it->second] = SieObject{it->second, t.code, t.name};
    }
    std::vector<SieObject> out;
    for (auto& [dim, object] : byDim) out.push_back(std::move(object));
    return out;
}

std::string outputVatAccount(const sdk::Line& l, const SieConfig& c) {
    const auto it = c.reverseOutputVatByRate.find(normalRate(l.taxRate));
    return it == c.reverseOutputVatByRate.end() ? c.reverseOutputVatAccount : it->second;
}
}  // namespace

std::optional<sdk::Outcome> checkEntry(const sdk::Entry& e, const SieConfig& c) {
    if (auto r = sdk::validateEntry(e, c.taxCodes)) return r;
    const std::string id = e.accountingEntryId;
    const std::string date = compactDate(e.date);
    if (date.empty()) return invalid(e, "date '" + e.date + "' is not YYYY-MM-DD");
    if (date < c.yearStart || date > c.yearEnd)
        return invalid(e, "date " + e.date + " is outside the fiscal year " + c.yearStart + "-" + c.yearEnd + " (#RAR 0)");
    if (e.totalWallet.currency != c.currency)
        return invalid(e, "booked in " + e.totalWallet.currency + " but the SIE file's currency (#VALUTA) is " + c.currency);
    if (e.totalWallet.minor == INT64_MIN) return invalid(e, "the total cannot be negated");
    if (e.contraAccountCode.empty())
        return sdk::Outcome::rejected("account_unknown", "entry " + id + " has no contra account");
    if (!digits(e.contraAccountCode))
        return sdk::Outcome::rejected("account_unknown", "entry " + id + ": contra account '" + e.contraAccountCode +
                                                             "' is not a number (SIE accounts are numeric)");
    for (const auto& l : e.lines) {
        const std::string where = "line " + l.lineId + " of entry " + id;
        if (!digits(l.accountCode))
            return sdk::Outcome::rejected("account_unknown", where + ": account '" + l.accountCode +
                                                                 "' is not a number (SIE accounts are numeric)");
        for (const auto* m : {&l.netAmount, &l.taxAmount})
            if (m->minor != 0 && m->currency != e.totalWallet.currency)
                return invalid(e, where + " has an amount in " + m->currency + ", the entry is in " + e.totalWallet.currency);
        if (l.taxType != "" && l.taxType != "normal" && l.taxType != "reverse" && l.taxType != "none")
            return invalid(e, where + " has tax type '" + l.taxType + "', which this plugin cannot book");
        if (l.taxType == "reverse" && l.taxAmount.minor == INT64_MIN)
            return invalid(e, where + ": the reverse-charge tax cannot be negated");
        if (l.taxType == "none" && l.taxAmount.minor != 0)
            return invalid(e, where + " has tax type none but a tax amount of " +
                                  sdk::formatDecimal(l.taxAmount.minor, l.taxAmount.exponent) + " " + l.taxAmount.currency);
    }
    return std::nullopt;
}

std::variant<SieVoucher, sdk::Outcome> mapEntry(const sdk::Entry& e, const SieConfig& c) {
    if (auto rejected = checkEntry(e, c)) return *rejected;
    SieVoucher v;
    v.entryId = e.accountingEntryId;
    v.key = e.idempotencyKey;
    v.date = compactDate(e.date);
    v.description = description(e);
    std::optional<std::string> why;
    auto row = [&](const std::string& account, std::vector<SieObject> objects, const sdk::Money& m) {
        std::int64_t cents = 0;
        if (!why) why = toCents(m, cents);
        v.rows.push_back(SieRow{account, std::move(objects), cents});
    };
    for (const auto& l : e.lines) {
        row(l.accountCode, objects(l, c), l.netAmount);
        if (l.taxAmount.minor == 0) continue;
        if (l.taxType == "reverse") {
            // The buyer accounts for the seller's VAT: deductible input VAT (debit) and the
            // same amount of output VAT owed (credit). Net effect zero; the voucher balances.
            row(c.reverseInputVatAccount, {}, l.taxAmount);
            sdk::Money owed = l.taxAmount;
            owed.minor = -owed.minor;  // checkEntry refused INT64_MIN
            row(outputVatAccount(l, c), {}, owed);
        } else {
            row(c.inputVatAccount, {}, l.taxAmount);
        }
    }
    sdk::Money contra = e.totalWallet;
    contra.minor = -contra.minor;  // checkEntry refused INT64_MIN
    row(e.contraAccountCode, {}, contra);
    if (why) return invalid(e, *why);
    return v;
}

std::vector<std::string> declarations(const SieVoucher& v, const SieConfig& c) {
    std::map<int, std::string> groupOf;  // dimension number -> the first tag group mapped to it
    for (const auto& [group, number] : c.dimensions) groupOf.emplace(number, group);
    std::vector<std::string> out;
    for (const auto& row : v.rows)
        for (const auto& o : row.objects) {
            out.push_back(dimensionRecord(o.dimension, groupOf[o.dimension]));
            out.push_back(objectRecord(o));
        }
    return out;
}

std::optional<sdk::Outcome> unbalanced(const std::string& entryId, const std::string& records) {
    std::int64_t debit = 0, credit = 0;
    std::istringstream in(records);
    std::string record;
    for (int line = 1; std::getline(in, record); ++line) {
        if (record.rfind("#TRANS", 0) != 0) continue;
        const auto cents = transAmount(record);
        if (!cents)
            return sdk::Outcome::rejected("validation_failure", "entry " + entryId + ": #TRANS record " +
                                                                    std::to_string(line) + " has no valid amount");
        if (__builtin_add_overflow(*cents > 0 ? debit : credit, *cents, *cents > 0 ? &debit : &credit))
            return sdk::Outcome::rejected("validation_failure", "entry " + entryId + ": amounts overflow");
    }
    if (debit + credit == 0) return std::nullopt;
    return sdk::Outcome::rejected(
        "validation_failure", "entry " + entryId + ": the voucher does not balance: debits " + formatCents(debit) +
                                  ", credits " + formatCents(credit) + ", difference " + formatCents(debit + credit) +
                                  " (" + std::to_string(debit + credit) + " hundredths); nothing was written");
}

}  // namespace ledgerbridge::sie
