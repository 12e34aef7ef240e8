// The example target: <output_dir>/example-ledger.tsv, one document per line, appended whole:
//   <accounting entry id> TAB <idempotency key> TAB <external id> TAB <currency> TAB <exponent>
//   TAB <account>=<signed minor units>[;<account>=<minor>...] LF
// Debit positive, credit negative; the postings of a line sum to zero.
#pragma once

#include <optional>
#include <string>

namespace example {

/// The external id of the document written for `accountingEntryId`, if any. A last line cut
/// short by a crash (no LF) does not count: it was never reported posted.
std::optional<std::string> findDocument(const std::string& path, const std::string& accountingEntryId);

/// Appends `line` (without LF) durably with the SDK's atomic_file.hpp: the first line creates
/// the file atomically, later ones go through appendDurably (written, fsynced, never through a
/// symlink). A line cut short by an earlier crash is cut off first, so the file stays one
/// document per line. Throws ledgerbridge::sdk::FileError (a std::runtime_error) naming the file.
void appendDocument(const std::string& path, const std::string& line);

}  // namespace example
