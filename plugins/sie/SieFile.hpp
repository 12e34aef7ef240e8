// One export job's SIE file on disk: which entries it holds (read back from the identity
// markers of its #VER texts), and appending vouchers atomically (temp file, fsync, rename,
// fsync of the directory): the head kept, the #DIM/#OBJEKT declarations merged (they precede
// every #VER, as the format orders records), the closing #KSUMMA recomputed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::sie {

/// Records to add to a file, all CP437 and CRLF-terminated.
struct SieAddition {
    std::string head;                      ///< used for a new file only
    std::vector<std::string> declarations;  ///< #DIM and #OBJEKT records (the file keeps one of each)
    std::string verifications;             ///< #VER blocks
};

class SieFile {
public:
    explicit SieFile(std::string path) : path_(std::move(path)) {}

    /// Reads the file if it exists. Throws std::runtime_error when it cannot be read or does
    /// not start with #FLAGGA.
    void load();
    bool exists() const { return exists_; }
    const std::string& path() const { return path_; }
    const std::set<std::string>& entryIds() const { return ids_; }
    const std::set<std::string>& keys() const { return keys_; }

    /// Appends `addition` after the existing records (or after its head for a new file); with
    /// `checksum`, ends the file with "#KSUMMA <crc>". Throws std::runtime_error.
    void append(const SieAddition& addition, bool checksum);

private:
    void noteRecord(const std::string& record);
    void declare(const std::string& record);

    std::string path_;
    std::string head_;                                         ///< up to the first declaration/#VER
    std::map<std::string, std::string> dimensions_;                    ///< number -> #DIM record
    std::map<std::pair<std::string, std::string>, std::string> objects_;  ///< (dim, id) -> #OBJEKT
    std::set<std::pair<std::string, std::string>> used_;  ///< objects of #TRANS rows in body_
    std::string body_;                                         ///< #VER blocks, no closing #KSUMMA
    std::set<std::string> ids_, keys_;
    bool exists_ = false;
};

/// Replaces `path` with `bytes` atomically. Throws std::runtime_error naming the path.
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace ledgerbridge::sie
