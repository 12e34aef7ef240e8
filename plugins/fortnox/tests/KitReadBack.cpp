// The Fortnox plugin's read-back hook for the conformance kit: the vouchers in the kit target's
// company of the Fortnox test double, each row a posting (Debit - Credit, read as decimal text
// into hundredths, never through floating-point arithmetic), the entry id taken from the
// "[pleo:<id>]" marker that ends the voucher Description. The kit's companies book in EUR.
#include <cstdint>
#include <stdexcept>

#include "FortnoxKit.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::fortnoxtest {
namespace {

/// "125" / "31.25" / "0.5" -> hundredths; anything else is refused naming `where`.
std::int64_t hundredths(const std::string& s, const std::string& where) {
    std::int64_t whole = 0, fraction = 0;
    int decimals = 0;
    bool dot = false, digits = false;
    for (char c : s) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (c >= '0' && c <= '9') {
            digits = true;
            if (!dot) whole = whole * 10 + (c - '0');
            else if (++decimals > 2) throw std::runtime_error(where + ": amount " + s + " has more than two decimals");
            else fraction = fraction * 10 + (c - '0');
        } else {
            throw std::runtime_error(where + ": amount '" + s + "' is not a non-negative decimal");
        }
    }
    if (!digits) throw std::runtime_error(where + ": amount '" + s + "' is not a decimal");
    while (decimals++ < 2) fraction *= 10;
    return whole * 100 + fraction;
}

std::vector<testkit::WrittenDocument> readCompany(const std::string& tmp, int number) {
    static_cast<void>(tmp);  // everything is in the double, nothing in files
    std::vector<testkit::WrittenDocument> docs;
    for (const auto& v : kitDouble().vouchers(kitTenant(number))) {
        testkit::WrittenDocument d;
        d.where = "fortnox:" + kitTenant(number) + "/vouchers/" + v.series + "/" + v.number;
        const auto open = v.description.rfind("[pleo:");
        if (open == std::string::npos || v.description.back() != ']')
            throw std::runtime_error(d.where + ": the Description does not end with [pleo:<entry id>]");
        d.accountingEntryId = v.description.substr(open + 6, v.description.size() - open - 7);
        for (std::size_t i = 0; i < v.rows.size(); ++i) {
            const std::string where = d.where + " row " + std::to_string(i + 1);
            testkit::Posting p;
            p.account = v.rows[i].account;
            p.minor = hundredths(v.rows[i].debit, where) - hundredths(v.rows[i].credit, where);
            p.currency = "EUR";
            p.exponent = 2;
            d.postings.push_back(p);
        }
        docs.push_back(std::move(d));
    }
    return docs;
}

[[maybe_unused]] const bool registered = testkit::setReadBack(readCompany);

}  // namespace
}  // namespace ledgerbridge::fortnoxtest
