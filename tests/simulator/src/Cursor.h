// Cursor pagination as Pleo's spec defines it: `before`/`after` cursors (base32, matching
// ^[A-Z2-7=~]+$), `offset` and `limit`, mutually exclusive positioning, and the CursorPageInfo
// block. A cursor names the stable key of a row (job sequence, position in a job), not a page
// number, so updates between page reads never skip or repeat rows.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "Http.h"

namespace lbsim {

std::string encodeCursor(std::uint64_t key);
/// Throws ApiError 400 INVALID_CURSOR when `cursor` is not one of ours.
std::uint64_t decodeCursor(const std::string& cursor);

struct PageRequest {
    std::optional<std::uint64_t> before, after, offset;
    std::string beforeText, afterText;
    std::size_t limit = 50;
    std::map<std::string, std::vector<std::string>> parameters;  // the filters, echoed back
    std::vector<std::string> sortingKeys, sortingOrder;
};

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 1000;

/// Reads before/after/offset/limit/sorting_*; `filters` are the query names echoed as
/// parameters. Throws ApiError 400 when before/after/offset are combined or malformed.
PageRequest parsePageRequest(const Request& req, const std::vector<std::string>& filters);

struct PageSlice {
    std::size_t begin = 0, end = 0;  // [begin, end) indexes into the ordered rows
    bool hasPrevious = false, hasNext = false;
};

/// Picks the rows of the page. `keyAt(i)` is the strictly increasing key of row i of `count`.
PageSlice slicePage(const PageRequest& req, std::size_t count, const std::function<std::uint64_t(std::size_t)>& keyAt);

/// The CursorPageInfo object for the slice.
Poco::JSON::Object::Ptr pageInfo(const PageRequest& req, const PageSlice& slice, std::size_t total,
                                 const std::function<std::uint64_t(std::size_t)>& keyAt);

}  // namespace lbsim
