// One export job's SIE file on disk: which entry keys it holds (read back from the #VER texts),
// and appending verifications atomically (temp file, fsync, rename, fsync of the directory)
// with the closing #KSUMMA recomputed over everything after the opening one.
#pragma once

#include <set>
#include <string>

namespace ledgerbridge::sie {

class SieFile {
public:
    explicit SieFile(std::string path) : path_(std::move(path)) {}

    /// Reads the file if it exists. Throws std::runtime_error when it cannot be read or does
    /// not start with #FLAGGA.
    void load();
    bool contains(const std::string& key) const { return keys_.count(key) != 0; }

    /// Appends `verifications` (CP437) after the existing records, or after `head` for a new
    /// file; with `checksum`, ends the file with "#KSUMMA <crc>". Throws std::runtime_error.
    void append(const std::string& head, const std::string& verifications, bool checksum);

private:
    std::string path_, content_;  ///< content_ without a closing #KSUMMA record
    std::set<std::string> keys_;
    bool exists_ = false;
};

/// Replaces `path` with `bytes` atomically. Throws std::runtime_error naming the path.
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace ledgerbridge::sie
