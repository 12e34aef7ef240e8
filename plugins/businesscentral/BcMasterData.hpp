// Business Central master data, read with $top/$skip (cursor: the decimal offset of the next
// record): accounts (G/L accounts), taxGroups (as tax codes), dimensions, dimensionValues and
// vendors. Each record carries BC's own id (a GUID, stable across renames).
#pragma once

#include "BcApi.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::businesscentral {

/// One page of `request.kind`. Throws sdk::Error: LB_ERR_UNSUPPORTED for a kind BC does not
/// have here, LB_ERR_INVALID_ARGUMENT for a cursor this plugin never gave, LB_ERR_TARGET for a
/// failed call or an answer without the fields a record needs.
sdk::MasterDataPage readBcMasterData(BcApi& api, const sdk::MasterDataRequest& request);

/// account category (v2.0: Assets, Liabilities, Equity, Income, CostOfGoodsSold, Expense) ->
/// the SDK's account type.
std::string accountTypeOf(const std::string& category);

}  // namespace ledgerbridge::businesscentral
