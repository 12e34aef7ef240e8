// One export job's SIE file on disk: which entries it holds (read back from the identity
// markers of its #VER texts), and appending vouchers atomically (temp file, fsync, rename,
// fsync of the directory): the head kept, the #DIM/#OBJEKT declarations merged (they precede
// every #VER, as the format orders records), the closing #KSUMMA recomputed.
#pragma once

#include <sys/types.h>

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

/// Orders dimension numbers as numbers ("6" before "10"), anything else after, as text.
struct ByNumber {
    bool operator()(const std::string& a, const std::string& b) const {
        const bool na = !a.empty() && a.find_first_not_of("0123456789") == std::string::npos;
        const bool nb = !b.empty() && b.find_first_not_of("0123456789") == std::string::npos;
        if (na != nb) return na;
        if (na && a.size() != b.size()) return a.size() < b.size();
        return a < b;
    }
    bool operator()(const std::pair<std::string, std::string>& a, const std::pair<std::string, std::string>& b) const {
        if (a.first != b.first) return (*this)(a.first, b.first);
        return a.second < b.second;
    }
};

class SieFile {
public:
    /// `mode`: of the file when it is written (the plugin's file_mode setting).
    explicit SieFile(std::string path, mode_t mode = 0600) : path_(std::move(path)), mode_(mode) {}

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
    mode_t mode_ = 0600;
    std::string head_;                                         ///< up to the first declaration/#VER
    std::map<std::string, std::string, ByNumber> dimensions_;                    ///< number -> #DIM
    std::map<std::pair<std::string, std::string>, std::string, ByNumber> objects_;  ///< (dim, id) -> #OBJEKT
    std::set<std::pair<std::string, std::string>> used_;  ///< objects of #TRANS rows in body_
    std::string body_;                                         ///< #VER blocks, no closing #KSUMMA
    std::set<std::string> ids_, keys_;
    bool exists_ = false;
};


}  // namespace ledgerbridge::sie
