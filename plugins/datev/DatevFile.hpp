// One export job's DATEV file for one period on disk: which idempotency keys and accounting
// entry ids it already holds (read back from the file itself, the Zusatzinformation columns
// this plugin writes: Art 1 "Pleo-Key", Art 2 "Pleo-Eintrag"), and replacing it atomically
// (temp file in the same directory, fsync, rename, fsync of the directory).
#pragma once

#include <sys/types.h>

#include <set>
#include <string>

namespace ledgerbridge::datev {

class DatevFile {
public:
    /// `mode`: of the file when it is written (the plugin's file_mode setting).
    explicit DatevFile(std::string path, mode_t mode = 0600) : path_(std::move(path)), mode_(mode) {}

    /// Reads the file if it exists. Throws std::runtime_error when it cannot be read or is
    /// not a Buchungsstapel with 125 columns.
    void load();
    bool exists() const { return exists_; }
    bool contains(const std::string& key) const { return keys_.count(key) != 0; }
    bool containsEntry(const std::string& entryId) const { return ids_.count(entryId) != 0; }
    const std::set<std::string>& keys() const { return keys_; }
    const std::set<std::string>& entryIds() const { return ids_; }

    /// Writes `newFileHead` (for a new file) or the existing bytes, then `rows`, atomically.
    /// All arguments are Windows-1252 bytes; `keys`/`entryIds` are what the rows carry.
    /// Throws std::runtime_error naming path and error.
    void append(const std::string& newFileHead, const std::string& rows, const std::set<std::string>& keys,
                const std::set<std::string>& entryIds);

private:
    std::string path_, content_;
    mode_t mode_ = 0600;
    std::set<std::string> keys_, ids_;
    bool exists_ = false;
};


}  // namespace ledgerbridge::datev
