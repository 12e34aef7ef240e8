// Reading Xero's master data page by page for the host (read_master_data): accounts, tax rates,
// tracking categories and their options from one GET each (Xero does not page them; the plugin
// pages the answer itself with a cursor on the records' ids), supplier contacts with Xero's own
// paging. If-Modified-Since carries the host's changed_since where Xero's OpenAPI declares it
// (Accounts, Contacts). Nothing is written anywhere.
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

#include "XeroApi.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::xero {

class XeroMasterData {
public:
    XeroMasterData(const sdk::Host& host, XeroApi& api) : host_(host), api_(api) {}

    /// One page of `request.kind`. Throws sdk::Error: LB_ERR_TARGET (401/403 with what to do,
    /// another status, an answer that cannot be read, a rate limit that does not pass),
    /// LB_ERR_INVALID_ARGUMENT (a cursor this plugin did not give, a bad changed_since, page size
    /// 0), LB_ERR_UNSUPPORTED (a kind Xero does not have).
    sdk::MasterDataPage read(const sdk::MasterDataRequest& request);

    /// Xero's largest page of contacts (pageSize); the host's page size is capped to it.
    static constexpr std::size_t kMaxContactsPage = 1000;

private:
    /// Accounts, tax codes, dimensions, dimension values: the whole list from Xero (kept for
    /// the next pages of the same listing), served in id order after the cursor's id.
    sdk::MasterDataPage fromWholeList(const sdk::MasterDataRequest& request);
    std::vector<sdk::MasterRecord> fetchWholeList(sdk::MasterKind kind, const std::string& changedSince);
    sdk::MasterDataPage suppliers(const sdk::MasterDataRequest& request);

    /// GET base_url + pathAndQuery with If-Modified-Since when `changedSince` is set; the parsed
    /// answer (numbers kept as text), or nullptr for 304 Not Modified.
    Poco::JSON::Object::Ptr getJson(const std::string& what, const std::string& pathAndQuery,
                                    const std::string& changedSince);

    struct Listing {
        sdk::MasterKind kind;
        std::string changedSince;
        std::vector<sdk::MasterRecord> records;  ///< sorted by id
    };

    const sdk::Host& host_;
    XeroApi& api_;
    std::optional<Listing> listing_;  ///< the last whole list read, for the pages after the first
};

}  // namespace ledgerbridge::xero
