// The loader's checks on a plugin file before any of its code runs: location, file type,
// owner and permissions (of the file and of its directory).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace fs = std::filesystem;

namespace ledgerbridge::loader {

namespace {
std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

/// Empty when `st` is safe: owner root or this process's user, not group/other-writable.
std::string unsafe(const std::string& what, const struct stat& st) {
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me)
        return what + " is owned by uid " + std::to_string(st.st_uid) + "; expected root (0) or the service user (" +
               std::to_string(me) + ")";
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return what + " is writable by group or others (mode " + octal(st.st_mode) + "); expected no group/other write (run chmod go-w)";
    return {};
}
}  // namespace

/// Returns the canonical path when the file may be loaded; otherwise throws PluginError
/// "<path>: refused: <reason>".
std::string PluginLoader::checkFile(const std::string& path) const {
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    if (ec) throw PluginError(path + ": refused: cannot resolve it (" + ec.message() + ")");
    bool inside = false;
    std::string dirs;
    for (const std::string& d : options_.pluginDirectories) {
        const fs::path dir = fs::canonical(d, ec);
        dirs += (dirs.empty() ? "" : ", ") + d;
        if (!ec && real.parent_path() == dir) inside = true;
    }
    if (!inside)
        throw PluginError(path + ": refused: plugins load only from the configured plugin directories (" +
                          (dirs.empty() ? std::string("none configured") : dirs) + "); found it in " +
                          real.parent_path().string());
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw PluginError(path + ": refused: expected a regular file, found another kind of file");
    if (std::string why = unsafe("the file", st); !why.empty()) throw PluginError(path + ": refused: " + why);
    struct stat dir {};
    if (::stat(real.parent_path().c_str(), &dir) != 0)
        throw PluginError(path + ": refused: cannot inspect its directory " + real.parent_path().string());
    if (std::string why = unsafe("its directory " + real.parent_path().string(), dir); !why.empty())
        throw PluginError(path + ": refused: " + why);
    return real.string();
}

std::vector<std::string> PluginLoader::candidates() const {
    std::vector<std::string> out;
    for (const std::string& d : options_.pluginDirectories) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(d, ec))
            if (e.path().extension() == ".so") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ledgerbridge::loader
