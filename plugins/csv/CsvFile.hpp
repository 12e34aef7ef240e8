// One export job's CSV file on disk: which entries it already holds, and adding records to it
// so that a crash never leaves half an entry behind. The file is created atomically (temp file,
// fsync, rename, fsync of the directory); later batches are appended and fsynced, then the
// committed length is recorded in a hidden sidecar (`.NAME.committed`, replaced atomically).
// Loading reads only up to the committed length and never changes the file (the plugin reads
// every job file of the directory to find entries written in other jobs); the next append to
// the file cuts anything past it first — the tail of a batch whose push never returned, which
// the host resolves by lookup and pushes again. Appending keeps a push O(batch)
// instead of rewriting the whole file every time (O(n²) over a large job).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "CsvFormat.hpp"
#include "EntryIdSet.hpp"

namespace ledgerbridge::csv {

class CsvFile {
public:
    /// `path` is the job's file; `format` how it is written. Nothing is read yet.
    /// `mode`: of the file and its sidecar when written (the plugin's file_mode setting).
    CsvFile(std::string path, CsvFormat format, mode_t mode = 0600);

    /// Reads the file (if any) up to its committed length and collects the entry ids in its
    /// entry_id column. Changes nothing on disk. Throws std::runtime_error when it exists but
    /// cannot be read or parsed, or has no entry_id column.
    void load();
    /// Whether the file on disk is still what load() or the last append saw (same size); a
    /// cached CsvFile is reloaded when another process wrote to it.
    bool current() const;
    bool exists() const { return exists_; }
    bool contains(const std::string& entryId) const { return entryIds_.contains(entryId); }
    const std::string& path() const { return path_; }

    /// Adds `records` (complete rows of the entries `ids`) durably, as described above, after
    /// cutting an uncommitted tail. Throws std::runtime_error naming the path and the system
    /// error, or when the file's header is not the configured columns (rows would not match it).
    void append(const std::string& records, const std::set<std::string>& ids);

private:
    std::string path_;
    CsvFormat format_;
    mode_t mode_ = 0600;
    std::string sidecarPath() const;
    void commitLength(std::uint64_t length);
    EntryIdSet entryIds_;
    std::vector<std::string> header_;  ///< the file's header record as read or written
    std::uint64_t committed_ = 0;      ///< bytes that belong to the file (sidecar, else all)
    std::uint64_t diskSize_ = 0;       ///< the size on disk when last read or written
    bool exists_ = false;
};

}  // namespace ledgerbridge::csv
