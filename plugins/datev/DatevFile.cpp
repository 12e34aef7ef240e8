// A DATEV file on disk: read back the keys it holds, replace it atomically.
#include "DatevFile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "DatevFormat.hpp"

namespace ledgerbridge::datev {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create", temp);
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
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
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        ::unlink(temp.c_str());
        fail("cannot rename into", path);
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void DatevFile::load() {
    std::ifstream in(path_, std::ios::binary);
    exists_ = static_cast<bool>(in);
    content_.clear();
    keys_.clear();
    ids_.clear();
    if (!exists_) return;
    std::ostringstream text;
    text << in.rdbuf();
    content_ = text.str();
    std::istringstream lines(content_);
    std::string line;
    for (int n = 0; std::getline(lines, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 0 && line.rfind("\"EXTF\";700;21;", 0) != 0)
            throw std::runtime_error(path_ + " is not a DATEV Buchungsstapel; move it away to write again");
        if (n < 2 || line.empty()) continue;
        const auto fields = splitLine(line);
        if (fields.size() != kColumnCount)
            throw std::runtime_error(path_ + " line " + std::to_string(n + 1) + " does not have 125 columns");
        // Only rows this plugin wrote carry the markers; rows of other origin identify nothing.
        if (fields[kKeyColumn - 1] == "Pleo-Key") keys_.insert(fields[kKeyColumn]);
        if (fields[kEntryIdColumn - 1] == "Pleo-Eintrag") ids_.insert(fields[kEntryIdColumn]);
    }
}

void DatevFile::append(const std::string& newFileHead, const std::string& rows, const std::set<std::string>& keys,
                       const std::set<std::string>& entryIds) {
    const std::string bytes = (exists_ ? content_ : newFileHead) + rows;
    writeFileAtomically(path_, bytes);
    content_ = bytes;
    exists_ = true;
    keys_.insert(keys.begin(), keys.end());
    ids_.insert(entryIds.begin(), entryIds.end());
}

}  // namespace ledgerbridge::datev
