// A SIE file on disk: read back the keys it holds, append with a fresh #KSUMMA, atomically.
#include "SieFile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "SieFormat.hpp"

namespace ledgerbridge::sie {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
const std::string kOpen = "#KSUMMA\r\n";
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

void SieFile::load() {
    std::ifstream in(path_, std::ios::binary);
    exists_ = static_cast<bool>(in);
    content_.clear();
    keys_.clear();
    if (!exists_) return;
    std::ostringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    if (all.rfind("#FLAGGA", 0) != 0) throw std::runtime_error(path_ + " is not a SIE file; move it away to write again");
    std::istringstream lines(all);
    std::string line;
    while (std::getline(lines, line)) {
        const std::string record = line + "\n";
        if (line.rfind("#KSUMMA ", 0) == 0) continue;  // the closing checksum is rewritten on append
        content_ += record;
        if (line.rfind("#VER", 0) == 0) {
            const auto t = tokens(line);
            if (t.size() >= 5) keys_.insert(keyOfText(t[4]));
        }
    }
}

void SieFile::append(const std::string& head, const std::string& verifications, bool checksum) {
    std::string bytes = (exists_ ? content_ : head) + verifications;
    const auto open = bytes.find(kOpen);
    if (checksum && open != std::string::npos)
        bytes += "#KSUMMA " + std::to_string(sie::checksum(bytes.substr(open + kOpen.size()))) + "\r\n";
    writeFileAtomically(path_, bytes);
    content_ = exists_ ? content_ + verifications : head + verifications;
    exists_ = true;
}

}  // namespace ledgerbridge::sie
