// Per-connection refresh counters: see RefreshCounts.h.
#include "ledgerbridge/oauth/RefreshCounts.h"

#include <map>
#include <mutex>

namespace ledgerbridge::oauth {
namespace {

std::mutex& countsMutex() {
    static std::mutex m;
    return m;
}
std::map<std::string, RefreshCounts>& counts() {
    static std::map<std::string, RefreshCounts> c;
    return c;
}

}  // namespace

void countRefresh(const std::string& connection, bool ok) {
    std::lock_guard<std::mutex> guard(countsMutex());
    auto& c = counts()[connection];
    ++(ok ? c.ok : c.failed);
}

RefreshCounts refreshCounts(const std::string& connection) {
    std::lock_guard<std::mutex> guard(countsMutex());
    const auto it = counts().find(connection);
    return it == counts().end() ? RefreshCounts{} : it->second;
}

}  // namespace ledgerbridge::oauth
