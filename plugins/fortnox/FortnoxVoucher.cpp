// Pleo entry -> Fortnox voucher: checks, rows per tax type, exact amounts, balance, JSON.
#include "FortnoxVoucher.hpp"

#include <cstdio>
#include <map>

#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::fortnox {

namespace {
bool isDate(const std::string& d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (d[i] < '0' || d[i] > '9') return false;
    return true;
}

bool isAccount(const std::string& s) {
    return s.size() == 4 && s.find_first_not_of("0123456789") == std::string::npos;
}

sdk::Outcome invalid(const sdk::Entry& e, const std::string& why) {
    return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId + ": " + why);
}

/// `m` in hundredths exactly, or the reason it is not.
std::optional<std::string> toCents(const sdk::Money& m, std::int64_t& cents) {
    if (m.exponent < 0 || m.exponent > 18) return "amount has " + std::to_string(m.exponent) + " decimals";
    if (m.exponent > 2) {
        std::int64_t scale = 1;
        for (int k = 2; k < m.exponent; ++k) scale *= 10;
        if (m.minor % scale != 0)
            return "amount " + sdk::formatDecimal(m.minor, m.exponent) + " " + m.currency +
                   " has more than two decimals; Fortnox books hundredths and this plugin never rounds";
        cents = m.minor / scale;
        return std::nullopt;
    }
    std::int64_t factor = 1;
    for (int k = m.exponent; k < 2; ++k) factor *= 10;
    if (__builtin_mul_overflow(m.minor, factor, &cents)) return "amount is too large";
    return std::nullopt;
}

/// The first `max` UTF-8 characters of `text`.
std::string cut(const std::string& text, std::size_t max) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (chars++ == max) return text.substr(0, i);
    }
    return text;
}

std::string descriptionOf(const sdk::Entry& e) {
    std::string text = !e.supplier.name.empty() ? e.supplier.name : e.note;
    if (text.empty() && !e.lines.empty()) text = e.lines.front().description;
    if (text.empty()) text = "Pleo";
    const std::string marker = markerOf(e);
    return cut(text, kMaxDescription - marker.size() - 1) + " " + marker;
}

std::string outputVatAccount(const sdk::Line& l, const FortnoxConfig& c) {
    const auto it = c.reverseOutputVatByRate.find(normalRate(l.taxRate));
    return it == c.reverseOutputVatByRate.end() ? c.reverseOutputVatAccount : it->second;
}
}  // namespace

std::string markerOf(const sdk::Entry& e) { return "[pleo:" + e.accountingEntryId + "]"; }

std::optional<sdk::Outcome> checkEntry(const sdk::Entry& e, const FortnoxConfig& c) {
    if (auto r = sdk::validateEntry(e, c.taxCodes)) return r;
    const std::string id = e.accountingEntryId;
    if (id.empty() || id.size() > 64 || id.find_first_of("[]") != std::string::npos)
        return invalid(e, "the accounting entry id cannot be kept in a voucher description");
    if (!isDate(e.date)) return invalid(e, "date '" + e.date + "' is not YYYY-MM-DD");
    if (e.totalWallet.currency != c.currency)
        return invalid(e, "booked in " + e.totalWallet.currency + " but the Fortnox company books in " + c.currency);
    if (e.totalWallet.minor == INT64_MIN) return invalid(e, "the total cannot be negated");
    if (e.contraAccountCode.empty())
        return sdk::Outcome::rejected("account_unknown", "entry " + id + " has no contra account");
    if (!isAccount(e.contraAccountCode))
        return sdk::Outcome::rejected("account_unknown", "entry " + id + ": contra account '" + e.contraAccountCode +
                                                             "' is not a 4-digit BAS account");
    for (const auto& l : e.lines) {
        const std::string where = "line " + l.lineId + " of entry " + id;
        if (!isAccount(l.accountCode))
            return sdk::Outcome::rejected("account_unknown", where + ": account '" + l.accountCode +
                                                                 "' is not a 4-digit BAS account");
        for (const auto* m : {&l.netAmount, &l.taxAmount})
            if (m->minor != 0 && m->currency != e.totalWallet.currency)
                return invalid(e, where + " has an amount in " + m->currency + ", the entry is in " + e.totalWallet.currency);
        if (l.taxType != "" && l.taxType != "normal" && l.taxType != "reverse" && l.taxType != "none")
            return invalid(e, where + " has tax type '" + l.taxType + "', which this plugin cannot book");
        if (l.taxType == "reverse" && l.taxAmount.minor == INT64_MIN)
            return invalid(e, where + ": the reverse-charge tax cannot be negated");
        if (l.taxType == "none" && l.taxAmount.minor != 0)
            return invalid(e, where + " has tax type none but a tax amount");
    }
    return std::nullopt;
}

