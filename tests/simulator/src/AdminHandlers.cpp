// Admin routes: companies, jobs, API keys, clients, tokens and grants, faults, clock, webhooks,
// counters, reset.
#include "AdminHandlers.h"

#include <Poco/JSON/Array.h>

#include <map>

#include "AccountingEntryHandlers.h"
#include "ExportApiHandlers.h"
#include "MasterDataHandlers.h"
#include "Ids.h"

namespace lbsim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr bodyObject(const Request& req) {
    if (req.body.empty()) return new Object;
    Poco::Dynamic::Var v = parseJsonBody(req.body);
    if (v.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    return v.extract<Object::Ptr>();
}

const Company& companyArg(SimState& s, const Object::Ptr& o) {
    std::string id = stringField(o, "companyId");
    if (id.empty()) return s.catalog.companies().front();
    const Company* c = s.catalog.byId(id);
    if (!c) throw ApiError(404, "COMPANY_NOT_FOUND", "No company " + id + ".");
    return *c;
}

Poco::Int64 intField(const Object::Ptr& o, const std::string& name, Poco::Int64 dflt) {
    if (!o->has(name) || o->isNull(name)) return dflt;
    try {
        return o->getValue<Poco::Int64>(name);
    } catch (const Poco::Exception&) {
        throw ApiError(400, "INVALID_REQUEST_BODY", "'" + name + "' must be an integer.");
    }
}

Reply companies(SimState& s) {
    Array::Ptr arr = new Array;
    for (const auto& c : s.catalog.companies()) {
        Object::Ptr o = new Object;
        o->set("id", c.id);
        o->set("urn", c.urn);
        o->set("name", c.name);
        o->set("walletCurrency", c.walletCurrency);
        o->set("items", static_cast<Poco::Int64>(s.generator.itemsPerCompany()));
        Array::Ptr users = new Array;
        for (const auto& e : c.employees) users->add(e.username);
        o->set("users", users);
        Array::Ptr accounts = new Array;
        for (const auto& a : c.accounts) accounts->add(a.code);
        o->set("accountCodes", accounts);
        Array::Ptr taxes = new Array;
        for (const auto& t : c.taxCodes) taxes->add(t.code);
        o->set("taxCodes", taxes);
        arr->add(o);
    }
    Object::Ptr out = new Object;
    out->set("data", arr);
    return jsonReply(200, out);
}

Reply jobDetails(SimState& s, const Request& req, const std::string& id, bool items) {
    Job* j = s.jobs.find(id);
    if (!j) throw ApiError(404, "EXPORT_NOT_FOUND", "Export job not found.");
    if (!items) {
        Object::Ptr o = jobJson(s, *j);
        Object::Ptr counts = new Object;
        std::map<std::string, Poco::Int64> n;
        for (std::size_t i = 0; i < j->items.size(); ++i) ++n[j->itemState(i).status];
        for (const auto& kv : n) counts->set(kv.first, kv.second);
        o->set("itemCounts", counts);
        return jsonReply(200, o);
    }
    std::size_t offset = static_cast<std::size_t>(std::stoull(req.has("offset") ? req.param("offset") : "0"));
    std::size_t limit = static_cast<std::size_t>(std::stoull(req.has("limit") ? req.param("limit") : "1000"));
    Array::Ptr arr = new Array;
    for (std::size_t i = offset; i < j->items.size() && i < offset + limit; ++i) {
        ItemUpdate u = j->itemState(i);
        Object::Ptr o = new Object;
        o->set("accountingEntryId", s.generator.accountingEntryId({j->company, j->items[i]}));
        o->set("status", u.status);
        o->set("externalId", u.externalId);
        o->set("externalUrl", u.externalUrl);
        o->set("failureReasonType", u.failureReasonType);
        o->set("invalid", s.generator.isInvalid({j->company, j->items[i]}));
        arr->add(o);
    }
    Object::Ptr out = new Object;
    out->set("data", arr);
    out->set("total", static_cast<Poco::Int64>(j->items.size()));
    out->set("offset", static_cast<Poco::Int64>(offset));
    return jsonReply(200, out);
}

const Company& companyPath(SimState& s, const std::string& id) {
    const Company* c = s.catalog.byId(id);
    if (!c) throw ApiError(404, "COMPANY_NOT_FOUND", "No company " + id + ".");
    return *c;
}

// POST /admin/companies/{id}/entries {"reviewStatus": "OK", "count": N | "entryIds": [...]}:
// what reviewers approving expenses in Pleo do. `count` takes the first N entries in catalogue
// order that are neither exported nor in the running job ("ready" once approved).
Reply reviewEntries(SimState& s, const Request& req, const std::string& companyId) {
    const Company& c = companyPath(s, companyId);
    Object::Ptr o = bodyObject(req);
    std::string review = stringField(o, "reviewStatus");
    if (review.empty()) review = "OK";
    s.jobs.expire(s.clock.now());
    const Job* active = s.jobs.active(c.index);
    std::vector<std::uint64_t> picked;
    if (Array::Ptr ids = o->getArray("entryIds")) {
        for (std::size_t i = 0; i < ids->size(); ++i) {
            std::string id = ids->get(static_cast<unsigned>(i)).toString();
            auto ref = s.generator.parse(id);
            if (!ref || ref->company != c.index)
                throw ApiError(400, "ACCOUNTING_ENTRY_DOES_NOT_EXIST", "entryIds[" + std::to_string(i) + "]: no entry " + id + " in this company.");
            picked.push_back(ref->index);
        }
    } else {
        Poco::Int64 n = intField(o, "count", -1);
        for (std::uint64_t i = 0; i < s.generator.itemsPerCompany() && (n < 0 || static_cast<Poco::Int64>(picked.size()) < n); ++i)
            if (s.entries.exportStatus(s.jobs, active, c.index, i) == "NOT_EXPORTED") picked.push_back(i);
    }
    Array::Ptr out = new Array;
    for (auto i : picked) {
        s.entries.setReviewStatus(c.index, i, review);
        out->add(s.generator.accountingEntryId({c.index, i}));
    }
    Object::Ptr r = new Object;
    r->set("reviewStatus", review);
    r->set("entryIds", out);
    return jsonReply(200, r);
}

// POST /admin/companies/{id}/entries/fix {"entryIds": [...]}: an accountant corrects these
// (deliberately invalid) entries in Pleo; every later read of them, and every later export job,
// has the corrected entry (a valid account and tax code). The accounting entry id stays.
Reply fixEntries(SimState& s, const Request& req, const std::string& companyId) {
    const Company& c = companyPath(s, companyId);
    Object::Ptr o = bodyObject(req);
    Array::Ptr ids = o->getArray("entryIds");
    if (!ids || ids->size() == 0) throw ApiError(400, "INVALID_REQUEST_BODY", "entryIds: a non-empty list is required.");
    std::vector<ItemRef> refs;
    for (std::size_t i = 0; i < ids->size(); ++i) {
        const std::string id = ids->get(static_cast<unsigned>(i)).toString();
        auto ref = s.generator.parse(id);
        if (!ref || ref->company != c.index)
            throw ApiError(400, "ACCOUNTING_ENTRY_DOES_NOT_EXIST", "entryIds[" + std::to_string(i) + "]: no entry " + id + " in this company.");
        refs.push_back(*ref);
    }
    Array::Ptr out = new Array;
    for (const auto& ref : refs) {
        s.generator.markFixed(ref);
        out->add(s.generator.accountingEntryId(ref));
    }
    Object::Ptr r = new Object;
    r->set("fixed", out);
    return jsonReply(200, r);
}

// GET /admin/companies/{id}/entries: how many entries have each export and review status.
Reply entrySummary(SimState& s, const std::string& companyId) {
    const Company& c = companyPath(s, companyId);
    s.jobs.expire(s.clock.now());
    const Job* active = s.jobs.active(c.index);
    std::map<std::string, Poco::Int64> exportCounts, reviewCounts;
    for (std::uint64_t i = 0; i < s.generator.itemsPerCompany(); ++i) {
        ++exportCounts[s.entries.exportStatus(s.jobs, active, c.index, i)];
        ++reviewCounts[s.entries.reviewStatus(c.index, i)];
    }
    Object::Ptr e = new Object, r = new Object;
    for (const auto& kv : exportCounts) e->set(kv.first, kv.second);
    for (const auto& kv : reviewCounts) r->set(kv.first, kv.second);
    Object::Ptr out = new Object;
    out->set("companyId", c.id);
    out->set("total", static_cast<Poco::Int64>(s.generator.itemsPerCompany()));
    out->set("exportStatus", e);
    out->set("reviewStatus", r);
    return jsonReply(200, out);
}

Reply installations(SimState& s) {
    Array::Ptr arr = new Array;
    for (const auto& kv : s.installations.all()) {
        const Company& c = s.catalog.companies().at(static_cast<std::size_t>(kv.first.second));
        Object::Ptr o = installationJson(kv.second, c.urn);
        o->set("clientId", kv.first.first);
        o->set("companyId", c.id);
        arr->add(o);
    }
    Object::Ptr out = new Object;
    out->set("data", arr);
    return jsonReply(200, out);
}

}  // namespace

