// Pleo's chart of accounts: see ChartOfAccountsClient.h.
#include "ledgerbridge/pleo/ChartOfAccountsClient.h"

#include <Poco/JSON/Array.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Object;

namespace {

Account read(const Object::Ptr& o, const std::string& what) {
    Account a;
    a.id = json::str(o, "id", what);
    a.companyId = json::str(o, "companyId", what);
    a.externalId = json::str(o, "externalId", what);
    a.name = json::str(o, "name", what);
    a.code = json::optStr(o, "code", what);
    a.taxCodeExternalId = json::optStr(o, "taxCodeExternalId", what);
    a.archived = json::boolean(o, "archived", what);
    return a;
}

void common(Object& body, const AccountInput& in) {
    body.set("archived", in.archived);
    if (!in.code.empty()) body.set("code", in.code);
    body.set("name", in.name);
    if (!in.taxCodeExternalId.empty()) body.set("taxCodeExternalId", in.taxCodeExternalId);
}

void requireName(const AccountInput& in, const std::string& what) {
    if (in.name.empty()) throw UsageError("internal: " + what + " needs the account's name (external id '" + in.externalId + "').");
}

}  // namespace

std::vector<Account> ChartOfAccountsClient::search(const std::string& companyId, std::optional<bool> archived) {
    const std::string what = "POST /v1/chart-of-accounts:search";
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    if (archived) body.set("archived", *archived);
    body.set("companyId", companyUuid(companyId));
    body.set("excludeIfAssignedToCategory", false);
    body.set("excludeIfAssignedToContraAccount", false);
    const std::string text = json::stringify(body);
    std::vector<Account> out;
    PleoApi::paginate(
        what,
        [&](const std::string& cursor) {
            std::string q = "/v1/chart-of-accounts:search?limit=100";
            if (!cursor.empty()) q += "&after=" + json::enc(cursor);
            return api_.expect("POST", q, text, {200}, true);
        },
        [&](const Object::Ptr& item) {
            out.push_back(read(item, what));
            return true;
        });
    return out;
}

Account ChartOfAccountsClient::create(const std::string& companyId, const AccountInput& in) {
    const std::string what = "POST /v1/chart-of-accounts";
    requireName(in, what);
    if (in.externalId.empty()) throw UsageError("internal: " + what + " needs the account's external id ('" + in.name + "').");
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    common(body, in);
    body.set("companyId", companyUuid(companyId));
    body.set("externalId", in.externalId);
    // Not idempotent: a retried create after a lost answer meets 409 for the external id.
    return read(json::data(api_.expect("POST", "/v1/chart-of-accounts", json::stringify(body), {200, 201}, false), what), what);
}

AccountBatchResult ChartOfAccountsClient::createBatch(const std::string& companyId, const std::vector<AccountInput>& inputs) {
    const std::string what = "POST /v1/chart-of-accounts/batch";
    if (inputs.empty() || inputs.size() > kMaxBatch)
        throw UsageError("internal: " + what + " takes 1 to 1000 accounts, not " + std::to_string(inputs.size()) + ".");
    Poco::JSON::Array items;
    for (const AccountInput& in : inputs) {
        requireName(in, what);
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        common(*item, in);
        item->set("externalId", in.externalId);
        items.add(item);
    }
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("companyId", companyUuid(companyId));
    body.set("items", items);
    Object::Ptr data = json::data(api_.expect("POST", "/v1/chart-of-accounts/batch", json::stringify(body), {200, 201}, false), what);
    AccountBatchResult out;
    for (const auto& o : json::objects(data, "created", what)) out.created.push_back(read(o, what));
    for (const auto& o : json::objects(data, "failed", what)) {
        AccountBatchResult::Failed f;
        Object::Ptr request = o->getObject("request");
        if (!request) throw ProtocolError(what + ": a failed item has no 'request'");
        f.externalId = json::optStr(request, "externalId", what);
        Poco::JSON::Array::Ptr reasons = o->getArray("reasons");
        for (std::size_t i = 0; reasons && i < reasons->size(); ++i) f.reasons.push_back(reasons->getElement<std::string>(static_cast<unsigned>(i)));
        out.failed.push_back(std::move(f));
    }
    return out;
}

Account ChartOfAccountsClient::update(const std::string& accountId, const AccountInput& in) {
    const std::string what = "PUT /v1/chart-of-accounts/" + accountId;
    requireName(in, what);
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    common(body, in);
    return read(json::data(api_.expect("PUT", "/v1/chart-of-accounts/" + json::enc(accountId), json::stringify(body), {200}), what),
                what);
}

Account ChartOfAccountsClient::archive(const Account& a) {
    return update(a.id, AccountInput{a.externalId, a.name, a.code, a.taxCodeExternalId, true});
}

}  // namespace ledgerbridge::pleo
