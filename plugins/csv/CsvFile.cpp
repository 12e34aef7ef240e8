// One export job's CSV file: read back what is there, replace atomically.
#include "CsvFile.hpp"

#include <fcntl.h>
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

void CsvFile::load() {
    std::ifstream in(path_, std::ios::binary);
    exists_ = static_cast<bool>(in);
    content_.clear();
    entryIds_.clear();
    if (!exists_) return;
    std::ostringstream text;
    text << in.rdbuf();
    content_ = text.str();
    const auto records = parse(content_, format_.delimiter);
    if (records.empty()) return;
    const auto& header = records.front();
    const auto col = std::find(header.begin(), header.end(), "entry_id");
    if (col == header.end()) throw std::runtime_error(path_ + " has no entry_id column; move it away to write again");
    const auto index = static_cast<std::size_t>(col - header.begin());
    for (std::size_t r = 1; r < records.size(); ++r)
        if (index < records[r].size()) entryIds_.insert(records[r][index]);
}

void CsvFile::appendAtomically(const std::string& records) {
    const std::string text = (exists_ && !content_.empty() ? content_ : headerRecord(format_)) + records;
    const std::string temp = path_ + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create", temp);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            ::unlink(temp.c_str());
            fail("cannot write", temp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        fail("cannot flush", temp);
    }
    if (::rename(temp.c_str(), path_.c_str()) != 0) {
        ::unlink(temp.c_str());
        fail("cannot rename into", path_);
    }
    const int dir = ::open(directoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    content_ = text;
    exists_ = true;
}

}  // namespace ledgerbridge::csv
