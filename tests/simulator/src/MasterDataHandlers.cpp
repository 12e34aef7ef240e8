// Handlers of /v1/chart-of-accounts, /v0/tax-codes, /v0/tag-groups, /v0/tags, /v1/vendors.
#include "MasterDataHandlers.h"

#include <Poco/JSON/Array.h>

#include <set>

#include "Auth.h"
#include "Cursor.h"
#include "Ids.h"

namespace lbsim {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr body(const Request& req) {
    if (req.body.empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "A JSON body is required.");
    Var v = parseJsonBody(req.body);
    if (v.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    return v.extract<Object::Ptr>();
}

Object::Ptr optionalBody(const Request& req) { return req.body.empty() ? Object::Ptr(new Object) : body(req); }

// The spec's `required` list: every missing one is named in one 400.
void requireFields(const Object::Ptr& o, const std::vector<std::string>& names) {
    std::string missing;
    for (const auto& n : names)
        if (!o->has(n) || o->isNull(n)) missing += (missing.empty() ? "" : ", ") + n;
    if (!missing.empty()) throw ApiError(400, "MISSING_REQUIRED_FIELDS", "Missing required field(s): " + missing + ".");
}

void requireType(const Object::Ptr& o, const std::string& name, const std::string& type) {
    if (!o->has(name) || o->isNull(name)) return;
    Var v = o->get(name);
    bool ok = type == "string" ? v.isString() : type == "boolean" ? v.isBoolean() : type == "number" ? v.isNumeric() && !v.isBoolean() && !v.isString()
                                                                                    : type == "object" ? v.type() == typeid(Object::Ptr) : true;
    if (!ok) throw ApiError(400, "INVALID_REQUEST_BODY", "'" + name + "' must be a " + type + ".");
}

void requireEnum(const Object::Ptr& o, const std::string& name, const std::set<std::string>& values) {
    if (!o->has(name) || o->isNull(name)) return;
    std::string v = o->get(name).toString();
    if (!values.count(v)) throw ApiError(400, "INVALID_REQUEST_BODY", "'" + name + "' has an unknown value '" + v + "'.");
}

// companyId in a body (or company_id in the query) must be the caller's company.
void ownCompany(SimState& s, const Principal& p, const std::string& companyId) {
    if (companyId.empty()) return;
    if (!isUuid(companyId)) throw ApiError(400, "INVALID_REQUEST_BODY", "companyId must be a UUID.");
    const Company* c = s.catalog.byId(companyId);
    if (!c || c->index != p.company) throw ApiError(403, "FORBIDDEN", "The credential is not valid for this company.");
}

const std::string& companyIdOf(SimState& s, int company) { return s.catalog.companies().at(static_cast<std::size_t>(company)).id; }

Reply data(int status, const Object::Ptr& o) {
    Object::Ptr out = new Object;
    out->set("data", o);
    return jsonReply(status, out);
}

Reply noContent() {
    Reply r;
    r.status = 204;
    r.contentType = "";
    return r;
}

// Copies the listed fields present in `from` onto `to`.
void copy(const Object::Ptr& from, Object::Ptr to, const std::vector<std::string>& fields) {
    for (const auto& f : fields)
        if (from->has(f)) to->set(f, from->get(f));
}

Reply page(const Request& req, const std::vector<Record*>& rows, const std::vector<std::string>& filters) {
    PageRequest pr = parsePageRequest(req, filters);
    auto key = [&](std::size_t i) { return rows[i]->seq; };
    PageSlice slice = slicePage(pr, rows.size(), key);
    Array::Ptr arr = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i) arr->add(rows[i]->json);
    Object::Ptr out = new Object;
    out->set("data", arr);
    out->set("pagination", pageInfo(pr, slice, rows.size(), key));
    return jsonReply(200, out);
}

Record& existing(SimState& s, Kind k, const Principal& p, const std::string& id, const std::string& what) {
    Record* r = isUuid(id) ? s.masterData.find(k, p.company, id) : nullptr;
    if (!r) throw ApiError(404, "NOT_FOUND", what + " " + id + " not found.");
    return *r;
}

std::set<std::string> stringSet(const Object::Ptr& o, const std::string& name) {
    std::set<std::string> out;
    if (!o->has(name) || o->isNull(name)) return out;
    Array::Ptr a = o->getArray(name);
    if (!a) throw ApiError(400, "INVALID_REQUEST_BODY", "'" + name + "' must be an array.");
    for (std::size_t i = 0; i < a->size(); ++i) out.insert(a->get(static_cast<unsigned>(i)).toString());
    return out;
}

bool matches(const Object::Ptr& filter, const std::string& fname, const Object::Ptr& rec, const std::string& field) {
    if (!filter->has(fname) || filter->isNull(fname)) return true;
    return rec->has(field) && !rec->isNull(field) && rec->get(field).toString() == filter->get(fname).toString();
}

bool inSet(const std::set<std::string>& set, const Object::Ptr& rec, const std::string& field) {
    return set.empty() || (rec->has(field) && !rec->isNull(field) && set.count(rec->get(field).toString()));
}

std::string now(SimState& s) { return isoTime(s.clock.now()); }

// ---- chart of accounts (v1) ----
const std::vector<std::string> kAccountFields = {"archived", "code", "externalId", "metadata", "name", "taxCodeExternalId"};

void checkAccount(const Object::Ptr& b) {
    for (const auto& f : {"code", "externalId", "name", "taxCodeExternalId", "companyId"}) requireType(b, f, "string");
    requireType(b, "archived", "boolean");
    requireType(b, "metadata", "object");
}

Reply accounts(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    const std::string& m = req.method;
    if (seg.size() == 2 && seg[1] == "chart-of-accounts" && m == "POST") {
        routeName = "POST /v1/chart-of-accounts";
        Principal p = authenticate(s, req, "chart-of-accounts:write");
        Object::Ptr b = body(req);
        requireFields(b, {"archived", "companyId", "externalId", "name"});
        checkAccount(b);
        ownCompany(s, p, stringField(b, "companyId"));
        if (s.masterData.findBy(Kind::Account, p.company, "externalId", stringField(b, "externalId")))
            throw ApiError(409, "ACCOUNT_ALREADY_EXISTS", "An account with externalId '" + stringField(b, "externalId") + "' exists.");
        if (s.masterData.findBy(Kind::Account, p.company, "code", stringField(b, "code")))
            throw ApiError(409, "ACCOUNT_CODE_ALREADY_EXISTS", "An account with code '" + stringField(b, "code") + "' exists.");
        Object::Ptr o = new Object;
        o->set("companyId", companyIdOf(s, p.company));
        copy(b, o, kAccountFields);
        return data(201, s.masterData.add(Kind::Account, p.company, o).json);
    }
    if (seg.size() == 2 && seg[1] == "chart-of-accounts:search" && m == "POST") {
        routeName = "POST /v1/chart-of-accounts:search";
        Principal p = authenticate(s, req, "chart-of-accounts:read");
        Object::Ptr b = body(req);
        requireFields(b, {"companyId", "excludeIfAssignedToCategory", "excludeIfAssignedToContraAccount"});
        ownCompany(s, p, stringField(b, "companyId"));
        auto codes = stringSet(b, "codes"), ids = stringSet(b, "ids");
        auto rows = s.masterData.list(Kind::Account, p.company, [&](const Object::Ptr& r) {
            return matches(b, "archived", r, "archived") && matches(b, "code", r, "code") &&
                   matches(b, "externalId", r, "externalId") && matches(b, "name", r, "name") && inSet(codes, r, "code") &&
                   inSet(ids, r, "id");
        });
        return page(req, rows, {});
    }
    if (seg.size() == 3 && seg[1] == "chart-of-accounts") {
        routeName = m + " /v1/chart-of-accounts/{accountId}";
        Principal p = authenticate(s, req, m == "GET" ? "chart-of-accounts:read" : "chart-of-accounts:write");
        Record& r = existing(s, Kind::Account, p, seg[2], "Account");
        if (m == "GET") return data(200, r.json);
        if (m == "DELETE") {
            s.masterData.remove(Kind::Account, p.company, seg[2]);
            return noContent();
        }
        if (m == "PUT") {
            Object::Ptr b = body(req);
            requireFields(b, {"archived", "name"});
            checkAccount(b);
            const std::string id = r.json->getValue<std::string>("id");
            if (s.masterData.findBy(Kind::Account, p.company, "code", stringField(b, "code"), id))
                throw ApiError(409, "ACCOUNT_CODE_ALREADY_EXISTS", "Another account has code '" + stringField(b, "code") + "'.");
            copy(b, r.json, {"archived", "code", "metadata", "name", "taxCodeExternalId"});
            return data(200, r.json);
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

// ---- tax codes (v0) ----
const std::set<std::string> kTaxTypes = {"inclusive", "exclusive", "reverse"};

void checkTaxCode(const Object::Ptr& b) {
    requireFields(b, {"archived", "companyId", "name", "rate", "type"});
    for (const auto& f : {"code", "companyId", "name", "ingoingTaxAccount", "outgoingTaxAccount"}) requireType(b, f, "string");
    requireType(b, "archived", "boolean");
    requireType(b, "rate", "number");
    requireEnum(b, "type", kTaxTypes);
    // The rate is a fraction (0.25 = 25 %); compare it as text so no float decides validity.
    std::string rate = b->get("rate").toString();
    if (rate.empty() || rate[0] == '-') throw ApiError(400, "INVALID_TAX_RATE", "rate must be between 0 and 1, got " + rate + ".");
    if (rate[0] != '0' && !(rate == "1" || rate == "1.0"))
        throw ApiError(400, "INVALID_TAX_RATE", "rate must be between 0 and 1 (0.25 is 25 %), got " + rate + ".");
}

Reply taxCodes(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    const std::string& m = req.method;
    const std::vector<std::string> fields = {"archived", "code", "ingoingTaxAccount", "name", "outgoingTaxAccount", "rate", "type"};
    if (seg.size() == 2 && seg[1] == "tax-codes" && m == "POST") {
        routeName = "POST /v0/tax-codes";
        Principal p = authenticate(s, req, "tax-codes:write");
        Object::Ptr b = body(req);
        checkTaxCode(b);
        ownCompany(s, p, stringField(b, "companyId"));
        if (s.masterData.findBy(Kind::TaxCode, p.company, "code", stringField(b, "code")))
            throw ApiError(409, "TAX_CODE_ALREADY_EXISTS", "A tax code with code '" + stringField(b, "code") + "' exists.");
        Object::Ptr o = new Object;
        o->set("companyId", companyIdOf(s, p.company));
        copy(b, o, fields);
        o->set("createdAt", now(s));
        o->set("updatedAt", now(s));
        return data(201, s.masterData.add(Kind::TaxCode, p.company, o).json);
    }
    if (seg.size() == 2 && seg[1] == "tax-codes:search" && m == "POST") {
        routeName = "POST /v0/tax-codes:search";
        Principal p = authenticate(s, req, "tax-codes:read");
        checkCompanyParam(s, p, req.param("company_id"));
        Object::Ptr b = optionalBody(req);
        requireEnum(b, "type", kTaxTypes);
        auto ids = stringSet(b, "taxCodeIds");
        auto rows = s.masterData.list(Kind::TaxCode, p.company, [&](const Object::Ptr& r) {
            return matches(b, "archived", r, "archived") && matches(b, "code", r, "code") && matches(b, "type", r, "type") &&
                   inSet(ids, r, "id");
        });
        return page(req, rows, {"company_id"});
    }
    if (seg.size() == 3 && seg[1] == "tax-codes") {
        routeName = m + " /v0/tax-codes/{taxCodeId}";
        Principal p = authenticate(s, req, m == "GET" ? "tax-codes:read" : "tax-codes:write");
        Record& r = existing(s, Kind::TaxCode, p, seg[2], "Tax code");
        if (m == "GET") return data(200, r.json);
        if (m == "DELETE") {
            s.masterData.remove(Kind::TaxCode, p.company, seg[2]);
            return noContent();
        }
        if (m == "PUT") {
            Object::Ptr b = body(req);
            checkTaxCode(b);
            ownCompany(s, p, stringField(b, "companyId"));
            if (s.masterData.findBy(Kind::TaxCode, p.company, "code", stringField(b, "code"), r.json->getValue<std::string>("id")))
                throw ApiError(409, "TAX_CODE_ALREADY_EXISTS", "Another tax code has code '" + stringField(b, "code") + "'.");
            copy(b, r.json, fields);
            r.json->set("updatedAt", now(s));
            return data(200, r.json);
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

// ---- tag groups and tags (v0) ----
Object::Ptr tagGroupOut(SimState& s, int company, const Record& g) {
    Object::Ptr o = new Object(*g.json);
    const std::string id = g.json->getValue<std::string>("id");
    o->set("totalTagsCount", static_cast<Poco::Int64>(
                                 s.masterData.list(Kind::Tag, company, [&](const Object::Ptr& t) {
                                     return t->getValue<std::string>("groupId") == id;
                                 }).size()));
    return o;
}

void checkTagGroup(const Object::Ptr& b, bool update) {
    requireFields(b, update ? std::vector<std::string>{"archived", "code", "metadata", "name"}
                            : std::vector<std::string>{"archived", "code", "name"});
    requireType(b, "code", "string");
    requireType(b, "name", "string");
    requireType(b, "archived", "boolean");
    requireType(b, "metadata", "object");
    if (stringField(b, "code").empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "'code' must not be empty.");
}

void checkTag(const Object::Ptr& b) {
    requireFields(b, {"archived", "code"});
    requireType(b, "code", "string");
    requireType(b, "name", "string");
    requireType(b, "archived", "boolean");
    if (stringField(b, "code").empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "'code' must not be empty.");
}

Record* tagInGroup(SimState& s, int company, const std::string& groupId, const std::string& code, const std::string& exceptId) {
    for (Record* r : s.masterData.list(Kind::Tag, company, nullptr))
        if (r->json->getValue<std::string>("groupId") == groupId && r->json->getValue<std::string>("code") == code &&
            r->json->getValue<std::string>("id") != exceptId)
            return r;
    return nullptr;
}

Reply tags(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    const std::string& m = req.method;
    const bool write = m != "GET";
    if (seg[1] == "tag-groups") {
        if (seg.size() == 2) {
            routeName = m + " /v0/tag-groups";
            Principal p = authenticate(s, req, write ? "tags:write" : "tags:read");
            checkCompanyParam(s, p, req.param("company_id"));
            if (m == "GET") {
                const bool archived = req.param("include_archived") == "true";
                Array::Ptr arr = new Array;
                for (Record* g : s.masterData.list(Kind::TagGroup, p.company, nullptr))
                    if (archived || !g->json->getValue<bool>("archived")) arr->add(tagGroupOut(s, p.company, *g));
                Object::Ptr out = new Object;
                out->set("data", arr);
                return jsonReply(200, out);
            }
            if (m == "POST") {
                Object::Ptr b = body(req);
                checkTagGroup(b, false);
                if (s.masterData.findBy(Kind::TagGroup, p.company, "code", stringField(b, "code")))
                    throw ApiError(409, "TAG_GROUP_ALREADY_EXISTS", "A tag group with code '" + stringField(b, "code") + "' exists.");
                Object::Ptr o = new Object;
                o->set("companyId", companyIdOf(s, p.company));
                o->set("metadata", Object::Ptr(new Object));
                copy(b, o, {"archived", "code", "metadata", "name"});
                o->set("createdAt", now(s));
                o->set("updatedAt", now(s));
                Record& g = s.masterData.add(Kind::TagGroup, p.company, o);
                return data(201, tagGroupOut(s, p.company, g));
            }
        }
        if (seg.size() == 3) {
            routeName = m + " /v0/tag-groups/{groupId}";
            Principal p = authenticate(s, req, write ? "tags:write" : "tags:read");
            Record& g = existing(s, Kind::TagGroup, p, seg[2], "Tag group");
            if (m == "GET") return data(200, tagGroupOut(s, p.company, g));
            if (m == "DELETE") {
                const std::string id = g.json->getValue<std::string>("id");
                for (Record* t : s.masterData.list(Kind::Tag, p.company, [&](const Object::Ptr& t) {
                         return t->getValue<std::string>("groupId") == id;
                     }))
                    s.masterData.remove(Kind::Tag, p.company, t->json->getValue<std::string>("id"));
                s.masterData.remove(Kind::TagGroup, p.company, id);
                return noContent();
            }
            if (m == "PUT") {
                Object::Ptr b = body(req);
                checkTagGroup(b, true);
                if (s.masterData.findBy(Kind::TagGroup, p.company, "code", stringField(b, "code"), g.json->getValue<std::string>("id")))
                    throw ApiError(409, "TAG_GROUP_ALREADY_EXISTS", "Another tag group has code '" + stringField(b, "code") + "'.");
                copy(b, g.json, {"archived", "code", "metadata", "name"});
                g.json->set("updatedAt", now(s));
                return data(200, tagGroupOut(s, p.company, g));
            }
        }
        if (seg.size() == 4 && seg[3] == "tags") {
            routeName = m + " /v0/tag-groups/{groupId}/tags";
            Principal p = authenticate(s, req, write ? "tags:write" : "tags:read");
            Record& g = existing(s, Kind::TagGroup, p, seg[2], "Tag group");
            const std::string gid = g.json->getValue<std::string>("id");
            if (m == "GET") {
                const bool archived = req.param("include_archived") == "true";
                auto rows = s.masterData.list(Kind::Tag, p.company, [&](const Object::Ptr& t) {
                    return t->getValue<std::string>("groupId") == gid && (archived || !t->getValue<bool>("archived"));
                });
                return page(req, rows, {"include_archived"});
            }
            if (m == "POST") {
                Object::Ptr b = body(req);
                checkTag(b);
                if (tagInGroup(s, p.company, gid, stringField(b, "code"), ""))
                    throw ApiError(409, "TAG_ALREADY_EXISTS", "The group already has a tag with code '" + stringField(b, "code") + "'.");
                Object::Ptr o = new Object;
                o->set("groupId", gid);
                copy(b, o, {"archived", "code", "name"});
                o->set("createdAt", now(s));
                o->set("updatedAt", now(s));
                return data(201, s.masterData.add(Kind::Tag, p.company, o).json);
            }
        }
    }
    if (seg[1] == "tags:search" && seg.size() == 2 && m == "POST") {
        routeName = "POST /v0/tags:search";
        Principal p = authenticate(s, req, "tags:read");
        checkCompanyParam(s, p, req.param("company_id"));
        Object::Ptr b = optionalBody(req);
        auto groups = stringSet(b, "tagGroupIds"), ids = stringSet(b, "tagIds");
        const bool includeArchived = b->has("includeArchived") && b->get("includeArchived").isBoolean() && b->getValue<bool>("includeArchived");
        const std::string text = stringField(b, "textSearch");
        auto rows = s.masterData.list(Kind::Tag, p.company, [&](const Object::Ptr& t) {
            if (!includeArchived && !b->has("archived") && t->getValue<bool>("archived")) return false;
            if (!matches(b, "archived", t, "archived")) return false;
            if (!text.empty() && t->getValue<std::string>("code").find(text) == std::string::npos &&
                (!t->has("name") || t->get("name").toString().find(text) == std::string::npos))
                return false;
            return inSet(groups, t, "groupId") && inSet(ids, t, "id");
        });
        return page(req, rows, {"company_id"});
    }
    if (seg[1] == "tags" && seg.size() == 3 && seg[2] == "archive" && m == "POST") {
        routeName = "POST /v0/tags/archive";
        Principal p = authenticate(s, req, "tags:write");
        Object::Ptr b = body(req);
        requireFields(b, {"archived", "companyId", "tagIds"});
        requireType(b, "archived", "boolean");
        ownCompany(s, p, stringField(b, "companyId"));
        std::vector<Record*> hit;
        for (const auto& id : stringSet(b, "tagIds")) hit.push_back(&existing(s, Kind::Tag, p, id, "Tag"));
        Array::Ptr arr = new Array;
        for (Record* r : hit) {
            r->json->set("archived", b->getValue<bool>("archived"));
            r->json->set("updatedAt", now(s));
            arr->add(r->json);
        }
        Object::Ptr out = new Object;
        out->set("data", arr);
        return jsonReply(200, out);
    }
    if (seg[1] == "tags" && seg.size() == 3) {
        routeName = m + " /v0/tags/{tagId}";
        Principal p = authenticate(s, req, write ? "tags:write" : "tags:read");
        Record& t = existing(s, Kind::Tag, p, seg[2], "Tag");
        if (m == "GET") return data(200, t.json);
        if (m == "DELETE") {
            s.masterData.remove(Kind::Tag, p.company, seg[2]);
            return noContent();
        }
        if (m == "PUT") {
            Object::Ptr b = body(req);
            checkTag(b);
            if (tagInGroup(s, p.company, t.json->getValue<std::string>("groupId"), stringField(b, "code"), t.json->getValue<std::string>("id")))
                throw ApiError(409, "TAG_ALREADY_EXISTS", "The group already has a tag with code '" + stringField(b, "code") + "'.");
            copy(b, t.json, {"archived", "code", "name"});
            t.json->set("updatedAt", now(s));
            return data(200, t.json);
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

// ---- vendors (v1) ----
const std::set<std::string> kVendorStates = {"DRAFT", "ACTIVE", "ARCHIVED"};
const std::vector<std::string> kVendorFields = {"code", "country", "defaultCurrency", "externalId", "name",
                                                "registrationNumber", "taxRegistrationNumber"};

void checkVendor(const Object::Ptr& b) {
    for (const auto& f : kVendorFields) requireType(b, f, "string");
    const std::string cur = stringField(b, "defaultCurrency");
    if (b->has("defaultCurrency") && (cur.size() != 3 || !std::isupper(static_cast<unsigned char>(cur[0]))))
        throw ApiError(400, "INVALID_REQUEST_BODY", "'defaultCurrency' must be an ISO 4217 code, got '" + cur + "'.");
    const std::string country = stringField(b, "country");
    if (b->has("country") && country.size() != 2 && country != "UNDEFINED")
        throw ApiError(400, "INVALID_REQUEST_BODY", "'country' must be an ISO 3166-1 alpha-2 code, got '" + country + "'.");
}

Reply vendors(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    const std::string& m = req.method;
    if (seg.size() == 2 && seg[1] == "vendors" && m == "POST") {
        routeName = "POST /v1/vendors";
        Principal p = authenticate(s, req, "vendors:write");
        Object::Ptr b = body(req);
        requireFields(b, {"companyId", "defaultCurrency", "name"});
        checkVendor(b);
        ownCompany(s, p, stringField(b, "companyId"));
        if (s.masterData.findBy(Kind::Vendor, p.company, "externalId", stringField(b, "externalId")))
            throw ApiError(409, "VENDOR_ALREADY_EXISTS", "A vendor with externalId '" + stringField(b, "externalId") + "' exists.");
        Object::Ptr o = new Object;
        o->set("companyId", companyIdOf(s, p.company));
        copy(b, o, kVendorFields);
        // A vendor created with its ERP id is in sync; without one it still has to be created there.
        o->set("state", stringField(b, "externalId").empty() ? "DRAFT" : "ACTIVE");
        o->set("createdAt", now(s));
        o->set("updatedAt", now(s));
        return data(201, s.masterData.add(Kind::Vendor, p.company, o).json);
    }
    if (seg.size() == 2 && seg[1] == "vendors:search" && m == "POST") {
        routeName = "POST /v1/vendors:search";
        Principal p = authenticate(s, req, "vendors:read");
        if (!req.has("company_id")) throw ApiError(400, "INVALID_REQUEST", "company_id is required.");
        checkCompanyParam(s, p, req.param("company_id"));
        Object::Ptr b = optionalBody(req);
        auto ids = stringSet(b, "ids"), codes = stringSet(b, "codes"), ext = stringSet(b, "externalIds"),
             states = stringSet(b, "states"), countries = stringSet(b, "countries");
        for (const auto& st : states)
            if (!kVendorStates.count(st)) throw ApiError(400, "INVALID_REQUEST_BODY", "Unknown vendor state '" + st + "'.");
        const std::string name = stringField(b, "name");
        auto rows = s.masterData.list(Kind::Vendor, p.company, [&](const Object::Ptr& v) {
            return inSet(ids, v, "id") && inSet(codes, v, "code") && inSet(ext, v, "externalId") && inSet(states, v, "state") &&
                   inSet(countries, v, "country") && (name.empty() || v->getValue<std::string>("name").find(name) != std::string::npos);
        });
        return page(req, rows, {"company_id"});
    }
    if (seg.size() == 3 && seg[1] == "vendors") {
        const std::string& last = seg[2];
        const auto colon = last.find(':');
        const std::string id = last.substr(0, colon), action = colon == std::string::npos ? "" : last.substr(colon + 1);
        routeName = m + " /v1/vendors/{id}" + (action.empty() ? "" : ":" + action);
        Principal p = authenticate(s, req, m == "GET" ? "vendors:read" : "vendors:write");
        Record& v = existing(s, Kind::Vendor, p, id, "Vendor");
        if (action.empty() && m == "GET") return data(200, v.json);
        if (action.empty() && m == "PUT") {
            Object::Ptr b = body(req);
            requireFields(b, {"companyId", "defaultCurrency", "externalId", "name", "state"});
            checkVendor(b);
            requireEnum(b, "state", kVendorStates);
            ownCompany(s, p, stringField(b, "companyId"));
            if (s.masterData.findBy(Kind::Vendor, p.company, "externalId", stringField(b, "externalId"), v.json->getValue<std::string>("id")))
                throw ApiError(409, "VENDOR_ALREADY_EXISTS", "Another vendor has externalId '" + stringField(b, "externalId") + "'.");
            copy(b, v.json, kVendorFields);
            v.json->set("state", stringField(b, "state"));
            v.json->set("updatedAt", now(s));
            return data(200, v.json);
        }
        if (action == "activate" && m == "POST") {
            Object::Ptr b = body(req);
            requireFields(b, {"externalId"});
            requireType(b, "externalId", "string");
            requireType(b, "code", "string");
            copy(b, v.json, {"externalId", "code"});
            v.json->set("state", "ACTIVE");
            v.json->set("updatedAt", now(s));
            return noContent();
        }
        if (action == "archive" && m == "POST") {
            v.json->set("state", "ARCHIVED");
            v.json->set("updatedAt", now(s));
            return noContent();
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

}  // namespace

Reply routeMasterData(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (seg.size() >= 2 && seg[0] == "v1" && seg[1].rfind("chart-of-accounts", 0) == 0) return accounts(s, req, seg, routeName);
    if (seg.size() >= 2 && seg[0] == "v0" && seg[1].rfind("tax-codes", 0) == 0) return taxCodes(s, req, seg, routeName);
    if (seg.size() >= 2 && seg[0] == "v0" && (seg[1] == "tag-groups" || seg[1].rfind("tags", 0) == 0)) return tags(s, req, seg, routeName);
    if (seg.size() >= 2 && seg[0] == "v1" && seg[1].rfind("vendors", 0) == 0) return vendors(s, req, seg, routeName);
    throw ApiError(404, "NOT_FOUND", "No API route " + req.method + " " + req.path + ".");
}

Reply adminMasterData(SimState& s, int company) {
    Object::Ptr out = new Object;
    out->set("companyId", companyIdOf(s, company));
    for (Kind k : {Kind::Account, Kind::TaxCode, Kind::TagGroup, Kind::Tag, Kind::Vendor}) {
        Array::Ptr arr = new Array;
        for (Record* r : s.masterData.list(k, company, nullptr)) arr->add(r->json);
        out->set(kindName(k), arr);
    }
    return jsonReply(200, out);
}

}  // namespace lbsim
