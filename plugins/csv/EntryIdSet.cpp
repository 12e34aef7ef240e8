// A compact, exact set of entry ids: see EntryIdSet.hpp.
#include "EntryIdSet.hpp"

#include <algorithm>

namespace ledgerbridge::csv {
namespace {

constexpr std::size_t kRecentLimit = 1024;  // a linear scan of this many is cheaper than a sort

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not packed: unpacking must give back the same text
}

}  // namespace

// 8-4-4-4-12 lower-case hex digits; anything else stays a string.
bool EntryIdSet::pack(const std::string& id, Uuid& out) {
    if (id.size() != 36) return false;
    std::size_t byte = 0;
    for (std::size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (id[i] != '-') return false;
            ++i;
            continue;
        }
        int hi = hexValue(id[i]), lo = hexValue(id[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[byte++] = static_cast<std::uint8_t>(hi << 4 | lo);
        i += 2;
    }
    return true;
}

void EntryIdSet::insert(const std::string& id) {
    Uuid key;
    if (!pack(id, key)) {
        others_.insert(id);
        return;
    }
    if (std::binary_search(sorted_.begin(), sorted_.end(), key) ||
        std::find(recent_.begin(), recent_.end(), key) != recent_.end())
        return;
    recent_.push_back(key);
    if (recent_.size() >= kRecentLimit) merge();
}

bool EntryIdSet::contains(const std::string& id) const {
    Uuid key;
    if (!pack(id, key)) return others_.count(id) != 0;
    return std::binary_search(sorted_.begin(), sorted_.end(), key) ||
           std::find(recent_.begin(), recent_.end(), key) != recent_.end();
}

void EntryIdSet::merge() {
    std::sort(recent_.begin(), recent_.end());
    const auto middle = static_cast<std::ptrdiff_t>(sorted_.size());
    sorted_.insert(sorted_.end(), recent_.begin(), recent_.end());
    std::inplace_merge(sorted_.begin(), sorted_.begin() + middle, sorted_.end());
    recent_.clear();
}

void EntryIdSet::clear() {
    sorted_.clear();
    sorted_.shrink_to_fit();
    recent_.clear();
    others_.clear();
}

}  // namespace ledgerbridge::csv
