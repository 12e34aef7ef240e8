// Pleo's external vendors (vendors.yml): the ERP's suppliers. Search with pagination
// (`POST /v1/vendors:search?company_id=…`), create, update, archive
// (`POST /v1/vendors/{id}:archive`). The internal CSV import endpoints are not used.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

/// VendorCreateRequest / VendorUpdateRequest without the company.
struct VendorInput {
    std::string name;
    std::string defaultCurrency;  ///< ISO 4217, required
    std::string externalId;       ///< the ERP's supplier id; required on update
    std::string code, country, registrationNumber, taxRegistrationNumber;  ///< optional
    std::string state;            ///< VendorState on update: DRAFT, ACTIVE, ARCHIVED
};

/// VendorResponse.
struct Vendor {
    std::string id, companyId, name, defaultCurrency, externalId, code, country, registrationNumber, taxRegistrationNumber,
        state;
};

class VendorsClient {
public:
    explicit VendorsClient(PleoApi& api) : api_(api) {}

    /// POST /v1/vendors:search over all pages; `states` empty = every state.
    std::vector<Vendor> search(const std::string& companyId, const std::vector<std::string>& states = {});
    /// POST /v1/vendors (201). 409: a vendor with this external id exists.
    Vendor create(const std::string& companyId, const VendorInput& input);
    /// PUT /v1/vendors/{id}: externalId and state are required by the spec.
    Vendor update(const std::string& companyId, const std::string& vendorId, const VendorInput& input);
    /// POST /v1/vendors/{id}:archive (204). False when Pleo does not know the vendor (404).
    bool archive(const std::string& vendorId);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
