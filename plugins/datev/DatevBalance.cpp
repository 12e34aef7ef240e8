// Re-reads the booking fields about to be written and compares what they book with the entry.
#include "DatevBalance.hpp"

#include <cstdint>

#include "DatevFormat.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::datev {

namespace {
std::string unquoted(const std::string& field) {
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') return field.substr(1, field.size() - 2);
    return field;
}

// "1234,56" -> 123456 (hundredths); nullopt unless it is ^\d{1,10},\d{2}$.
std::optional<std::int64_t> hundredths(const std::string& text) {
    if (text.size() < 4 || text.size() > 13 || text[text.size() - 3] != ',') return std::nullopt;
    std::int64_t v = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == text.size() - 3) continue;
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

// The entry's total in hundredths, when it has an exact two-decimal form.
std::optional<std::int64_t> totalHundredths(const sdk::Money& m) {
    std::int64_t v = m.minor;
    int e = m.exponent;
    for (; e < 2; ++e)
        if (__builtin_mul_overflow(v, 10, &v)) return std::nullopt;
    for (; e > 2; --e) {
        if (v % 10 != 0) return std::nullopt;
        v /= 10;
    }
    return v;
}
}  // namespace

std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& e, const std::vector<std::vector<std::string>>& rows) {
    const std::string currency = e.totalWallet.currency;
    auto reject = [&](const std::string& why) {
        return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId +
                                                                " does not balance as it would be written: " + why);
    };
    std::int64_t booked = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& f = rows[r];
        const std::string row = "row " + std::to_string(r + 1) + " ";
        if (f.size() != kColumnCount) return reject(row + "has " + std::to_string(f.size()) + " fields, not 125");
        // With a foreign Umsatz, Basis-Umsatz is what DATEV books in the Mandant's currency.
        const bool foreign = !f[4].empty();
        const std::string amount = foreign ? f[4] : f[0];
        const std::string amountCurrency = unquoted(foreign ? f[5] : f[2]);
        const auto value = hundredths(amount);
        if (!value || *value == 0) return reject(row + "has Umsatz '" + amount + "', not ^\\d{1,10},\\d{2}$ above zero");
        if (amountCurrency != currency)
            return reject(row + "books " + amountCurrency + " in an entry in " + currency);
        const std::string sh = unquoted(f[1]);
        if (sh != "S" && sh != "H") return reject(row + "has Soll/Haben '" + sh + "'");
        if (f[6].empty() || f[7].empty() || f[6] == f[7])
            return reject(row + "needs two different accounts, has Konto '" + f[6] + "' and Gegenkonto '" + f[7] + "'");
        if (__builtin_add_overflow(booked, sh == "S" ? *value : -*value, &booked)) return reject("amounts overflow");
    }
    const auto total = totalHundredths(e.totalWallet);
    if (!total || *total != booked)
        return reject("the rows book " + sdk::formatDecimal(booked, 2, ',') + " " + currency +
                      " (debit on Konto, credit on Gegenkonto), the entry's total is " +
                      sdk::formatDecimal(e.totalWallet.minor, e.totalWallet.exponent, ',') + " " + currency +
                      " (minor units: rows " + std::to_string(booked) + " at exponent 2, total " +
                      std::to_string(e.totalWallet.minor) + " at exponent " + std::to_string(e.totalWallet.exponent) + ")");
    return std::nullopt;
}

}  // namespace ledgerbridge::datev
