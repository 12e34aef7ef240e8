// The idempotency key of an entry names its *booking*, not the HTTP payload it came in: it is
// derived from the Pleo accounting entry id and the normalised accounting content that defines
// the document (see canonicalBooking), so the same entry fetched in two jobs, in another field
// order, with freshly signed receipt URLs, or after the state directory was lost, gets the same
// key, while an entry whose booking really changed in Pleo gets a new one. The content hash of
// the staged item (contentHash) is a different thing: the integrity check of the stored bytes.
//
// Versions: the prefix names the derivation. "lb2-" keys are booking keys; "lb1-" keys (entry id
// + hash of the whole item) are what earlier releases staged. A key is fixed when its entry is
// staged and never recomputed, so ledgers holding lb1 keys keep them for those entries (see
// core/export/README.md, "Idempotency keys").
#pragma once

#include <string>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::exporter {

/// SHA-256 hex of the item text (the integrity hash of a staged item).
std::string contentHash(const std::string& itemJson);

/// The canonical, order-stable text of the booking `entry` stands for: every field that decides
/// what lands in the books, each length-prefixed, lines and tags sorted; nothing volatile (no
/// job id, key, receipts, line ids) and no free text that only labels a code (see README).
std::string canonicalBooking(const sdk::Entry& entry);

/// "lb2-" + 40 hex characters of SHA-256(canonicalBooking(entry)): 44 printable characters,
/// within Xero's and most ERPs' idempotency-key limits.
std::string bookingKey(const sdk::Entry& entry);

/// The key of a raw export item as staged: its booking key when the item maps; when it does not
/// (it is rejected at delivery and never reaches a target) "lb2-" of the entry id and the
/// item's content hash, so the key is still unique and stable for that exact item.
std::string itemIdempotencyKey(const std::string& itemJson, const std::string& accountingEntryId,
                               const std::string& contentHash);

/// The version-1 key ("lb1-" + SHA-256(entry id, content hash of the whole item)). Not used for
/// new entries; kept so tests and tools can recognise keys that older ledgers hold.
std::string idempotencyKey(const std::string& accountingEntryId, const std::string& contentHash);

}  // namespace ledgerbridge::exporter
