// One kind of Pleo master data behind one interface, in PleoForm: list what Pleo holds,
// create, update, archive — each with the API's own mechanism (core/pleo's clients):
//
//   tax codes   POST/PUT /v0/tax-codes, archive = PUT archived:true
//   accounts    POST /v1/chart-of-accounts/batch (up to 1000 per request), PUT, archive = PUT archived:true
//   tag groups  POST/PUT /v0/tag-groups, archive = PUT archived:true
//   tags        POST /v0/tag-groups/{id}/tags, PUT /v0/tags/{id}, archive = POST /v0/tags/archive (100 per request)
//   vendors     POST/PUT /v1/vendors, archive = POST /v1/vendors/{id}:archive
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledgerbridge/masterdata/PleoForm.h"
#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::masterdata {

class PleoKind {
public:
    virtual ~PleoKind() = default;
    /// Every record of the kind Pleo holds, archived ones included.
    virtual std::vector<PleoForm> list() = 0;

    /// What happened to one record of a createMany.
    struct CreateResult {
        std::string key;
        std::optional<PleoForm> created;  ///< set when Pleo created it
        bool exists = false;              ///< Pleo says the key is taken (409, EXTERNAL_ID_ALREADY_EXISTS)
        std::string refusal;              ///< otherwise: Pleo's reason
    };
    /// Creates `desired` (none archived); calls `done` for each. The default sends one create
    /// per record; a 409 is `exists`, another 4xx a refusal; other failures throw.
    virtual void createMany(const std::vector<PleoForm>& desired, const std::function<void(const CreateResult&)>& done);
    /// Updates `current` (read from Pleo) to `desired`, archived flag included.
    virtual PleoForm update(const PleoForm& current, const PleoForm& desired) = 0;
    /// Archives `current` records (fields unchanged).
    virtual void archive(const std::vector<PleoForm>& current) = 0;

protected:
    virtual PleoForm create(const PleoForm& desired) = 0;
};

/// The kind's adapter on `api` for `companyId`.
std::unique_ptr<PleoKind> pleoKind(sdk::MasterKind kind, pleo::PleoApi& api, const std::string& companyId);

/// A Pleo 4xx answer that names a problem with the record (not auth, not rate, not a 404 of
/// the endpoint): the record is refused, the sync goes on.
bool isRecordRefusal(int status);

}  // namespace ledgerbridge::masterdata
