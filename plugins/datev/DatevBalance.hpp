// The last check before a DATEV entry is written: the rows about to go into the file, read
// back from their own fields, must book the entry's full amount. Each row moves its Umsatz
// between Konto and Gegenkonto (so a row balances by construction as long as both accounts are
// there and differ); the rows' signed amounts in the base currency must add up to the entry's
// total in minor units. A mapping or formatting defect then costs one rejected entry
// (validation_failure, with the amounts), never a wrong ledger.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::datev {

/// nullopt when `rows` (bookingTable(entry), fields as they will be written) book exactly
/// `entry.totalWallet`; otherwise a validation_failure naming both amounts.
std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& entry, const std::vector<std::vector<std::string>>& rows);

}  // namespace ledgerbridge::datev
