// Integrity of the state database. Two layers:
//  - every staged export item carries the SHA-256 it had when it was staged; the ledger checks
//    it each time it hands an item out (StagedItemDamaged), so a changed byte can never reach
//    the target or Pleo;
//  - the database's own structure (pages, b-trees) is checked cheaply with SQLite's
//    `PRAGMA quick_check` when `run` and `serve` open the store (StateStore::checkIntegrity).
// How to recover from either is in the README's State section; the messages point there.
#pragma once

#include <string>
#include <string_view>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::store {

/// Where the messages send a person who has to recover a damaged state database.
inline constexpr const char* kRecoveryHint = "see \"State: damage and recovery\" in ledgerbridge's README";

/// A staged export item whose bytes no longer have the SHA-256 recorded when it was staged (or
/// whose stored copy is missing). A StoreError: the run fails with exit code 1, the job stays open.
class StagedItemDamaged : public StoreError {
public:
    StagedItemDamaged(const std::string& message, std::string jobId, std::string entryId)
        : StoreError(message), jobId_(std::move(jobId)), entryId_(std::move(entryId)) {}
    const std::string& jobId() const noexcept { return jobId_; }
    const std::string& entryId() const noexcept { return entryId_; }

private:
    std::string jobId_, entryId_;
};

/// Lower-case hex SHA-256 of `data` (OpenSSL): the same digest core/export's contentHash gives.
std::string sha256Hex(std::string_view data);

}  // namespace ledgerbridge::store
