// Pleo's tax codes (tax-codes.yml): search with pagination, create, update, archive (an update
// with `archived: true`; DELETE would remove a code expenses may use).
//
// The rate is a JSON number in the spec. It is a percentage, not money, but it decides tax
// amounts, so the host keeps it as decimal text ("25", "12.5"): it is checked to be a plain
// decimal and written into the body verbatim, never through a binary double. Rates read back
// are Pleo's number as text.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

/// TaxCodeCreateUpdateModel without the company.
struct TaxCodeInput {
    std::string name;
    std::string rate;  ///< decimal text, e.g. "25" or "12.5"
    std::string type;  ///< TaxCodeTypeModel: inclusive, exclusive, reverse
    std::string code, ingoingTaxAccount, outgoingTaxAccount;  ///< optional
    bool archived = false;
};

/// TaxCodeModel.
struct TaxCode {
    std::string id, companyId, name, rate, type, code, ingoingTaxAccount, outgoingTaxAccount;
    bool archived = false;
};

class TaxCodesClient {
public:
    explicit TaxCodesClient(PleoApi& api) : api_(api) {}

    /// POST /v0/tax-codes:search?company_id=… over all pages.
    std::vector<TaxCode> search(const std::string& companyId);
    /// POST /v0/tax-codes.
    TaxCode create(const std::string& companyId, const TaxCodeInput& input);
    /// PUT /v0/tax-codes/{id}.
    TaxCode update(const std::string& companyId, const std::string& taxCodeId, const TaxCodeInput& input);
    TaxCode archive(const TaxCode& taxCode);

    /// The request body (exposed for tests): throws UsageError for a rate that is not a plain
    /// decimal or a type outside the spec's enum.
    static std::string body(const std::string& companyId, const TaxCodeInput& input);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
