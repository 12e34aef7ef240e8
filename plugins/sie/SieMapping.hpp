// From a Pleo entry to a SIE voucher: which entries can be written (and why not), the #TRANS
// rows of each line by its tax type (normal VAT, reverse charge, none), amounts converted to
// the hundredths SIE writes, and the balance check run on the exact bytes before writing.
// Pure functions.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "SieFormat.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::sie {

/// Longest description (in characters) kept before the identity marker of a #VER text; longer
/// ones are cut and end in "...". Receiving systems cut long verification texts; the marker
/// must stay whole in our file, and the start of the text is what a bookkeeper reads.
constexpr std::size_t kMaxDescription = 100;

/// Why `entry` cannot be written (Pleo failure reason + message); nullopt when it can. Runs
/// sdk::validateEntry with the configured tax codes, then: wallet currency == currency, date
/// inside #RAR, numeric accounts, a contra account, a known tax type.
std::optional<sdk::Outcome> checkEntry(const sdk::Entry& entry, const SieConfig& config);

/// The voucher of an entry, or the rejection saying why there is none. Per line: the net
/// amount on the line's account with its objects; for a normal tax line the tax on
/// input_vat_account; for a reverse-charge line the tax on reverse_charge_input_vat_account
/// (debit) and on the output VAT account for its rate (credit); then the contra row (minus the
/// total). Amounts in the currency's minor units are converted exactly to hundredths; an
/// amount with a non-zero third decimal (KWD, BHD) is rejected, never rounded.
std::variant<SieVoucher, sdk::Outcome> mapEntry(const sdk::Entry& entry, const SieConfig& config);

/// The #DIM and #OBJEKT records (UTF-8, CRLF) the objects of `voucher` need: each dimension
/// named by the first Pleo tag group mapped to it, each object by its tag's name (else its id).
std::vector<std::string> declarations(const SieVoucher& voucher, const SieConfig& config);

/// The rejection of a voucher block whose #TRANS amounts (read from `records`, the bytes about
/// to be written) do not sum to zero, naming the entry, the debits, credits and difference;
/// nullopt when they balance. A mapping defect costs one rejected entry, never a wrong ledger.
std::optional<sdk::Outcome> unbalanced(const std::string& entryId, const std::string& records);

}  // namespace ledgerbridge::sie
