// Turns one Pleo export item (ExportItemV3 of export-items-v3.yml, as JSON) into the SDK's
// canonical entry that plugins receive. Amounts stay integers in minor units; a value that is
// not a whole number, a missing required field or a malformed currency is a mapping failure
// with a message naming the field, reported to Pleo as `validation_failure` — never a crash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::exporter {

/// A receipt attached to an export item (files[] of ExportItemV3): where to download it.
struct FileRef {
    std::string url;
    std::int64_t size = 0;  ///< bytes Pleo announced (0 = unknown)
    std::string type;       ///< MIME-like type
};

struct MappingResult {
    std::optional<sdk::Entry> entry;  ///< set when the item could be mapped
    std::vector<FileRef> files;       ///< receipts to download (the entry's receipts stay empty)
    std::string failureReason;        ///< Pleo failureReasonType when it could not
    std::string message;              ///< what is wrong, naming the field path
};

/// Facts about an export item needed before mapping (to stage it in the ledger).
struct ItemSummary {
    std::string accountingEntryId;
    std::int64_t walletAmountMinor = 0;
    std::string walletCurrency;
};

/// Reads the id and wallet total of a raw item. Throws ProtocolError naming the field when
/// the item has no usable `accountingEntryId` (such an item cannot even be reported back).
ItemSummary summarizeItem(const std::string& itemJson);

/// Maps `itemJson` for export job `jobId`; `idempotencyKey` is the ledger's key for it.
/// Receipts are not filled in (the receipt cache adds local files after downloading).
MappingResult mapItem(const std::string& itemJson, const std::string& jobId, const std::string& idempotencyKey);

/// Formats a tax rate given as a decimal fraction (0.25) as an exact percent string ("25",
/// 0.125 -> "12.5"), using the shortest round-trip form of the number, never arithmetic on it.
std::string percentFromFraction(double fraction);

}  // namespace ledgerbridge::exporter
