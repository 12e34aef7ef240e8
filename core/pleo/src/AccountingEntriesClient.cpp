// Pleo's Accounting Entries API: see AccountingEntriesClient.h.
#include "ledgerbridge/pleo/AccountingEntriesClient.h"

#include <Poco/JSON/Array.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

void setList(Object& o, const std::string& key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    Array a;
    for (const auto& v : values) a.add(v);
    o.set(key, a);
}

AccountingEntry read(const Object::Ptr& o, const std::string& what) {
    AccountingEntry e;
    e.id = json::str(o, "id", what);
    e.companyId = json::str(o, "companyId", what);
    e.exportStatus = json::str(o, "exportStatus", what);
    e.reviewStatus = json::str(o, "reviewStatus", what);
    e.status = json::str(o, "status", what);
    e.family = json::str(o, "family", what);
    e.performedAt = json::str(o, "performedAt", what);
    Object::Ptr money = o->has("transactionValue") ? o->getObject("transactionValue") : nullptr;
    if (!money) throw ProtocolError("Pleo's answer to " + what + ": entry " + e.id + " lacks 'transactionValue'.");
    e.currency = json::str(money, "currency", what);
    e.minors = json::integer(money, "minors", what);
    return e;
}

}  // namespace

std::string AccountingEntriesClient::searchBody(const AccountingEntrySearch& f) {
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    setList(body, "exportStatus", f.exportStatus);
    setList(body, "families", f.families);
    body.set("includeDeleted", f.includeDeleted);
    setList(body, "reviewStatus", f.reviewStatus);
    setList(body, "status", f.status);
    return json::stringify(body);
}

std::vector<AccountingEntry> AccountingEntriesClient::search(const AccountingEntrySearch& f, std::size_t max) {
    const std::string what = "POST /v1/accounting-entries:search";
    if (f.companyId.empty()) throw UsageError("internal: an accounting entries search needs a company id.");
    if (f.pageSize < 1 || f.pageSize > 100)
        throw UsageError("internal: accounting entries page size " + std::to_string(f.pageSize) + " is outside 1..100.");
    const std::string body = searchBody(f);
    std::vector<AccountingEntry> out;
    PleoApi::paginate(
        what,
        [&](const std::string& cursor) {
            std::string q = "/v1/accounting-entries:search?company_id=" + json::enc(companyUuid(f.companyId)) +
                            "&limit=" + std::to_string(f.pageSize);
            if (!cursor.empty()) q += "&after=" + json::enc(cursor);
            // A search changes nothing: safe to retry.
            return api_.expect("POST", q, body, {200}, true);
        },
        [&](const Object::Ptr& item) {
            out.push_back(read(item, what));
            return max == 0 || out.size() < max;
        });
    return out;
}

std::optional<AccountingEntry> AccountingEntriesClient::get(const std::string& id) {
    const std::string what = "GET /v1/accounting-entries/" + id;
    http::HttpResponse r = api_.call("GET", "/v1/accounting-entries/" + json::enc(id));
    if (r.status == 404) return std::nullopt;
    if (r.status != 200)
        throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " + json::errorSummary(r.body),
                              r.status, redact(r.body.substr(0, 500)));
    return read(json::data(json::parse(r.body, what), what), what);
}

}  // namespace ledgerbridge::pleo
