// The checks both export modes (journal lines, purchase invoices) make on a Pleo entry before
// anything is sent, and the arithmetic they share: each Pleo line checked once (account, amounts
// in minor units, tax code mapped, tags of mapped groups), and the VAT Business Central will
// compute from the amount it is given, so Pleo's tax amount is compared before BC books another.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "BcSettings.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::businesscentral {

/// An entry BC must not get, with Pleo's failure reason (validation_failure, account_unknown,
/// tax_code_unknown, tag_unknown, vendor_unknown).
class Rejected : public std::runtime_error {
public:
    Rejected(std::string why, const std::string& message) : std::runtime_error(message), reason(std::move(why)) {}
    std::string reason;
};

/// One Pleo line as checked: what both modes send, in the entry's currency's minor units.
struct CheckedLine {
    std::string accountNumber;
    std::int64_t net = 0;    ///< net amount (debit positive)
    std::int64_t tax = 0;    ///< Pleo's tax amount (self-assessed VAT for reverse charge)
    std::string taxCode;     ///< BC taxCode, "" for none
    std::string taxRate;     ///< Pleo's rate, decimal percent text ("" when unknown)
    bool reverse = false;    ///< reverse charge: BC self-assesses VAT on top of the net amount
    std::string description; ///< at most 100 characters
    std::vector<std::pair<std::string, std::string>> dimensions;  ///< (dimension code, value code)
};

/// The body of POST …/dimensionSetLines: {"code","valueCode"} of (dimension code, value code).
std::string dimensionBody(const std::pair<std::string, std::string>& dimension);

/// `minor` as exact decimal text with `exponent` decimals ("-12.50").
std::string decimalText(std::int64_t minor, int exponent);

/// The first `max` characters of UTF-8 `s`, never cutting a character in two.
std::string cutUtf8(const std::string& s, std::size_t max);

/// The entry's posting date (booking date, else date); Rejected unless YYYY-MM-DD.
std::string postingDateOf(const sdk::Entry& e);

/// The entry's decimals (its total's exponent); Rejected beyond the 4 BC keeps.
int exponentOf(const sdk::Entry& e);

/// Rejected unless `m` is in `currency` and within +-10^12 minor units.
void checkAmount(const sdk::Money& m, const std::string& currency, const std::string& where);

/// Line `index` of `e`, checked: amounts in `currency`, amount = net + tax (net for reverse
/// charge), account 1-20 characters, tax code mapped, mapped tags 1-20 characters.
CheckedLine checkedLine(const sdk::Entry& e, std::size_t index, const BcConfig& config, const std::string& currency);

/// The BC vendor number of `entry`'s supplier: `vendors`[supplier code], else the supplier code
/// itself, else default_vendor; throws Rejected (vendor_unknown) when none or one too long.
std::string vendorNumberOf(const sdk::Entry& entry, const BcConfig& config);

/// Rejected unless BC's VAT on `amount` at the line's rate equals Pleo's tax: `vatIncluded`
/// (journal lines: amount is gross, VAT = gross x rate / (100 + rate)) or on top (purchase
/// invoice lines: amount is net, VAT = net x rate / 100), rounded half away from zero.
void checkBcVat(const CheckedLine& line, std::int64_t amount, bool vatIncluded, int exponent, const std::string& where);

}  // namespace ledgerbridge::businesscentral
