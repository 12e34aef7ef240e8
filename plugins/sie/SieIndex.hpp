// What the output directory holds: the entries of every SIE file this plugin's settings name
// (<file_prefix>*.se), read back from the files themselves. The files are the source of
// truth: a fresh instance with no host state, or an entry offered again in another export
// job or with another idempotency key, finds what was written by the accounting entry id.
// Files are re-read only when they changed (device, inode, size, modification time).
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace ledgerbridge::sie {

class SieFile;

class SieIndex {
public:
    SieIndex(std::string directory, std::string prefix)
        : directory_(std::move(directory)), prefix_(std::move(prefix)) {}

    /// Lists the directory and re-reads new or changed files; forgets removed ones. Throws
    /// std::runtime_error naming a file that cannot be read or is not a SIE file.
    void refresh();

    /// Where an entry was written, and whether under the same idempotency key.
    struct Found {
        std::string path;
        bool sameKey = false;
    };
    /// The file holding the entry: by its accounting entry id, else by its idempotency key.
    std::optional<Found> find(const std::string& entryId, const std::string& key) const;

    /// Records what `file` holds after this instance wrote it (saves re-reading it).
    void update(const SieFile& file);

private:
    struct Stamp {
        dev_t device = 0;
        ino_t inode = 0;
        off_t size = 0;
        std::time_t seconds = 0;
        long nanoseconds = 0;
        bool operator==(const Stamp& o) const {
            return device == o.device && inode == o.inode && size == o.size && seconds == o.seconds &&
                   nanoseconds == o.nanoseconds;
        }
    };
    struct Known {
        Stamp stamp;
        std::set<std::string> ids, keys;
    };
    static std::optional<Stamp> stampOf(const std::string& path);

    std::string directory_, prefix_;
    std::map<std::string, Known> files_;  ///< by path, in name order
};

}  // namespace ledgerbridge::sie
