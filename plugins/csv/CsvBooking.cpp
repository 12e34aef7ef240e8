// Row amounts and the balance check: see CsvBooking.hpp.
#include "CsvBooking.hpp"

namespace ledgerbridge::csv {

std::vector<RowAmounts> rowAmounts(const sdk::Entry& e) {
    std::vector<RowAmounts> rows;
    for (const sdk::Line& l : e.lines) {
        RowAmounts r;
        r.net = l.netAmount.minor;
        r.gross = l.walletAmount.minor;
        r.currency = l.walletAmount.currency;
        r.exponent = l.walletAmount.exponent;
        for (const sdk::Money* m : {&l.netAmount, &l.taxAmount})
            if ((!m->currency.empty() && m->currency != r.currency) || m->exponent != r.exponent)
                r.unitProblem = "net or tax in " + m->currency + " with " + std::to_string(m->exponent) +
                                " decimals, gross in " + r.currency + " with " + std::to_string(r.exponent);
        if (l.taxType == "reverse") r.reverseChargeInput = r.reverseChargeOutput = l.taxAmount.minor;
        else r.tax = l.taxAmount.minor;
        rows.push_back(r);
    }
    return rows;
}

std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& e, const std::vector<RowAmounts>& rows) {
    auto reject = [&](const std::string& what) {
        return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId + " would be written unbalanced: " + what);
    };
    if (rows.empty()) return reject("it has no rows");
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const RowAmounts& r = rows[i];
        const std::string row = "row " + std::to_string(i + 1) + " (line " + e.lines[i].lineId + ")";
        if (!r.unitProblem.empty()) return reject(row + ": " + r.unitProblem);
        std::int64_t booked = 0;
        if (__builtin_add_overflow(r.net, r.tax, &booked) || __builtin_add_overflow(booked, r.reverseChargeInput, &booked) ||
            __builtin_sub_overflow(booked, r.reverseChargeOutput, &booked))
            return reject(row + ": its amounts overflow");
        if (booked != r.gross)
            return reject(row + ": net " + std::to_string(r.net) + " + tax " + std::to_string(r.tax) +
                          " + reverse-charge input VAT " + std::to_string(r.reverseChargeInput) +
                          " - reverse-charge output VAT " + std::to_string(r.reverseChargeOutput) + " = " +
                          std::to_string(booked) + " minor units, gross is " + std::to_string(r.gross));
        if (r.reverseChargeInput != r.reverseChargeOutput)
            return reject(row + ": reverse-charge input VAT " + std::to_string(r.reverseChargeInput) +
                          " differs from output VAT " + std::to_string(r.reverseChargeOutput) + " minor units");
        if (r.currency != e.totalWallet.currency || r.exponent != e.totalWallet.exponent)
            return reject(row + " is in " + r.currency + " with " + std::to_string(r.exponent) + " decimals, the total in " +
                          e.totalWallet.currency + " with " + std::to_string(e.totalWallet.exponent));
        if (__builtin_add_overflow(sum, r.gross, &sum)) return reject("the rows' gross amounts overflow");
    }
    if (sum != e.totalWallet.minor)
        return reject("the rows' gross amounts sum to " + std::to_string(sum) + " minor units, the entry's total is " +
                      std::to_string(e.totalWallet.minor) + " " + e.totalWallet.currency);
    return std::nullopt;
}

}  // namespace ledgerbridge::csv
