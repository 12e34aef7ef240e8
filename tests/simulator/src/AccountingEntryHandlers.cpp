// Handlers of /v1/accounting-entries...
#include "AccountingEntryHandlers.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <set>

#include "Auth.h"
#include "Cursor.h"
#include "Ids.h"

namespace lbsim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxSearchLimit = 100;  // "Never returns more than 100 items"

// The filters of AccountingEntryBaseSearchRequest the simulator applies; any other filter that
// is present and not empty is refused by name rather than silently ignored.
const std::set<std::string> kApplied = {"exportStatus", "reviewStatus", "status", "families", "employeeIds",
                                        "includeDeleted"};
const std::set<std::string> kKnown = {"accountIds", "bookkeepingDateEnd", "bookkeepingDateStart", "employeeIds",
                                      "exportStatus", "families", "foreignExtensionIds", "hasAccount",
                                      "hasBookkeepingDate", "hasNote", "includeDeleted", "performedAtEnd",
                                      "performedAtStart", "reviewStatus", "settled", "settledAtEnd", "settledAtStart",
                                      "status", "subFamilies", "tagGroupIdsUnset", "tagRowIds", "taxCodeIds",
                                      "teamIds", "transactionValueCurrencies"};

std::set<std::string> enumList(const Object::Ptr& body, const std::string& name, const std::vector<std::string>& allowed) {
    std::set<std::string> out;
    if (!body->has(name) || body->isNull(name)) return out;
    Array::Ptr arr = body->getArray(name);
    if (!arr) throw ApiError(400, "INVALID_REQUEST_BODY", "'" + name + "' must be an array.");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        Poco::Dynamic::Var v = arr->get(static_cast<unsigned>(i));
        std::string text = v.isString() ? v.extract<std::string>() : std::string();
        if (std::find(allowed.begin(), allowed.end(), text) == allowed.end())
            throw ApiError(400, "INVALID_REQUEST_BODY",
                           "'" + name + "[" + std::to_string(i) + "]' is not one of the spec's values: '" + v.toString() + "'.");
        out.insert(text);
    }
    return out;
}

bool nonEmpty(const Object::Ptr& body, const std::string& name) {
    if (!body->has(name) || body->isNull(name)) return false;
    Poco::Dynamic::Var v = body->get(name);
    if (Array::Ptr a = body->getArray(name)) return a->size() > 0;
    return true;
}

Object::Ptr moneyOf(const Object::Ptr& pairSide) {
    Object::Ptr m = new Object;
    m->set("currency", pairSide->getValue<std::string>("currency"));
    m->set("minors", pairSide->getValue<Poco::Int64>("value"));
    return m;
}

}  // namespace

std::string familyOf(const std::string& t) {
    if (t == "invoice") return "BILL_INVOICE";
    if (t == "out_of_pocket") return "OUT_OF_POCKET";
    if (t == "mileage") return "MILEAGE";
    if (t == "per_diem") return "PER_DIEM";
    return "CARD_PURCHASE";  // card_purchase and refund (a card purchase's money coming back)
}

