// Whether a document balances: its postings (debit positive, credit negative) sum to zero in
// every currency, in exact integer minor units. Postings of one currency written with different
// exponents are compared at the larger one (DATEV writes JPY with two decimals).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::books {

/// An exact amount: `minor` units of 10^-exponent. `overflow` once a sum left int64.
struct Amount {
    std::int64_t minor = 0;
    int exponent = 0;
    bool overflow = false;

    /// Adds `minor` at `exp`, rescaling to the larger exponent (checked, never rounded).
    void add(std::int64_t value, int exp);
    /// Equal in value (1.00 at exponent 2 == 1 at exponent 0); false when either overflowed.
    bool sameValue(const Amount& other) const;
    /// "-1234.56" (or "overflow").
    std::string text() const;
};

/// The sum of the document's postings per currency.
std::map<std::string, Amount> sumsByCurrency(const testkit::WrittenDocument& document);

/// One sentence per currency whose postings do not sum to zero (empty when it balances), e.g.
/// "file.se:12: entry 4f…: SEK postings sum to 25.00, not 0 (3 postings)".
std::vector<std::string> imbalances(const testkit::WrittenDocument& document);

}  // namespace ledgerbridge::books
