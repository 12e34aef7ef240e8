// The output directory's index of keys and entry ids, rebuilt from the files.
#include "DatevDirectory.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

namespace ledgerbridge::datev {

bool DatevDirectory::isOurs(const std::string& name) {
    return name.size() > 9 && name.compare(0, 5, "EXTF_") == 0 && name.compare(name.size() - 4, 4, ".csv") == 0 &&
           name.find(".tmp-") == std::string::npos;
}

bool DatevDirectory::stamp(const std::string& path, Known& k) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    k.size = static_cast<std::uintmax_t>(st.st_size);
    k.inode = static_cast<std::uintmax_t>(st.st_ino);
    k.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return true;
}

void DatevDirectory::refresh() {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::map<std::string, Known> now;
    fs::directory_iterator it(dir_, ec);
    if (ec) throw std::runtime_error("cannot list the output directory " + dir_ + ": " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) throw std::runtime_error("cannot list the output directory " + dir_ + ": " + ec.message());
        const std::string name = it->path().filename().string();
        if (!isOurs(name)) continue;
        const std::string path = it->path().string();
        Known k;
        if (!stamp(path, k)) continue;  // removed while listing
        auto old = files_.find(path);
        if (old != files_.end() && old->second.size == k.size && old->second.inode == k.inode &&
            old->second.mtimeNs == k.mtimeNs) {
            now.emplace(path, std::move(old->second));
            continue;
        }
        DatevFile file(path);
        file.load();
        k.keys = file.keys();
        k.ids = file.entryIds();
        now.emplace(path, std::move(k));
    }
    files_ = std::move(now);
}

DatevDirectory::Found DatevDirectory::find(const std::string& key, const std::string& entryId) const {
    for (const auto& [path, k] : files_)
        if (k.keys.count(key)) return {path, true};
    for (const auto& [path, k] : files_)
        if (k.ids.count(entryId)) return {path, false};
    return {};
}

void DatevDirectory::wrote(const std::string& path, const DatevFile& file) {
    Known k;
    if (!stamp(path, k)) {
        files_.erase(path);
        return;
    }
    k.keys = file.keys();
    k.ids = file.entryIds();
    files_[path] = std::move(k);
}

}  // namespace ledgerbridge::datev
