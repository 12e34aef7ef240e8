// One export job's CSV file: read back what is there, replace atomically.
#include "CsvFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ledgerbridge::csv {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string directoryOf(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}
}  // namespace

CsvFile::CsvFile(std::string path, CsvFormat format) : path_(std::move(path)), format_(std::move(format)) {}

std::string CsvFile::sidecarPath() const {
    const auto slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    const std::string name = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    return dir + "/." + name + ".committed";
}

namespace {
void writeAll(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
}

/// Writes `text` to `path` atomically: temp file, fsync, rename, fsync of the directory.
void replaceAtomically(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create", temp);
    try {
        writeAll(fd, text, temp);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        fail("cannot flush", temp);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        ::unlink(temp.c_str());
        fail("cannot rename into", path);
    }
    const int dir = ::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::uint64_t fileSize(const std::string& path, bool& exists) {
    struct stat st {};
    exists = ::stat(path.c_str(), &st) == 0;
    return exists ? static_cast<std::uint64_t>(st.st_size) : 0;
}
}  // namespace

void CsvFile::commitLength(std::uint64_t length) { replaceAtomically(sidecarPath(), std::to_string(length) + "\n"); }

void CsvFile::load() {
    entryIds_.clear();
    size_ = fileSize(path_, exists_);
    if (!exists_) return;
    // Cut a tail past the committed length: a batch whose append was not committed.
    std::ifstream marker(sidecarPath());
    std::uint64_t committed = 0;
    if (marker >> committed && committed < size_) {
        if (::truncate(path_.c_str(), static_cast<off_t>(committed)) != 0) fail("cannot cut the uncommitted tail of", path_);
        size_ = committed;
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail("cannot read", path_);
    std::ostringstream text;
    text << in.rdbuf();
    const auto records = parse(text.str(), format_.delimiter);
    if (records.empty()) return;
    const auto& header = records.front();
    const auto col = std::find(header.begin(), header.end(), "entry_id");
    if (col == header.end()) throw std::runtime_error(path_ + " has no entry_id column; move it away to write again");
    const auto index = static_cast<std::size_t>(col - header.begin());
    for (std::size_t r = 1; r < records.size(); ++r)
        if (index < records[r].size()) entryIds_.insert(records[r][index]);
}

bool CsvFile::current() const {
    bool exists = false;
    const std::uint64_t size = fileSize(path_, exists);
    return exists == exists_ && size == size_;
}

void CsvFile::append(const std::string& records, const std::set<std::string>& ids) {
    if (!exists_) {
        const std::string text = headerRecord(format_) + records;
        replaceAtomically(path_, text);
        size_ = text.size();
        exists_ = true;
    } else {
        const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0) fail("cannot open", path_);
        try {
            writeAll(fd, records, path_);
        } catch (...) {
            ::close(fd);
            throw;
        }
        if (::fsync(fd) != 0 || ::close(fd) != 0) fail("cannot flush", path_);
        size_ += records.size();
    }
    commitLength(size_);
    for (const std::string& id : ids) entryIds_.insert(id);
}

}  // namespace ledgerbridge::csv
