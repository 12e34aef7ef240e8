// The idempotency key of an entry: derived from the Pleo accounting entry id and the exact
// content that was staged, so every retry of the same entry carries the same key (the target
// de-duplicates on it) while a changed entry is never mistaken for the old one.
#pragma once

#include <string>

namespace ledgerbridge::exporter {

/// SHA-256 hex of the item text.
std::string contentHash(const std::string& itemJson);

/// "lb1-" + 40 hex characters of SHA-256(entry id, content hash). Stable, printable, 44 chars
/// (within Xero's and most ERPs' idempotency-key limits).
std::string idempotencyKey(const std::string& accountingEntryId, const std::string& contentHash);

}  // namespace ledgerbridge::exporter
