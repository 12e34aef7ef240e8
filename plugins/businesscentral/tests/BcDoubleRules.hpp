// The refusals the Business Central double answers the same way for journal lines and purchase
// invoice lines, worded as BC words them: an unknown or blocked G/L account, an unknown VAT
// product posting group, an unknown dimension or dimension value on a dimension set line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "BcDouble.hpp"
#include "BcDoubleAnswers.hpp"

namespace ledgerbridge::bctest {

/// BC's refusal of G/L account `number` (unknown, blocked), or nothing when it may be used.
std::optional<Answer> accountRefusal(const BcDouble::Company& c, const std::string& number);

/// BC's refusal of vendor `number` (unknown, blocked with type All), or nothing.
std::optional<Answer> vendorRefusal(const BcDouble::Company& c, const std::string& number);

/// BC's refusal of taxCode `code` (no such VAT product posting group); nothing for "" or a known one.
std::optional<Answer> taxCodeRefusal(const BcDouble::Company& c, const std::string& code);

/// POST …/dimensionSetLines {"code","valueCode"}: appended to `dimensions` (201), or BC's refusal.
Answer addDimensionSetLine(const BcDouble::Company& c, std::vector<std::pair<std::string, std::string>>& dimensions,
                           const std::string& body);

/// Appends a G/L entry (the next entry number, its GUID) to the company's ledger.
void bookGlEntry(BcDouble::Company& c, const std::string& documentNumber, const std::string& externalDocumentNumber,
                 const std::string& postingDate, const std::string& account, std::int64_t cents,
                 const std::vector<std::pair<std::string, std::string>>& dimensions);

}  // namespace ledgerbridge::bctest
