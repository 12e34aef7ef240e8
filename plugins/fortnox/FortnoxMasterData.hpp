// Fortnox master data (ABI 1.1), read with Fortnox's page/limit paging (MetaInformation's
// @TotalPages tells where it ends): accounts (/3/accounts), cost centres and projects as two
// dimensions with their values (/3/costcenters, /3/projects), suppliers (/3/suppliers). Tax
// codes are unsupported: the API documents no list of VAT codes (README.md, "Master data").
// Cursors are "<resource>:<page>:<limit>", so a cursor continues with the limit it began with.
#pragma once

#include "FortnoxApi.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::fortnox {

class FortnoxMasterData {
public:
    explicit FortnoxMasterData(FortnoxApi& api) : api_(api) {}
    sdk::MasterDataPage read(const sdk::MasterDataRequest& request);

private:
    FortnoxApi& api_;
};

/// The type of a BAS account by its class (first digit): 1 asset, 20 equity, 2 liability,
/// 3 revenue, 4-7 expense, 8 other (financial items), anything else other.
std::string basAccountType(const std::string& number);

}  // namespace ledgerbridge::fortnox
