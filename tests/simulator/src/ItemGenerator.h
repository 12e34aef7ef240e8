// Export items (ExportItemV3 of export-items-v3.yml) generated on demand from (seed, company,
// index): nothing is stored per item, so 1,000,000 items cost no memory. The accountingEntryId
// encodes company and index in its last 12 hex digits, so an id maps back in O(1) and is then
// checked by regenerating it.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "Catalog.h"

namespace lbsim {

struct ItemRef {
    int company;
    std::uint64_t index;
};

class ItemGenerator {
public:
    /// Makes a file URL (absolute) for receipt `kind` of item `ref`.
    using FileUrl = std::function<std::string(const ItemRef& ref, const std::string& kind)>;

    ItemGenerator(const Catalog& catalog, std::uint64_t itemsPerCompany, double invalidRate);

    std::string accountingEntryId(const ItemRef& ref) const;
    /// The item an id names, or nothing when the id is not one of ours.
    std::optional<ItemRef> parse(const std::string& accountingEntryId) const;
    /// True when the item is deliberately broken (missing account or unknown tax code) and has
    /// not been fixed since.
    bool isInvalid(const ItemRef& ref) const;
    /// What an accountant correcting an expense in Pleo does: from now on the item is generated
    /// as a valid one (its account and tax code as if it had never been broken). Thread-safe.
    void markFixed(const ItemRef& ref);
    /// Forgets every fix (admin reset).
    void clearFixed();
    /// The item's `type` (card_purchase, invoice, ...) without building the whole item.
    std::string type(const ItemRef& ref) const;
    /// The full ExportItemV3 object. `apiBase` is the scheme://host:port clients used.
    Poco::JSON::Object::Ptr item(const ItemRef& ref, const std::string& apiBase, const FileUrl& fileUrl) const;
    std::uint64_t itemsPerCompany() const { return items_; }

private:
    std::uint64_t itemSeed(const ItemRef& ref) const;
    const Catalog& catalog_;
    std::uint64_t items_;
    double invalidRate_;
    mutable std::mutex fixedMutex_;
    std::set<std::pair<int, std::uint64_t>> fixed_;
    std::atomic<bool> anyFixed_{false};  // the common case (no fixes) takes no lock
};

}  // namespace lbsim
