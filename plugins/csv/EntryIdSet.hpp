// The entry ids a job's CSV file holds, kept compact: a large job's file holds 100,000 ids or
// more, and the plugin keeps the set for the whole session. Pleo's accountingEntryIds are UUIDs,
// stored exactly as their 16 bytes in a sorted array (plus a small unsorted tail merged in now
// and then) instead of one heap string and tree node each; an id of any other shape is kept as
// it is. Exact either way: no id is ever mistaken for another.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace ledgerbridge::csv {

class EntryIdSet {
public:
    void insert(const std::string& id);
    bool contains(const std::string& id) const;
    void clear();
    std::size_t size() const { return sorted_.size() + recent_.size() + others_.size(); }

private:
    using Uuid = std::array<std::uint8_t, 16>;
    static bool pack(const std::string& id, Uuid& out);
    void merge();

    std::vector<Uuid> sorted_;  ///< sorted, no duplicates
    std::vector<Uuid> recent_;  ///< inserted since the last merge, unsorted, not in sorted_
    std::set<std::string> others_;
};

}  // namespace ledgerbridge::csv
