// See Balance.hpp. Integers only: money is never a floating-point number here.
#include "Balance.hpp"

#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::books {

namespace {

bool scaleUp(std::int64_t& value, int by) {
    for (; by > 0; --by)
        if (__builtin_mul_overflow(value, std::int64_t{10}, &value)) return false;
    return true;
}

}  // namespace

void Amount::add(std::int64_t value, int exp) {
    if (overflow) return;
    if (exp > exponent) {
        overflow = !scaleUp(minor, exp - exponent);
        exponent = exp;
    } else if (exp < exponent) {
        overflow = !scaleUp(value, exponent - exp);
    }
    if (!overflow) overflow = __builtin_add_overflow(minor, value, &minor);
}

bool Amount::sameValue(const Amount& other) const {
    if (overflow || other.overflow) return false;
    std::int64_t a = minor, b = other.minor;
    if (exponent < other.exponent && !scaleUp(a, other.exponent - exponent)) return false;
    if (other.exponent < exponent && !scaleUp(b, exponent - other.exponent)) return false;
    return a == b;
}

std::string Amount::text() const { return overflow ? "overflow" : sdk::formatDecimal(minor, exponent); }

std::map<std::string, Amount> sumsByCurrency(const testkit::WrittenDocument& document) {
    std::map<std::string, Amount> sums;
    for (const testkit::Posting& p : document.postings) sums[p.currency].add(p.minor, p.exponent);
    return sums;
}

std::vector<std::string> imbalances(const testkit::WrittenDocument& document) {
    std::vector<std::string> out;
    for (const auto& [currency, sum] : sumsByCurrency(document)) {
        if (!sum.overflow && sum.minor == 0) continue;
        std::size_t n = 0;
        for (const testkit::Posting& p : document.postings) n += p.currency == currency ? 1 : 0;
        out.push_back(document.where + ": entry " + document.accountingEntryId + ": " +
                      (currency.empty() ? std::string("postings without a currency") : currency + " postings") +
                      " sum to " + sum.text() + ", not 0 (" + std::to_string(n) + " postings)");
    }
    if (document.postings.empty()) out.push_back(document.where + ": entry " + document.accountingEntryId + " has no postings");
    return out;
}

}  // namespace ledgerbridge::books
