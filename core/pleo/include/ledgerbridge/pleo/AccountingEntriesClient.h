// Pleo's Accounting Entries API (accounting-entries.yml): `POST /v1/accounting-entries:search`
// with the spec's filters, read page by page (cursor pagination), and `GET
// /v1/accounting-entries/{id}`. Automatic exports use it to find entries ready to export;
// their ids go to `POST /v3/export-jobs` (ExportsClient::createJob).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

/// AccountingEntryBaseSearchRequest: the filters an integration uses. Empty lists are not sent.
struct AccountingEntrySearch {
    std::string companyId;                  ///< query `company_id` (uuid or urn:pleo:company:uuid)
    std::vector<std::string> exportStatus;  ///< ExportStatus: NOT_EXPORTED, QUEUED, ...
    std::vector<std::string> reviewStatus;  ///< ReviewStatus: OK, NOT_REQUIRED, ...
    std::vector<std::string> status;        ///< AccountingEntryStatus: COMPLETED, ...
    std::vector<std::string> families;      ///< AccountingEntryFamily: CARD_PURCHASE, ...
    bool includeDeleted = false;            ///< required by the spec, so always sent
    int pageSize = 100;                     ///< `limit`, 1..100
};

/// The fields of AccountingEntryV1 the host acts on (the full entry is read by the export
/// items API during an export).
struct AccountingEntry {
    std::string id, companyId, exportStatus, reviewStatus, status, family, performedAt;
    std::string currency;
    std::int64_t minors = 0;  ///< transactionValue in minor units
};

class AccountingEntriesClient {
public:
    explicit AccountingEntriesClient(PleoApi& api) : api_(api) {}

    /// Every matching entry across pages, or the first `max` of them (0 = all).
    std::vector<AccountingEntry> search(const AccountingEntrySearch& filter, std::size_t max = 0);
    /// GET /v1/accounting-entries/{id}; nullopt on 404.
    std::optional<AccountingEntry> get(const std::string& id);

    /// The JSON body the search sends (exposed for tests and the request conformance check).
    static std::string searchBody(const AccountingEntrySearch& filter);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
