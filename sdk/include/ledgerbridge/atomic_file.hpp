// Durable file writes for plugins that write files (and for the host's own caches): a file is
// replaced atomically — a new temp file in the same directory, every byte written with its
// result checked, fsync of the file, rename over the final name, fsync of the directory — so a
// crash leaves either the old or the new file under the final name, never a mixture. An
// appending variant (`appendDurably`) serves files that grow batch by batch and record their
// committed length elsewhere (the CSV plugin's sidecar).
//
// Temp files are named `<final name>.tmp-<pid>-<n>` and created with
// O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC: an existing file or a symlink planted under that name is
// never opened or followed, and the descriptor does not leak into child processes. A process
// killed between create and rename leaves its temp file behind; `removeStaleTempFiles` removes
// the ones whose process is gone (call it once when a plugin starts using a directory).
//
// Header-only, POSIX, no dependency beyond the C++17 standard library: it is installed with the
// SDK and may be used by third-party plugins. Every failure throws sdk::FileError naming the
// file and the system's reason.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerbridge::sdk {

/// A file could not be written, synced, renamed or cleaned up. what() names the path and the
/// system's reason, e.g. "cannot create /out/a.csv.tmp-12-0: Permission denied".
class FileError : public std::runtime_error {
public:
    FileError(const std::string& what, const std::string& path, int err)
        : std::runtime_error(what + " " + path + ": " + std::strerror(err)), path_(path), errno_(err) {}
    const std::string& path() const { return path_; }
    int error() const { return errno_; }

private:
    std::string path_;
    int errno_;
};

namespace files_detail {

[[noreturn]] inline void fail(const std::string& what, const std::string& path) {
    throw FileError(what, path, errno);
}

inline std::string directoryOf(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

inline std::string baseNameOf(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Writes all of `bytes` (short writes and EINTR continue), or throws naming `path`.
inline void writeAll(int fd, std::string_view bytes, const std::string& path) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", path);
        if (n == 0) {
            errno = EIO;
            fail("cannot write", path);
        }
        done += static_cast<std::size_t>(n);
    }
}

/// fsync that retries EINTR.
inline int syncFd(int fd) {
    int rc;
    do rc = ::fsync(fd);
    while (rc != 0 && errno == EINTR);
    return rc;
}

/// Per process: the numbers that make two temp files of one process (two threads writing the
/// same file, or a stale file of an earlier process with the same pid) different names.
inline std::atomic<unsigned>& tempCounter() {
    static std::atomic<unsigned> counter{0};
    return counter;
}

/// Parses "<final>.tmp-<pid>[-<n>]"; returns the pid and sets `finalName`, or 0 when `name` is
/// not a temp name. The optional "-<n>" also matches the older "<final>.tmp-<pid>" files.
inline pid_t parseTempName(const std::string& name, std::string& finalName) {
    const auto at = name.rfind(".tmp-");
    if (at == std::string::npos || at == 0) return 0;
    const std::string tail = name.substr(at + 5);
    const auto dash = tail.find('-');
    const std::string pid = tail.substr(0, dash);
    const std::string seq = dash == std::string::npos ? "1" : tail.substr(dash + 1);
    auto digits = [](const std::string& s) {
        if (s.empty() || s.size() > 10) return false;
        for (char c : s)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (!digits(pid) || !digits(seq)) return 0;
    const long long value = std::stoll(pid);
    if (value <= 0 || value > 0x7fffffffLL) return 0;
    finalName = name.substr(0, at);
    return static_cast<pid_t>(value);
}

inline bool processAlive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace files_detail

/// Parses a file mode given as octal permission bits ("0600", "640"): 3 or 4 octal digits that
/// give the owner read and write (a plugin rewrites and appends to its own files) and set no
/// execute, setuid, setgid or sticky bit. Returns false with `problem` saying what is wrong.
/// Plugins that write files take it as their `file_mode` setting (sdk::fileModeSetting()).
inline bool parseFileMode(const std::string& text, mode_t& mode, std::string& problem) {
    const bool octal = (text.size() == 3 || text.size() == 4) && text.find_first_not_of("01234567") == std::string::npos;
    if (!octal) {
        problem = "expected octal permission bits such as 0600 or 0640, got '" + text + "'";
        return false;
    }
    const mode_t value = static_cast<mode_t>(std::stoul(text, nullptr, 8));
    if ((value & 0600) != 0600) {
        problem = "'" + text + "' does not let the owner read and write the files it writes";
        return false;
    }
    if ((value & 07111) != 0) {
        problem = "'" + text + "' sets an execute, setuid, setgid or sticky bit; export files are data";
        return false;
    }
    mode = value;
    return true;
}

/// Syncs the directory `dir` so a rename or create in it survives a power cut. File systems
/// that cannot sync a directory (EINVAL) are accepted. Throws FileError otherwise.
inline void syncDirectory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) files_detail::fail("cannot open the directory", dir);
    if (files_detail::syncFd(fd) != 0 && errno != EINVAL) {
        const int err = errno;
        ::close(fd);
        throw FileError("cannot sync the directory", dir, err);
    }
    ::close(fd);
}

