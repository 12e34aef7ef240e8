// The example target's file: see LedgerFile.hpp.
#include "LedgerFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace example {

namespace {
std::runtime_error failure(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

std::optional<std::string> findDocument(const std::string& path, const std::string& accountingEntryId) {
    std::ifstream in(path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t start = 0;
    for (std::size_t end = content.find('\n'); end != std::string::npos; start = end + 1, end = content.find('\n', start)) {
        const std::string line = content.substr(start, end - start);
        const std::size_t t1 = line.find('\t');
        const std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        const std::size_t t3 = t2 == std::string::npos ? t2 : line.find('\t', t2 + 1);
        if (t3 != std::string::npos && line.compare(0, t1, accountingEntryId) == 0 && t1 == accountingEntryId.size())
            return line.substr(t2 + 1, t3 - t2 - 1);
    }
    return std::nullopt;
}

void appendDocument(const std::string& path, const std::string& line) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw failure("cannot open", path);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw failure("cannot stat", path);
    if (st.st_size > 0) {  // cut off a line an earlier crash left without its LF
        std::ifstream in(path, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!content.empty() && content.back() != '\n') {
            const std::size_t keep = content.rfind('\n') == std::string::npos ? 0 : content.rfind('\n') + 1;
            if (::ftruncate(fd, static_cast<off_t>(keep)) != 0) throw failure("cannot repair", path);
        }
    }
    const std::string data = line + "\n";
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw failure("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw failure("cannot sync", path);
}

}  // namespace example
