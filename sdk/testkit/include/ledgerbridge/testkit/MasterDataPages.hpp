// Reading one kind of master data through a real plugin, page by page, as the host does: every
// record of every page in order, with the number of pages, failing (not looping) when a plugin
// hands back more pages than records could fill.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "ledgerbridge/host.hpp"

namespace ledgerbridge::testkit {

struct MasterDataPages {
    std::vector<sdk::MasterRecord> records;
    std::size_t pages = 0;
};

/// Every page of `kind` at `pageSize`; throws sdk::CallFailed as the plugin does, and
/// std::runtime_error after `maxPages` pages.
inline MasterDataPages readAllMasterData(sdk::PluginClient& client, sdk::MasterKind kind, std::size_t pageSize,
                                         std::size_t maxPages = 100000) {
    MasterDataPages out;
    sdk::MasterDataRequest request;
    request.kind = kind;
    request.pageSize = pageSize;
    do {
        if (out.pages++ == maxPages)
            throw std::runtime_error("more than " + std::to_string(maxPages) + " pages of " + sdk::masterKindName(kind));
        sdk::MasterDataPage page = client.readMasterData(request);
        if (page.records.size() > pageSize)
            throw std::runtime_error("a page of " + std::to_string(page.records.size()) + " records at page size " +
                                     std::to_string(pageSize));
        out.records.insert(out.records.end(), page.records.begin(), page.records.end());
        request.cursor = page.nextCursor;
    } while (!request.cursor.empty());
    return out;
}

}  // namespace ledgerbridge::testkit
