// One export job's CSV file on disk: reading which entries it already holds, and replacing it
// atomically (temp file in the same directory, fsync, rename, fsync of the directory) so a
// reader or a crash never sees half a file.
#pragma once

#include <set>
#include <string>

#include "CsvFormat.hpp"

namespace ledgerbridge::csv {

class CsvFile {
public:
    /// `path` is the job's file; `format` how it is written. Nothing is read yet.
    CsvFile(std::string path, CsvFormat format);

    /// Reads the file (if any): its full text and the entry ids in its entry_id column.
    /// Throws std::runtime_error when it exists but cannot be read or parsed.
    void load();
    bool exists() const { return exists_; }
    bool contains(const std::string& entryId) const { return entryIds_.count(entryId) != 0; }
    const std::string& path() const { return path_; }

    /// Writes the previous content (or a header for a new file) plus `records`, atomically.
    /// Throws std::runtime_error naming the path and the system error.
    void appendAtomically(const std::string& records);

private:
    std::string path_;
    CsvFormat format_;
    std::string content_;
    std::set<std::string> entryIds_;
    bool exists_ = false;
};

}  // namespace ledgerbridge::csv
