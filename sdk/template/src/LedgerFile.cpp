// The example target's file: see LedgerFile.hpp.
#include "LedgerFile.hpp"

#include <sys/stat.h>

#include <ledgerbridge/atomic_file.hpp>

#include <cerrno>
#include <cstdint>
#include <fstream>

namespace example {

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
    namespace sdk = ledgerbridge::sdk;
    // The SDK's durable writes (atomic_file.hpp): checked writes, fsync, no symlink followed.
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) throw sdk::FileError("cannot inspect", path, errno);
        // The first document: the whole file is created atomically, and its folder synced so
        // the new name survives a power cut.
        sdk::writeFileAtomically(path, line + "\n", 0644);
        return;
    }
    if (!S_ISREG(st.st_mode)) throw sdk::FileError("cannot append to (not a regular file)", path, EINVAL);
    std::ifstream in(path, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Never guess the committed length of a file not read whole: appendDurably would cut it.
    if (!in || content.size() != static_cast<std::uint64_t>(st.st_size))
        throw sdk::FileError("cannot read", path, errno ? errno : EIO);
    // Only whole lines count: a line an earlier crash left without its LF was never reported
    // posted, so appendDurably cuts it off before appending.
    const std::size_t lastLf = content.rfind('\n');
    const std::uint64_t committed = lastLf == std::string::npos ? 0 : lastLf + 1;
    sdk::appendDurably(path, line + "\n", committed);
}

}  // namespace example
