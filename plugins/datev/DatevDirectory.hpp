// Everything this plugin wrote into its output directory, found from the files themselves: the
// idempotency keys and accounting entry ids in every EXTF_<job>_<YYYYMM>.csv there, whatever
// the job. The files are the only record (no host state), so a fresh instance, an emptied
// state directory, the same entry in a new job or with a new key all find what was written.
// Parsed files are cached by (size, modification time, inode) and re-read only when changed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "DatevFile.hpp"

namespace ledgerbridge::datev {

class DatevDirectory {
public:
    explicit DatevDirectory(std::string dir = {}) : dir_(std::move(dir)) {}

    /// Re-reads the files that appeared or changed; forgets removed ones. Throws
    /// std::runtime_error naming a file that is not a Buchungsstapel of 125 columns.
    void refresh();
    struct Found {
        std::string path;    ///< "" when neither the key nor the entry id is there
        bool byKey = false;  ///< false: only the accounting entry id matched (another key)
    };
    /// The file holding `key`, else one holding `entryId`.
    Found find(const std::string& key, const std::string& entryId) const;
    /// Records a file this instance just wrote (saves re-reading it on the next refresh).
    void wrote(const std::string& path, const DatevFile& file);
    /// True for the names this plugin writes: EXTF_*.csv (temp files excluded).
    static bool isOurs(const std::string& fileName);

private:
    struct Known {
        std::uintmax_t size = 0, inode = 0;
        std::int64_t mtimeNs = 0;
        std::set<std::string> keys, ids;
    };
    static bool stamp(const std::string& path, Known& k);

    std::string dir_;
    std::map<std::string, Known> files_;
};

}  // namespace ledgerbridge::datev
