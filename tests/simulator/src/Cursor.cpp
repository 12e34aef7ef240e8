// Base32 cursors and page slicing.
#include "Cursor.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <iterator>
#include <cstring>

namespace lbsim {

namespace {
const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string base32(const std::string& raw) {
    std::string out;
    std::size_t i = 0;
    while (i < raw.size()) {
        std::uint64_t buf = 0;
        std::size_t n = std::min<std::size_t>(5, raw.size() - i);
        for (std::size_t j = 0; j < 5; ++j)
            buf = (buf << 8) | (j < n ? static_cast<unsigned char>(raw[i + j]) : 0U);
        static const std::size_t chars[] = {0, 2, 4, 5, 7, 8};
        for (std::size_t j = 0; j < 8; ++j)
            out += j < chars[n] ? kAlphabet[(buf >> (35 - 5 * j)) & 31] : '=';
        i += n;
    }
    return out;
}

std::string unbase32(const std::string& text) {
    std::string out;
    std::uint64_t buf = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        const char* p = std::strchr(kAlphabet, c);
        if (c == '\0' || !p) throw ApiError(400, "INVALID_CURSOR", "The cursor is not base32.");
        buf = (buf << 5) | static_cast<std::uint64_t>(p - kAlphabet);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xFF);
        }
    }
    return out;
}

std::uint64_t parseUnsigned(const std::string& name, const std::string& v) {
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(400, "INVALID_PAGINATION", "The parameter '" + name + "' must be a whole number >= 0.");
    return std::stoull(v);
}
}  // namespace

std::string encodeCursor(std::uint64_t key) { return base32("k:" + std::to_string(key)); }

std::uint64_t decodeCursor(const std::string& cursor) {
    if (cursor.empty() || cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=~") != std::string::npos)
        throw ApiError(400, "INVALID_CURSOR", "The cursor must match ^[A-Z2-7=~]+$.");
    std::string raw = unbase32(cursor);
    if (raw.size() < 3 || raw.compare(0, 2, "k:") != 0 || raw.find_first_not_of("0123456789", 2) != std::string::npos ||
        raw.size() > 20)
        throw ApiError(400, "INVALID_CURSOR", "The cursor was not issued by this API.");
    return std::stoull(raw.substr(2));
}

PageRequest parsePageRequest(const Request& req, const std::vector<std::string>& filters) {
    PageRequest p;
    int positioning = (req.has("before") ? 1 : 0) + (req.has("after") ? 1 : 0) + (req.has("offset") ? 1 : 0);
    if (positioning > 1)
        throw ApiError(400, "INVALID_PAGINATION", "Use only one of 'before', 'after' and 'offset' in one request.");
    if (req.has("before")) {
        p.beforeText = req.param("before");
        p.before = decodeCursor(p.beforeText);
    }
    if (req.has("after")) {
        p.afterText = req.param("after");
        p.after = decodeCursor(p.afterText);
    }
    if (req.has("offset")) p.offset = parseUnsigned("offset", req.param("offset"));
    if (req.has("limit")) p.limit = static_cast<std::size_t>(std::min<std::uint64_t>(parseUnsigned("limit", req.param("limit")), kMaxLimit));
    p.sortingKeys = req.params("sorting_keys");
    p.sortingOrder = req.params("sorting_order");
    static const char* const kOrders[] = {"ASC", "ASC_NULLS_FIRST", "ASC_NULLS_LAST", "DESC", "DESC_NULLS_FIRST", "DESC_NULLS_LAST"};
    for (const auto& o : p.sortingOrder)
        if (std::find(std::begin(kOrders), std::end(kOrders), o) == std::end(kOrders))
            throw ApiError(400, "INVALID_PAGINATION", "sorting_order '" + o + "' is not one of the spec's PageOrder values.");
    if (p.sortingOrder.size() > 0 && p.sortingOrder.size() != p.sortingKeys.size())
        throw ApiError(400, "INVALID_PAGINATION", "'sorting_order' must have one entry per 'sorting_keys' entry.");
    for (const auto& f : filters) {
        auto values = req.params(f);
        if (!values.empty()) p.parameters[f] = values;
    }
    return p;
}

PageSlice slicePage(const PageRequest& req, std::size_t count, const std::function<std::uint64_t(std::size_t)>& keyAt) {
    // First index whose key is > k (or >= k), by binary search over increasing keys.
    auto lowerBound = [&](std::uint64_t k, bool strict) {
        std::size_t lo = 0, hi = count;
        while (lo < hi) {
            std::size_t mid = lo + (hi - lo) / 2;
            std::uint64_t v = keyAt(mid);
            if (strict ? v <= k : v < k) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
    PageSlice s;
    if (req.before) {
        s.end = lowerBound(*req.before, false);
        s.begin = s.end > req.limit ? s.end - req.limit : 0;
    } else {
        s.begin = req.after ? lowerBound(*req.after, true) : std::min<std::size_t>(req.offset.value_or(0), count);
        s.end = std::min(count, s.begin + req.limit);
    }
    s.hasPrevious = s.begin > 0;
    s.hasNext = s.end < count;
    return s;
}

Poco::JSON::Object::Ptr pageInfo(const PageRequest& req, const PageSlice& slice, std::size_t total,
                                 const std::function<std::uint64_t(std::size_t)>& keyAt) {
    Poco::JSON::Object::Ptr info = new Poco::JSON::Object;
    info->set("hasNextPage", slice.hasNext);
    info->set("hasPreviousPage", slice.hasPrevious);
    if (slice.end > slice.begin) {
        info->set("startCursor", encodeCursor(keyAt(slice.begin)));
        info->set("endCursor", encodeCursor(keyAt(slice.end - 1)));
    }
    info->set("total", static_cast<Poco::Int64>(total));
    Poco::JSON::Object::Ptr cur = new Poco::JSON::Object;
    if (req.before) cur->set("before", req.beforeText);
    if (req.after) cur->set("after", req.afterText);
    if (req.offset) cur->set("offset", static_cast<Poco::Int64>(*req.offset));
    cur->set("limit", static_cast<int>(req.limit));
    Poco::JSON::Object::Ptr params = new Poco::JSON::Object;
    for (const auto& kv : req.parameters) {
        Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
        for (const auto& v : kv.second) a->add(v);
        params->set(kv.first, a);
    }
    cur->set("parameters", params);
    Poco::JSON::Array::Ptr keys = new Poco::JSON::Array, orders = new Poco::JSON::Array;
    for (const auto& k : req.sortingKeys) keys->add(k);
    for (const auto& o : req.sortingOrder) orders->add(o);
    cur->set("sortingKeys", keys);
    cur->set("sortingOrder", orders);
    info->set("currentRequestPagination", cur);
    return info;
}

}  // namespace lbsim
