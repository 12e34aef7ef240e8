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

/// What `POST /v1/chart-of-accounts/batch` answered: the accounts it created, and each refused
/// item with Pleo's reasons (EXTERNAL_ID_ALREADY_EXISTS, NAME_TOO_LONG, ...).
struct AccountBatchResult {
    struct Failed {
        std::string externalId;
        std::vector<std::string> reasons;
    };
    std::vector<Account> created;
    std::vector<Failed> failed;
};

class ChartOfAccountsClient {
public:
    explicit ChartOfAccountsClient(PleoApi& api) : api_(api) {}

    /// POST /v1/chart-of-accounts:search over all pages. `archived` unset = both.
    std::vector<Account> search(const std::string& companyId, std::optional<bool> archived = std::nullopt);
    /// POST /v1/chart-of-accounts. A 409 (the external id exists) is an HttpStatusError with status 409.
    Account create(const std::string& companyId, const AccountInput& input);
    /// POST /v1/chart-of-accounts/batch: 1 to 1000 accounts in one request (not retried, like
    /// create: a lost answer shows as EXTERNAL_ID_ALREADY_EXISTS on the next attempt).
    AccountBatchResult createBatch(const std::string& companyId, const std::vector<AccountInput>& inputs);
    static constexpr std::size_t kMaxBatch = 1000;
    /// PUT /v1/chart-of-accounts/{id}.
    Account update(const std::string& accountId, const AccountInput& input);
    /// Update with archived = true, keeping the other fields.
    Account archive(const Account& account);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
