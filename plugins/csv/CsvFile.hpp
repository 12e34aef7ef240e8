// One export job's CSV file on disk: which entries it already holds, and adding records to it
// so that a crash never leaves half an entry behind. The file is created atomically (temp file,
// fsync, rename, fsync of the directory); later batches are appended and fsynced, then the
// committed length is recorded in a hidden sidecar (`.NAME.committed`, replaced atomically).
// Loading cuts anything past the committed length — the tail of a batch whose push never
// returned, which the host resolves by lookup and pushes again. Appending keeps a push O(batch)
// instead of rewriting the whole file every time (O(n²) over a large job).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "CsvFormat.hpp"
#include "EntryIdSet.hpp"

namespace ledgerbridge::csv {

class CsvFile {
public:
    /// `path` is the job's file; `format` how it is written. Nothing is read yet.
    CsvFile(std::string path, CsvFormat format);

    /// Reads the file (if any) up to its committed length, cutting an uncommitted tail, and
    /// collects the entry ids in its entry_id column. Throws std::runtime_error when it exists
    /// but cannot be read or parsed.
    void load();
    /// Whether the file on disk is still what load() or the last append saw (same size); a
    /// cached CsvFile is reloaded when another process wrote to it.
    bool current() const;
    bool exists() const { return exists_; }
    bool contains(const std::string& entryId) const { return entryIds_.contains(entryId); }
    const std::string& path() const { return path_; }

    /// Adds `records` (complete rows of the entries `ids`) durably, as described above.
    /// Throws std::runtime_error naming the path and the system error.
    void append(const std::string& records, const std::set<std::string>& ids);

private:
    std::string path_;
    CsvFormat format_;
    std::string sidecarPath() const;
    void commitLength(std::uint64_t length);
    EntryIdSet entryIds_;
    std::uint64_t size_ = 0;
    bool exists_ = false;
};

}  // namespace ledgerbridge::csv