std::variant<Voucher, sdk::Outcome> mapEntry(const sdk::Entry& e, const FortnoxConfig& c) {
    if (auto rejected = checkEntry(e, c)) return *rejected;
    Voucher v;
    v.series = c.voucherSeries;
    v.transactionDate = e.date;
    v.description = descriptionOf(e);
    std::optional<std::string> why;
    const std::string info = cut(e.accountingEntryId, 100);
    auto row = [&](const std::string& account, const sdk::Money& m, const sdk::Line* tagged) {
        VoucherRow r;
        r.account = account;
        if (!why) why = toCents(m, r.cents);
        r.transactionInformation = info;
        for (const auto& t : tagged ? tagged->tags : std::vector<sdk::Tag>{}) {
            const auto it = c.dimensions.find(t.groupCode);
            if (it == c.dimensions.end()) continue;
            std::string& field = it->second == RowDimension::CostCenter ? r.costCenter : r.project;
            if (field.empty()) field = t.code;
        }
        v.rows.push_back(std::move(r));
    };
    for (const auto& l : e.lines) {
        row(l.accountCode, l.netAmount, &l);
        if (l.taxAmount.minor == 0) continue;
        if (l.taxType == "reverse") {
            // The buyer accounts for the seller's VAT: deductible input VAT (debit 2645) and the
            // same amount of output VAT owed (credit 2614 or the rate's account). Net zero.
            row(c.reverseInputVatAccount, l.taxAmount, nullptr);
            sdk::Money owed = l.taxAmount;
            owed.minor = -owed.minor;  // checkEntry refused INT64_MIN
            row(outputVatAccount(l, c), owed, nullptr);
        } else {
            row(c.inputVatAccount, l.taxAmount, nullptr);
        }
    }
    sdk::Money contra = e.totalWallet;
    contra.minor = -contra.minor;  // checkEntry refused INT64_MIN
    row(e.contraAccountCode, contra, nullptr);
    if (why) return invalid(e, *why);
    std::int64_t sum = 0;
    for (const auto& r : v.rows)
        if (__builtin_add_overflow(sum, r.cents, &sum)) return invalid(e, "amounts overflow");
    if (sum != 0)
        return invalid(e, "the voucher does not balance (difference " + sdk::formatDecimal(sum, 2) +
                              "); nothing was sent");
    return v;
}

std::string jsonQuote(const std::string& text) {
    std::string out = "\"";
    for (char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string voucherJson(const Voucher& v) {
    std::string rows;
    for (const auto& r : v.rows) {
        if (!rows.empty()) rows += ",";
        const std::int64_t debit = r.cents > 0 ? r.cents : 0;
        const std::int64_t credit = r.cents < 0 ? -r.cents : 0;
        rows += "{\"Account\":" + r.account + ",\"Debit\":" + sdk::formatDecimal(debit, 2) +
                ",\"Credit\":" + sdk::formatDecimal(credit, 2);
        if (!r.costCenter.empty()) rows += ",\"CostCenter\":" + jsonQuote(r.costCenter);
        if (!r.project.empty()) rows += ",\"Project\":" + jsonQuote(r.project);
        rows += ",\"TransactionInformation\":" + jsonQuote(r.transactionInformation) + "}";
    }
    return "{\"Voucher\":{\"VoucherSeries\":" + jsonQuote(v.series) + ",\"TransactionDate\":" +
           jsonQuote(v.transactionDate) + ",\"Description\":" + jsonQuote(v.description) + ",\"VoucherRows\":[" + rows +
           "]}}";
}

}  // namespace ledgerbridge::fortnox
