// Pleo's chart of accounts (accounts.yml, the `v1` API; `v1-beta` is not used): search with
// pagination, create, update, archive. Pleo has no archive call for accounts: archiving is an
// update with `archived: true` (DELETE would remove an account expenses may already use).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

/// BookkeepingAccountCreateRequestV1 / UpdateRequestV1 without the company (given separately).
struct AccountInput {
    std::string externalId;         ///< the ERP's id; required on create, not updatable
    std::string name;
    std::string code;               ///< optional
    std::string taxCodeExternalId;  ///< optional
    bool archived = false;
};

/// BookkeepingAccountRestModelV1.
struct Account {
    std::string id, companyId, externalId, name, code, taxCodeExternalId;
    bool archived = false;
};

class ChartOfAccountsClient {
public:
    explicit ChartOfAccountsClient(PleoApi& api) : api_(api) {}

    /// POST /v1/chart-of-accounts:search over all pages. `archived` unset = both.
    std::vector<Account> search(const std::string& companyId, std::optional<bool> archived = std::nullopt);
    /// POST /v1/chart-of-accounts. A 409 (the external id exists) is an HttpStatusError with status 409.
    Account create(const std::string& companyId, const AccountInput& input);
    /// PUT /v1/chart-of-accounts/{id}.
    Account update(const std::string& accountId, const AccountInput& input);
    /// Update with archived = true, keeping the other fields.
    Account archive(const Account& account);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
