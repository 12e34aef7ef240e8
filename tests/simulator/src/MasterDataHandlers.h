// Pleo's master-data APIs as an integration uses them: chart of accounts (accounts.yml, v1),
// tax codes (tax-codes.yml), tag groups (tag-groups.yml), tags (tags.yml), vendors (vendors.yml).
// Create / read / update / archive / delete / search with the spec's required fields, company
// scoping, duplicate checks (409) and cursor pagination.
#pragma once

#include <string>
#include <vector>

#include "Http.h"
#include "State.h"

namespace lbsim {

/// Dispatches a master-data request; `routeName` gets the spec's path template. Throws
/// ApiError 404 when no master-data operation matches.
Reply routeMasterData(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName);

/// GET /admin/companies/{id}/master-data: every record of the company, by kind. Caller holds s.mutex.
Reply adminMasterData(SimState& s, int company);

}  // namespace lbsim
