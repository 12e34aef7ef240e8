// From a Pleo entry to a Fortnox voucher (POST /3/vouchers body): which entries can be booked
// (and why not), the VoucherRows of each line by its tax type (normal VAT on
// input_vat_account, reverse charge on 2645/2614 as the SIE plugin books it, none), amounts in
// exact hundredths, CostCenter/Project from the mapped Pleo tags, and the entry's marker in the
// voucher Description so lookup finds it again. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "FortnoxSettings.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::fortnox {

/// Fortnox's limit on a voucher Description (characters). The marker always fits whole.
constexpr std::size_t kMaxDescription = 200;

struct VoucherRow {
    std::string account;
    std::int64_t cents = 0;  ///< > 0 debit, < 0 credit
    std::string costCenter, project, transactionInformation;
};

struct Voucher {
    std::string series, transactionDate, description;
    std::vector<VoucherRow> rows;
};

/// "[pleo:<accounting entry id>]": the end of every voucher Description this plugin writes.
std::string markerOf(const sdk::Entry& entry);

/// Why `entry` cannot be booked (Pleo failure reason + message); nullopt when it can.
std::optional<sdk::Outcome> checkEntry(const sdk::Entry& entry, const FortnoxConfig& config);

/// The voucher of an entry, or the rejection saying why there is none (checkEntry first, then
/// amounts that are not whole hundredths, then the balance of the rows).
std::variant<Voucher, sdk::Outcome> mapEntry(const sdk::Entry& entry, const FortnoxConfig& config);

/// The JSON body of POST /3/vouchers: {"Voucher":{...,"VoucherRows":[...]}}, amounts as exact
/// decimal text.
std::string voucherJson(const Voucher& voucher);

/// `text` as a JSON string literal.
std::string jsonQuote(const std::string& text);

}  // namespace ledgerbridge::fortnox
