// The output directory's SIE files and the entries they hold, re-read when they change.
#include "SieIndex.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "SieFile.hpp"

namespace ledgerbridge::sie {

std::optional<SieIndex::Stamp> SieIndex::stampOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return Stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
}

void SieIndex::refresh() {
    DIR* dir = ::opendir(directory_.c_str());
    if (!dir) throw std::runtime_error("cannot list " + directory_ + ": " + std::strerror(errno));
    std::set<std::string> present;
    while (const dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name.size() < prefix_.size() + 3 || name.rfind(prefix_, 0) != 0 ||
            name.compare(name.size() - 3, 3, ".se") != 0)
            continue;  // not ours; temp files end in .tmp-<pid>
        present.insert(directory_ + "/" + name);
    }
    ::closedir(dir);
    for (auto it = files_.begin(); it != files_.end();) it = present.count(it->first) ? std::next(it) : files_.erase(it);
    for (const auto& path : present) {
        const auto stamp = stampOf(path);
        if (!stamp) continue;
        const auto known = files_.find(path);
        if (known != files_.end() && known->second.stamp == *stamp) continue;
        SieFile file(path);
        file.load();
        files_[path] = Known{*stamp, file.entryIds(), file.keys()};
    }
}

std::optional<SieIndex::Found> SieIndex::find(const std::string& entryId, const std::string& key) const {
    const std::string& k = key.empty() ? entryId : key;  // an entry without a key is marked by its id
    for (const auto& [path, known] : files_)
        if (known.ids.count(entryId)) return Found{path, known.keys.count(k) != 0};
    for (const auto& [path, known] : files_)
        if (known.keys.count(k)) return Found{path, true};
    return std::nullopt;
}

void SieIndex::update(const SieFile& file) {
    if (const auto stamp = stampOf(file.path())) files_[file.path()] = Known{*stamp, file.entryIds(), file.keys()};
}

}  // namespace ledgerbridge::sie
