// ISO 4217 minor-unit exponents: how many digits after the decimal point a currency has
// (EUR 2, JPY 0, BHD 3). Pleo sends amounts as integers in minor units; plugins that print
// decimals need the exponent to place the point exactly.
#pragma once

#include <string>

namespace ledgerbridge::exporter {

/// The exponent of `currency` (an ISO 4217 alphabetic code); 2 for codes not in the
/// zero/three/four-digit tables, which is what ISO 4217 assigns to nearly all currencies.
int currencyExponent(const std::string& currency);

/// True for a syntactically valid ISO 4217 alphabetic code (three upper-case letters).
bool isCurrencyCode(const std::string& currency);

}  // namespace ledgerbridge::exporter
