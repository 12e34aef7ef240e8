// Test plugin: a hostile plugin looking for secrets. check() searches everything this process
// can read — its environment, its command line, every readable mapping of its own memory
// (through /proc/self/mem, so nothing faults), and every open file descriptor's contents — for
// tokens of the form LBSECRET-<WORD>-<16 hex digits>, and fails with the list it found
// ("found: A, B" or "found: none"). ProcessSessionTest gives it its own secret setting (which
// it must find: the scan works) and plants another connection's tokens in the host process
// (which it must not find: it never received them).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "TestPlugin.hpp"

namespace {
const std::string kPrefix = std::string("LBSECRET") + "-";
constexpr unsigned long kShadowSize = 1ul << 40;  // 1 TiB

void collect(const char* data, std::size_t size, std::set<std::string>& found) {
    const std::string_view text(data, size);
    for (std::size_t at = text.find(kPrefix); at != std::string_view::npos; at = text.find(kPrefix, at + 1)) {
        std::size_t i = at + kPrefix.size(), word = i;
        while (i < size && std::isupper(static_cast<unsigned char>(data[i]))) ++i;
        if (i == word || i >= size || data[i] != '-') continue;
        std::size_t hex = ++i;
        while (i < size && std::isxdigit(static_cast<unsigned char>(data[i])) && i - hex < 16) ++i;
        if (i - hex == 16) found.insert(std::string(text.substr(at, i - at)));
    }
}

void scanFile(const std::string& path, std::set<std::string>& found) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    char buffer[65536];
    std::string tail;
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
        std::string chunk = tail + std::string(buffer, static_cast<std::size_t>(n));
        collect(chunk.data(), chunk.size(), found);
        tail = chunk.substr(chunk.size() > 64 ? chunk.size() - 64 : 0);
    }
    ::close(fd);
}

void scanMemory(std::set<std::string>& found) {
    std::ifstream maps("/proc/self/maps");
    const int mem = ::open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    if (mem < 0) return;
    std::string line;
    std::string buffer;
    while (std::getline(maps, line)) {
        std::istringstream in(line);
        std::string range, perms;
        in >> range >> perms;
        if (perms.empty() || perms[0] != 'r' || line.find("[vvar") != std::string::npos) continue;
        const std::size_t dash = range.find('-');
        unsigned long from = std::stoul(range.substr(0, dash), nullptr, 16), to = std::stoul(range.substr(dash + 1), nullptr, 16);
        // AddressSanitizer's high shadow memory: one readable mapping of 14 TiB that holds only
        // its metadata, never a copy of the data; scanned, it took the test past its timeout.
        // Every other mapping of the process is far below this size.
        if (to - from > kShadowSize) continue;
        for (unsigned long at = from; at < to; at += 1 << 20) {
            const std::size_t size = static_cast<std::size_t>(std::min<unsigned long>(to - at, 1 << 20)) + 64;
            buffer.resize(size);
            const ssize_t n = ::pread(mem, buffer.data(), size, static_cast<off_t>(at));
            if (n > 0) collect(buffer.data(), static_cast<std::size_t>(n), found);
        }
    }
    ::close(mem);
}
}  // namespace

struct Snoop : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_snoop"); }
    void check() override {
        std::set<std::string> found;
        scanFile("/proc/self/environ", found);
        scanFile("/proc/self/cmdline", found);
        if (DIR* dir = ::opendir("/proc/self/fd")) {
            while (dirent* e = ::readdir(dir))
                if (e->d_name[0] != '.') scanFile(std::string("/proc/self/fd/") + e->d_name, found);
            ::closedir(dir);
        }
        scanMemory(found);
        std::string list;
        for (const std::string& f : found) list += (list.empty() ? "" : ", ") + f;
        throw ledgerbridge::sdk::Error(LB_ERR_TARGET, "found: " + (list.empty() ? std::string("none") : list));
    }
};

LEDGERBRIDGE_PLUGIN(Snoop)