Object::Ptr accountingEntryJson(SimState& s, const ItemRef& ref, const Job* active, bool core) {
    const Company& co = s.catalog.companies().at(static_cast<std::size_t>(ref.company));
    auto noFile = [](const ItemRef&, const std::string&) { return std::string(); };
    Object::Ptr item = s.generator.item(ref, "", noFile);
    const std::string type = item->getValue<std::string>("type");
    const std::string id = item->getValue<std::string>("accountingEntryId");
    const std::string date = item->getValue<std::string>("date");
    Object::Ptr o = new Object;
    o->set("id", id);
    o->set("companyId", co.id);
    o->set("createdAt", date);
    o->set("updatedAt", date);
    o->set("performedAt", date);
    o->set("bookkeepingDate", date);
    o->set("settledAt", date);
    o->set("exportStatus", s.entries.exportStatus(s.jobs, active, ref.company, ref.index));
    o->set("reviewStatus", s.entries.reviewStatus(ref.company, ref.index));
    o->set("status", "COMPLETED");
    o->set("family", familyOf(type));
    if (type == "card_purchase") o->set("subFamily", "ONLINE");
    if (type == "out_of_pocket") o->set("subFamily", "REIMBURSEMENT_TO_EMPLOYEE");
    Object::Ptr amount = item->getObject("amount");
    o->set("transactionValue", moneyOf(amount->getObject("inSupplierCurrency")));
    o->set("totalBillValue", moneyOf(amount->getObject("inWalletCurrency")));
    if (core) {
        o->set("transactionWalletValue", moneyOf(amount->getObject("inWalletCurrency")));
        o->set("fees", Object::Ptr(new Object));
    }
    Array::Ptr lines = item->getArray("accountingEntryLines");
    Object::Ptr first = lines->getObject(0);
    if (Object::Ptr acc = first->getObject("account")) {
        o->set("accountId", acc->getValue<std::string>("id"));
        o->set("accountCode", acc->getValue<std::string>("code"));
    } else {
        o->set("accountId", "00000000-0000-0000-0000-000000000000");  // the spec's "I don't know"
    }
    o->set("taxCodeId", first->getObject("tax")->getValue<std::string>("id"));
    o->set("employeeId", item->getObject("user")->getValue<std::string>("id"));
    o->set("teamId", item->getObject("team")->getValue<std::string>("id"));
    if (!item->isNull("note")) o->set("note", item->getValue<std::string>("note"));
    Array::Ptr receipts = new Array;
    std::uint64_t h = hashString(id);
    if (type != "mileage" && type != "per_diem") receipts->add(uuidFrom(h, mix64(h ^ 0xEC1E17ULL)));
    o->set("receiptIds", receipts);
    if (!core) {
        Array::Ptr tags = new Array;
        for (std::size_t i = 0; i < lines->size(); ++i) {
            Array::Ptr lt = lines->getObject(static_cast<unsigned>(i))->getArray("tags");
            for (std::size_t k = 0; k < lt->size(); ++k) {
                Object::Ptr t = lt->getObject(static_cast<unsigned>(k));
                Object::Ptr tag = new Object;
                tag->set("tagGroupId", s.masterData.tagGroupIdOf(ref.company, t->getValue<std::string>("groupCode")));
                tag->set("tagId", t->getValue<std::string>("id"));
                tags->add(tag);
            }
        }
        o->set("tags", tags);
        o->set("attendees", Array::Ptr(new Array));
        o->set("splitItems", Array::Ptr(new Array));
    }
    return o;
}

