// A SIE file on disk: read back the entries it holds, append with merged declarations and a
// fresh #KSUMMA, atomically.
#include "SieFile.hpp"

#include <ledgerbridge/atomic_file.hpp>

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

void SieFile::load() {
    std::ifstream in(path_, std::ios::binary);
    exists_ = static_cast<bool>(in);
    head_.clear();
    body_.clear();
    dimensions_.clear();
    objects_.clear();
    used_.clear();
    ids_.clear();
    keys_.clear();
    if (!exists_) return;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) fail("cannot read", path_);
    const std::string all = text.str();
    if (all.rfind("#FLAGGA", 0) != 0) throw std::runtime_error(path_ + " is not a SIE file; move it away to write again");
    std::istringstream lines(all);
    std::string line;
    bool inBody = false;
    while (std::getline(lines, line)) {
        const std::string record = line + "\n";
        if (line.rfind("#KSUMMA ", 0) == 0) continue;  // the closing checksum is rewritten on append
        if (line.rfind("#DIM ", 0) == 0 || line.rfind("#OBJEKT ", 0) == 0) {
            declare(record);
            continue;
        }
        inBody = inBody || line.rfind("#VER", 0) == 0;
        if (!inBody) {
            head_ += record;
            continue;
        }
        body_ += record;
        noteRecord(line);
    }
}

void SieFile::declare(const std::string& record) {
    const auto t = tokens(record);
    if (t.size() >= 2 && t[0] == "#DIM") dimensions_.emplace(t[1], record);
    if (t.size() >= 3 && t[0] == "#OBJEKT") objects_.emplace(std::make_pair(t[1], t[2]), record);
}

void SieFile::noteRecord(const std::string& record) {
    if (record.rfind("#VER", 0) == 0) {
        const auto t = tokens(record);
        if (const auto identity = t.size() >= 5 ? identityOfText(t[4]) : std::nullopt) {
            ids_.insert(identity->entryId);
            keys_.insert(identity->key);
        }
    } else if (record.rfind("#TRANS", 0) == 0) {
        const auto open = record.find('{'), close = record.find('}');
        if (open == std::string::npos || close == std::string::npos || close < open) return;
        const auto list = tokens(record.substr(open + 1, close - open - 1));
        for (std::size_t i = 0; i + 1 < list.size(); i += 2) used_.emplace(list[i], list[i + 1]);
    }
}

void SieFile::append(const SieAddition& addition, bool checksum) {
    if (!exists_) head_ = addition.head;
    for (const auto& record : addition.declarations) declare(record);
    std::istringstream lines(addition.verifications);
    std::string line;
    while (std::getline(lines, line)) noteRecord(line);
    // Objects used without a declaration (files written before declarations were) get one
    // named by their id, so every object list refers to declared objects.
    for (const auto& [dim, id] : used_) {
        objects_.emplace(std::make_pair(dim, id), "#OBJEKT " + dim + " " + quote(id) + " " + quote(id) + "\r\n");
        dimensions_.emplace(dim, "#DIM " + dim + " " + quote("Dimension " + dim) + "\r\n");  // kept if declared
    }
    std::string bytes = head_;
    for (const auto& [number, record] : dimensions_) bytes += record;
    for (const auto& [key, record] : objects_) bytes += record;
    bytes += body_ + addition.verifications;
    const auto open = bytes.find(kOpen);
    if (checksum && open != std::string::npos)
        bytes += "#KSUMMA " + std::to_string(sie::checksum(bytes.substr(open + kOpen.size()))) + "\r\n";
    sdk::writeFileAtomically(path_, bytes, mode_);
    body_ += addition.verifications;
    exists_ = true;
}

}  // namespace ledgerbridge::sie
