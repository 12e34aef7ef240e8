// Xero keeps a contact's country as free text; the master-data model wants ISO 3166-1 alpha-2.
#pragma once

#include <string>

namespace ledgerbridge::xero {

/// "Denmark", "DENMARK", "DK", "DNK", "United Kingdom", "UK" -> "DK"/"GB"; "" when the text names
/// no country this table knows. Case, spaces and punctuation do not matter; only ASCII letters
/// count (names with other letters are matched by their ASCII spelling, e.g. "Osterreich").
std::string countryCode(const std::string& text);

}  // namespace ledgerbridge::xero