/// Replaces `path` with `bytes` atomically and durably (see the top of this file). The new file
/// gets `mode` (before the umask; 0600 unless the caller asks otherwise: exports name people,
/// suppliers and amounts). Returns only when the new content is on disk under `path`.
/// Throws FileError naming the temp file or `path`; the temp file is removed on failure.
inline void writeFileAtomically(const std::string& path, std::string_view bytes, mode_t mode = 0600) {
    std::string temp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        temp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
               std::to_string(files_detail::tempCounter().fetch_add(1));
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) files_detail::fail("cannot create", temp);
    }
    if (fd < 0) files_detail::fail("cannot create", temp);  // 100 names taken: errno is EEXIST
    try {
        files_detail::writeAll(fd, bytes, temp);
        if (files_detail::syncFd(fd) != 0) files_detail::fail("cannot sync", temp);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw FileError("cannot close", temp, err);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw FileError("cannot rename into", path, err);
    }
    syncDirectory(files_detail::directoryOf(path));
}

/// Appends `bytes` to the existing file `path` durably: whatever lies past `committedLength`
/// (the tail of an append that never returned) is cut first, then `bytes` are written and the
/// file is fsynced. Returns the new committed length (`committedLength + bytes.size()`); the
/// caller records it durably (e.g. with writeFileAtomically) before it counts. `path` must be a
/// regular file and not a symlink. Throws FileError naming `path`.
inline std::uint64_t appendDurably(const std::string& path, std::string_view bytes, std::uint64_t committedLength) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) files_detail::fail("cannot open", path);
    try {
        struct stat st {};
        if (::fstat(fd, &st) != 0) files_detail::fail("cannot inspect", path);
        if (!S_ISREG(st.st_mode)) {
            errno = EINVAL;
            files_detail::fail("cannot append to (not a regular file)", path);
        }
        if (static_cast<std::uint64_t>(st.st_size) < committedLength) {
            errno = EIO;
            files_detail::fail("cannot append: shorter than its committed " + std::to_string(committedLength) +
                                   " bytes:",
                               path);
        }
        if (static_cast<std::uint64_t>(st.st_size) > committedLength &&
            ::ftruncate(fd, static_cast<off_t>(committedLength)) != 0)
            files_detail::fail("cannot cut the uncommitted tail of", path);
        if (::lseek(fd, static_cast<off_t>(committedLength), SEEK_SET) < 0) files_detail::fail("cannot seek in", path);
        files_detail::writeAll(fd, bytes, path);
        if (files_detail::syncFd(fd) != 0) files_detail::fail("cannot sync", path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) files_detail::fail("cannot close", path);
    return committedLength + bytes.size();
}

/// Removes the temp files writeFileAtomically left in `dir` when a process was killed between
/// creating and renaming them: regular files named `<final>.tmp-<pid>[-<n>]` for which
/// `ownFinalName(<final>)` is true — only the caller's own kind of file, never anything else in
/// the folder — and whose process is gone, or which are older than `maxAgeSeconds` (a pid reused
/// by another process). Returns the names removed (for the caller's log). A missing `dir` is no
/// error. Throws FileError when `dir` cannot be read or a stale file cannot be removed.
inline std::vector<std::string> removeStaleTempFiles(const std::string& dir,
                                                     const std::function<bool(const std::string&)>& ownFinalName,
                                                     long maxAgeSeconds = 24 * 3600) {
    std::vector<std::string> removed;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return removed;
        files_detail::fail("cannot list", dir);
    }
    std::vector<std::string> names;
    for (errno = 0; dirent* e = ::readdir(d); errno = 0) names.emplace_back(e->d_name);
    const int readErr = errno;
    ::closedir(d);
    if (readErr != 0) throw FileError("cannot list", dir, readErr);
    const std::time_t now = std::time(nullptr);
    for (const std::string& name : names) {
        std::string finalName;
        const pid_t pid = files_detail::parseTempName(name, finalName);
        if (pid == 0 || !ownFinalName(finalName)) continue;
        const std::string path = dir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const bool old = now - st.st_mtime > maxAgeSeconds;
        // Our own pid: a live writer in this process uses a fresh name, so only an old file
        // (an earlier process that had our pid) is stale.
        const bool gone = pid != ::getpid() && !files_detail::processAlive(pid);
        if (!gone && !old) continue;
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) files_detail::fail("cannot remove the stale temp file", path);
        removed.push_back(name);
    }
    return removed;
}

/// removeStaleTempFiles as one sentence for the caller's log, for plugins that clean their
/// output folder before their first write. Never throws: stale temp files are never read as
/// exports, so failing to remove them is no reason to stop delivering — `failed` says to log
/// the sentence as a warning. An empty sentence: there was nothing to remove.
struct StaleTempFilesReport {
    std::string message;
    bool failed = false;
};
inline StaleTempFilesReport cleanStaleTempFiles(const std::string& dir,
                                                const std::function<bool(const std::string&)>& ownFinalName) {
    try {
        const std::vector<std::string> removed = removeStaleTempFiles(dir, ownFinalName);
        if (removed.empty()) return {};
        std::string names;
        for (const std::string& n : removed) names += (names.empty() ? "" : ", ") + n;
        return {"removed " + std::to_string(removed.size()) + " temp file(s) a killed process left in " + dir + ": " +
                    names,
                false};
    } catch (const FileError& e) {
        return {std::string("stale temp files were not removed: ") + e.what(), true};
    }
}

}  // namespace ledgerbridge::sdk