Reply searchAccountingEntries(SimState& s, const Request& req, bool core) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "accounting-entries:read");
    if (req.has("organization_id") && !req.has("company_id"))
        throw ApiError(400, "INVALID_REQUEST",
                       "organization_id is not supported by the simulator (a credential belongs to one company); use company_id.");
    checkCompanyParam(s, p, req.param("company_id"));
    PageRequest page = parsePageRequest(req, {"company_id", "organization_id"});
    if (req.has("limit") && page.limit > kMaxSearchLimit)
        throw ApiError(400, "INVALID_LIMIT", "limit must be between 1 and 100.");
    if (!req.has("limit")) page.limit = 20;  // the operation's own default
    for (const auto& k : req.params("sorting_keys"))
        if (k != "settledAt" && k != "performedAt" && k != "id" && k != "bookkeepingDate")
            throw ApiError(400, "INVALID_SORTING_KEY", "Unknown sorting key '" + k + "'.");
    for (const auto& o : req.params("sorting_order"))
        if (o.rfind("ASC", 0) != 0)
            throw ApiError(400, "UNSUPPORTED_SORTING_ORDER",
                           "The simulator lists entries in ascending catalogue order only; sorting_order '" + o + "' is not supported.");
    Object::Ptr body = new Object;
    if (!req.body.empty()) {
        Poco::Dynamic::Var v = parseJsonBody(req.body);
        if (v.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
        body = v.extract<Object::Ptr>();
    }
    for (const auto& name : body->getNames()) {
        if (!kKnown.count(name)) throw ApiError(400, "INVALID_REQUEST_BODY", "Unknown search field '" + name + "'.");
        if (!kApplied.count(name) && nonEmpty(body, name))
            throw ApiError(400, "UNSUPPORTED_FILTER",
                           "The simulator does not apply the filter '" + name + "'; see tests/simulator/README.md.");
    }
    if (body->has("includeDeleted") && !body->isNull("includeDeleted") && !body->get("includeDeleted").isBoolean())
        throw ApiError(400, "INVALID_REQUEST_BODY", "'includeDeleted' must be a boolean.");
    const auto exportFilter = enumList(body, "exportStatus", exportStatuses());
    const auto reviewFilter = enumList(body, "reviewStatus", reviewStatuses());
    const auto statusFilter = enumList(body, "status", entryStatuses());
    const auto familyFilter = enumList(body, "families", entryFamilies());
    std::set<std::string> employeeFilter;
    if (nonEmpty(body, "employeeIds")) {
        Array::Ptr a = body->getArray("employeeIds");
        if (!a) throw ApiError(400, "INVALID_REQUEST_BODY", "'employeeIds' must be an array of UUIDs.");
        for (std::size_t i = 0; i < a->size(); ++i) employeeFilter.insert(a->get(static_cast<unsigned>(i)).toString());
    }

    s.jobs.expire(s.clock.now());
    const Job* active = s.jobs.active(p.company);
    const std::uint64_t n = s.generator.itemsPerCompany();
    std::vector<std::uint32_t> rows;
    for (std::uint64_t i = 0; i < n; ++i) {
        const ItemRef ref{p.company, i};
        if (!statusFilter.empty() && !statusFilter.count("COMPLETED")) break;  // every simulated entry is COMPLETED
        if (!reviewFilter.empty() && !reviewFilter.count(s.entries.reviewStatus(p.company, i))) continue;
        if (!exportFilter.empty() && !exportFilter.count(s.entries.exportStatus(s.jobs, active, p.company, i))) continue;
        if (!familyFilter.empty() && !familyFilter.count(familyOf(s.generator.type(ref)))) continue;
        if (!employeeFilter.empty()) {
            auto noFile = [](const ItemRef&, const std::string&) { return std::string(); };
            if (!employeeFilter.count(s.generator.item(ref, "", noFile)->getObject("user")->getValue<std::string>("id")))
                continue;
        }
        rows.push_back(static_cast<std::uint32_t>(i));
    }
    auto key = [&](std::size_t i) -> std::uint64_t { return rows[i]; };
    PageSlice slice = slicePage(page, rows.size(), key);
    Array::Ptr data = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i)
        data->add(accountingEntryJson(s, {p.company, rows[i]}, active, core));
    Object::Ptr out = new Object;
    out->set("data", data);
    out->set("pagination", pageInfo(page, slice, rows.size(), key));
    Reply r = jsonReply(200, out);
    if (core) r.headers.emplace_back("Deprecation", "true");  // deprecated: true in accounting-entries.yml
    return r;
}

Reply getAccountingEntry(SimState& s, const Request& req, const std::string& entryId) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "accounting-entries:read");
    if (!isUuid(entryId)) throw ApiError(400, "INVALID_ACCOUNTING_ENTRY_ID", "The accounting entry id must be a UUID.");
    if (req.has("include_deleted") && req.param("include_deleted") != "true" && req.param("include_deleted") != "false")
        throw ApiError(400, "INVALID_REQUEST", "include_deleted must be true or false.");
    auto ref = s.generator.parse(entryId);
    if (!ref || ref->company != p.company)
        throw ApiError(404, "ACCOUNTING_ENTRY_NOT_FOUND", "Accounting entry " + entryId + " not found.");
    s.jobs.expire(s.clock.now());
    Object::Ptr out = new Object;
    out->set("data", accountingEntryJson(s, *ref, s.jobs.active(p.company), false));
    return jsonReply(200, out);
}

}  // namespace lbsim