Reply handleAdmin(SimState& s, const Request& req, const std::vector<std::string>& seg) {
    const std::string& m = req.method;
    const std::string route = seg.size() > 1 ? seg[1] : "";
    if (m == "GET" && route == "counters") return jsonReply(200, s.counters.toJson());
    if (route == "faults") {
        if (m == "POST") s.faults.configure(bodyObject(req));
        return jsonReply(200, s.faults.toJson());
    }
    if (route == "webhooks" && seg.size() == 2 && m == "POST") {
        Object::Ptr o = bodyObject(req);
        std::string url = stringField(o, "url");
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            throw ApiError(400, "INVALID_REQUEST_BODY", "'url' must be an http(s) URL.");
        std::vector<std::string> events;
        if (Array::Ptr ev = o->getArray("events"))
            for (std::size_t i = 0; i < ev->size(); ++i) events.push_back(ev->getElement<std::string>(static_cast<unsigned>(i)));
        Subscription sub = s.webhooks.subscribe(url, events);
        Object::Ptr out = new Object;
        out->set("id", sub.id);
        out->set("url", sub.url);
        out->set("secret", sub.secret);
        return jsonReply(201, out);
    }
    if (route == "webhooks" && m == "GET") return jsonReply(200, s.webhooks.toJson());

    if (route == "request-violations" && m == "GET") {
        if (!s.audit) throw ApiError(409, "REQUEST_VALIDATION_OFF", "Start the simulator with --validate-requests DIR.");
        return jsonReply(200, s.audit->toJson());
    }
    std::lock_guard<std::mutex> lock(s.mutex);
    if (m == "GET" && route == "companies" && seg.size() == 2) return companies(s);
    if (m == "POST" && route == "companies" && seg.size() == 4 && seg[3] == "contra-accounts") {
        // Makes POST /v3/export-jobs and GET /v3/export-items answer 400 MISSING_CONTRA_ACCOUNTS.
        const Company* c = s.catalog.byId(seg[2]);
        if (!c) throw ApiError(404, "COMPANY_NOT_FOUND", "No company " + seg[2] + ".");
        Object::Ptr o = bodyObject(req);
        bool configured = !o->has("configured") || o->getValue<bool>("configured");
        s.contraMissing[static_cast<std::size_t>(c->index)] = !configured;
        Object::Ptr out = new Object;
        out->set("companyId", c->id);
        out->set("configured", configured);
        return jsonReply(200, out);
    }
    if (route == "companies" && seg.size() == 4 && seg[3] == "entries" && m == "POST") return reviewEntries(s, req, seg[2]);
    if (route == "companies" && seg.size() == 4 && seg[3] == "entries" && m == "GET") return entrySummary(s, seg[2]);
    if (route == "companies" && seg.size() == 5 && seg[3] == "entries" && seg[4] == "fix" && m == "POST")
        return fixEntries(s, req, seg[2]);
    if (route == "installations" && m == "GET") return installations(s);
    if (route == "companies" && seg.size() == 4 && seg[3] == "master-data" && m == "GET")
        return adminMasterData(s, companyPath(s, seg[2]).index);
    if (route == "export-jobs" && m == "POST" && seg.size() == 2) {
        // What a user clicking "Export" in Pleo does: a pending job of N (or all) ready items.
        Object::Ptr o = bodyObject(req);
        const Company& c = companyArg(s, o);
        Poco::Int64 n = intField(o, "items", -1);
        s.jobs.expire(s.clock.now());
        auto items = s.jobs.readyItems(c.index, n < 0 ? UINT64_MAX : static_cast<std::uint64_t>(n));
        bool interactive = !o->has("isInteractive") || o->getValue<bool>("isInteractive");
        bool vendorBased = o->has("vendorBasedBookkeeping") && o->getValue<bool>("vendorBasedBookkeeping");
        Job& j = createJobAndNotify(s, c.index, std::move(items), interactive, vendorBased, c.employees.front().id);
        Object::Ptr out = new Object;
        out->set("data", jobJson(s, j));
        return jsonReply(201, out);
    }
    if (route == "export-jobs" && m == "GET" && seg.size() == 2) {
        // One aggregate instead of one request per job: a benchmark watching 10,000 jobs drain
        // cost the simulator nearly as much CPU as the service it measured.
        s.jobs.expire(s.clock.now());
        std::map<std::string, Poco::Int64> byStatus;
        for (const Job* j : s.jobs.ordered()) ++byStatus[j->status];
        Object::Ptr counts = new Object;
        for (const auto& [status, n] : byStatus) counts->set(status, n);
        Object::Ptr out = new Object;
        out->set("total", static_cast<Poco::Int64>(s.jobs.ordered().size()));
        out->set("byStatus", counts);
        return jsonReply(200, out);
    }
    if (route == "export-job-starts" && m == "GET") return jsonReply(200, s.jobStarts.toJson());
    if (route == "export-jobs" && m == "GET" && seg.size() >= 3) {
        s.jobs.expire(s.clock.now());
        return jobDetails(s, req, seg[2], seg.size() == 4 && seg[3] == "items");
    }
    if (route == "api-keys" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        const Company& c = companyArg(s, o);
        std::string scope = stringField(o, "scope");
        Object::Ptr out = new Object;
        out->set("apiKey", s.tokens.mintApiKey(c.index, scope.empty() ? kAllScopes : scope));
        out->set("companyId", c.id);
        return jsonReply(201, out);
    }
    if (route == "clients" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        Client cl;
        cl.id = stringField(o, "clientId");
        cl.secret = stringField(o, "clientSecret");
        if (cl.id.empty() || cl.secret.empty())
            throw ApiError(400, "INVALID_REQUEST_BODY", "clientId and clientSecret are required.");
        if (Array::Ptr r = o->getArray("redirectUris"))
            for (std::size_t i = 0; i < r->size(); ++i) cl.redirectUris.push_back(r->getElement<std::string>(static_cast<unsigned>(i)));
        std::string scopes = stringField(o, "scopes");
        cl.scopes = splitScopes(scopes.empty() ? std::string(kAllScopes) : scopes);
        s.tokens.addClient(cl);
        Object::Ptr out = new Object;
        out->set("clientId", cl.id);
        return jsonReply(201, out);
    }
    if (route == "oauth" && seg.size() == 3 && seg[2] == "auto-approve" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        if (o->has("enabled")) s.autoApprove = o->getValue<bool>("enabled");
        if (o->has("companyId")) s.autoApproveCompany = companyArg(s, o).index;
        Object::Ptr out = new Object;
        out->set("enabled", s.autoApprove);
        out->set("companyId", s.catalog.companies().at(static_cast<std::size_t>(s.autoApproveCompany)).id);
        return jsonReply(200, out);
    }
    if (route == "tokens" && seg.size() == 3 && seg[2] == "expire" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        Object::Ptr out = new Object;
        out->set("expired", s.tokens.expireAccess(stringField(o, "token"), s.clock.now()));
        return jsonReply(200, out);
    }
    if (route == "grants" && m == "GET") {
        Array::Ptr arr = new Array;
        for (const auto& g : s.tokens.grants()) {
            Object::Ptr o = new Object;
            o->set("id", g.second.id);
            o->set("clientId", g.second.clientId);
            o->set("companyId", s.catalog.companies().at(static_cast<std::size_t>(g.second.company)).id);
            o->set("scope", g.second.scope);
            o->set("revoked", g.second.revoked);
            arr->add(o);
        }
        Object::Ptr out = new Object;
        out->set("data", arr);
        return jsonReply(200, out);
    }
    if (route == "grants" && seg.size() == 3 && seg[2] == "revoke" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        std::string grantId = stringField(o, "grantId");
        if (grantId.empty()) grantId = s.tokens.grantOf(stringField(o, "token"));
        int n = 0;
        if (grantId.empty() && !o->has("grantId") && !o->has("token")) {
            std::vector<std::string> all;
            for (const auto& g : s.tokens.grants()) all.push_back(g.first);
            for (const auto& g : all) s.tokens.revokeGrant(g), ++n;
        } else if (!grantId.empty() && s.tokens.grant(grantId)) {
            s.tokens.revokeGrant(grantId);
            n = 1;
        } else {
            throw ApiError(404, "GRANT_NOT_FOUND", "No grant for that id or token.");
        }
        Object::Ptr out = new Object;
        out->set("revoked", n);
        return jsonReply(200, out);
    }
    if (route == "clock" && seg.size() == 3 && seg[2] == "advance" && m == "POST") {
        Object::Ptr o = bodyObject(req);
        s.clock.advance(intField(o, "seconds", 0));
        Object::Ptr out = new Object;
        out->set("now", isoTime(s.clock.now()));
        return jsonReply(200, out);
    }
    if (route == "clock" && m == "GET") {
        Object::Ptr out = new Object;
        out->set("now", isoTime(s.clock.now()));
        out->set("epoch", static_cast<Poco::Int64>(s.clock.now()));
        out->set("timeScale", s.clock.scale());
        return jsonReply(200, out);
    }
    if (route == "reset" && m == "POST") {
        s.jobs.clear();
        s.jobStarts.clear();
        s.tokens.clearAll();
        registerDemoClient(s);
        s.counters.reset();
        s.webhooks.clear();
        s.autoApprove = s.options.autoApprove;
        s.autoApproveCompany = 0;
        s.contraMissing.assign(s.contraMissing.size(), false);
        s.entries.clear();
        s.generator.clearFixed();
        s.installations.clear();
        s.masterData.reset();
        if (s.audit) s.audit->clear();
        Object::Ptr out = new Object;
        out->set("reset", true);
        return jsonReply(200, out);
    }
    throw ApiError(404, "NOT_FOUND", "No admin route " + m + " " + req.path + "; see tests/simulator/README.md.");
}

}  // namespace lbsim
