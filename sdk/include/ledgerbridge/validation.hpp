// Standard checks every plugin should run on an entry before writing it, with the Pleo
// failureReasonType each failure maps to, and exact decimal formatting of minor units.
// Header-only, plugin side. Nothing here allocates across the boundary.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::sdk {

/// Returns a Rejected outcome for the first problem found, or nothing when the entry is
/// writable. `knownTaxCodes` empty means "accept any tax code". Checks, in order:
///  - at least one line, and every line in the wallet currency of the entry
///    (reason "validation_failure");
///  - lines balanced: sum of wallet amounts == total_wallet, and net + tax == gross per line
///    — except reverse-charge lines, where the buyer self-assesses the tax on top of the price,
///    so net == gross ("validation_failure");
///  - every line has an account code ("account_unknown");
///  - every tax code is known ("tax_code_unknown").
/// Never throws except std::bad_alloc.
inline std::optional<Outcome> validateEntry(const Entry& e, const std::set<std::string>& knownTaxCodes = {}) {
    const std::string id = e.accountingEntryId;
    if (e.lines.empty()) return Outcome::rejected("validation_failure", "entry " + id + " has no lines");
    std::int64_t sum = 0;
    for (const Line& l : e.lines) {
        if (l.walletAmount.currency != e.totalWallet.currency)
            return Outcome::rejected("validation_failure", "line " + l.lineId + " of entry " + id + " is in " +
                                                               l.walletAmount.currency + ", the entry in " +
                                                               e.totalWallet.currency);
        std::int64_t lineTotal = 0;
        if (l.taxType == "reverse") {
            if (l.netAmount.minor != l.walletAmount.minor)
                return Outcome::rejected("validation_failure", "line " + l.lineId + " of entry " + id +
                                                                   ": a reverse-charge line's net differs from its gross amount");
        } else if (__builtin_add_overflow(l.netAmount.minor, l.taxAmount.minor, &lineTotal) ||
                   lineTotal != l.walletAmount.minor) {
            return Outcome::rejected("validation_failure", "line " + l.lineId + " of entry " + id +
                                                               ": net + tax differs from the gross amount");
        }
        if (__builtin_add_overflow(sum, l.walletAmount.minor, &sum))
            return Outcome::rejected("validation_failure", "entry " + id + ": line amounts overflow");
    }
    if (sum != e.totalWallet.minor)
        return Outcome::rejected("validation_failure", "entry " + id + " is unbalanced: lines sum to " +
                                                           std::to_string(sum) + " minor units, total is " +
                                                           std::to_string(e.totalWallet.minor));
    for (const Line& l : e.lines)
        if (l.accountCode.empty())
            return Outcome::rejected("account_unknown", "line " + l.lineId + " of entry " + id + " has no account");
    for (const Line& l : e.lines)
        if (!l.taxCode.empty() && !knownTaxCodes.empty() && knownTaxCodes.count(l.taxCode) == 0)
            return Outcome::rejected("tax_code_unknown",
                                     "line " + l.lineId + " of entry " + id + " has unknown tax code " + l.taxCode);
    return std::nullopt;
}

/// Formats minor units exactly as a decimal: (-123456, 2, ',') -> "-1234,56"; (500, 0) -> "500".
inline std::string formatDecimal(std::int64_t minor, int exponent, char separator = '.') {
    const bool negative = minor < 0;
    // Work on the magnitude as unsigned so INT64_MIN does not overflow.
    std::uint64_t magnitude = negative ? std::uint64_t(0) - static_cast<std::uint64_t>(minor)
                                       : static_cast<std::uint64_t>(minor);
    std::string digits = std::to_string(magnitude);
    if (exponent > 0) {
        const auto exp = static_cast<std::size_t>(exponent);
        if (digits.size() <= exp) digits.insert(0, exp + 1 - digits.size(), '0');
        digits.insert(digits.size() - exp, 1, separator);
    }
    return negative ? "-" + digits : digits;
}

}  // namespace ledgerbridge::sdk
