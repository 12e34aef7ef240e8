// What each CSV row books, in minor units, and the balance check run on exactly those numbers
// just before they are written (push) or shown (dry run). The row amounts are computed once
// here; CsvFormat renders them, so the check and the file can never disagree.
//
// One row per entry line books:
//   debit  `account`                        net
//   debit  `tax_account`                    tax          (VAT paid within the gross; 0 for reverse charge)
//   debit  `reverse_charge_input_account`   reverse_charge_input_vat   (self-assessed, deductible)
//   credit `reverse_charge_output_account`  reverse_charge_output_vat  (self-assessed, owed)
//   credit `contra_account`                 gross
// so a row balances when net + tax + rc input - rc output = gross, and rc input = rc output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::csv {

struct RowAmounts {
    std::int64_t net = 0, tax = 0, reverseChargeInput = 0, reverseChargeOutput = 0, gross = 0;
    std::string currency;
    int exponent = 2;
    std::string unitProblem;  ///< net or tax in another currency or exponent than gross, else ""
};

/// The amounts of each line's row, in line order. A reverse-charge line (taxType "reverse":
/// the supplier charged no VAT, the buyer self-assesses `taxAmount`) books its tax on both
/// reverse-charge columns and none in `tax`. Tax type "none" and "normal" book `taxAmount` as
/// `tax`. Never throws except std::bad_alloc.
std::vector<RowAmounts> rowAmounts(const sdk::Entry& entry);

/// The rejection (validation_failure, amounts in minor units in the message) when the rows do
/// not balance: per row net + tax + rc input - rc output = gross and rc input = rc output, the
/// rows' gross in the entry's currency summing to its total. nullopt when they balance.
std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& entry, const std::vector<RowAmounts>& rows);

}  // namespace ledgerbridge::csv
