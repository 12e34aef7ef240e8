// The stateful Business Central test double: see BcDouble.hpp.
#include "BcDouble.hpp"
#include "BcDoubleAnswers.hpp"
#include "BcDoubleInvoices.hpp"
#include "BcDoubleRules.hpp"
#include "DoubleServer.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <regex>
#include <sstream>

namespace ledgerbridge::bctest {

namespace {
using Poco::JSON::Array;
using Poco::JSON::Object;

/// VAT in a VAT-inclusive amount, rounded half away from zero (what BC does with the posting
/// setup's rate; computed here independently of the plugin).
std::int64_t vatOf(std::int64_t gross, const std::string& rate) {
    const double r = std::stod(rate);
    return static_cast<std::int64_t>(std::llround(static_cast<double>(gross) * r / (100.0 + r)));
}

std::string documentFilter(const std::string& filter) { return filterValue(filter, "documentNumber"); }

Object lineJson(const BcDouble::JournalLine& l, const std::string& journalId) {
    Object o;
    o.set("@odata.etag", l.etag);
    o.set("id", l.id);
    o.set("journalId", journalId);
    o.set("accountType", l.accountType);
    o.set("accountNumber", l.accountNumber);
    o.set("postingDate", l.postingDate);
    o.set("documentNumber", l.documentNumber);
    o.set("externalDocumentNumber", l.externalDocumentNumber);
    o.set("amount", static_cast<double>(l.cents) / 100.0);
    o.set("description", l.description);
    o.set("taxCode", l.taxCode);
    return o;
}
std::int64_t steadyNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace


struct BcDouble::Impl {
    mutable std::mutex mutex;
    std::map<std::string, Company> companies;  ///< "tenant/environment/id"
    bool createOnUse = false;
    bool touchAfterRead = false;
    int throttleCount = 0, throttleSeconds = 0;
    int windowLimit = 0;      ///< limitRequests(): 0 = no window enforced
    std::int64_t windowMs = 0;
    std::vector<std::int64_t> requestTimesMs;
    std::vector<std::int64_t> accepted;  ///< arrival times of requests the window let through
    int counter = 0;
    std::vector<std::string> requests;
    std::unique_ptr<xerotest::DoubleServer> server;
    Poco::UInt16 port = 0;

    Answer route(const std::string& method, const std::string& target, const std::string& authorization,
                 const std::string& ifMatch, const std::string& body);
    Answer dispatch(const std::string& method, const std::string& target, const std::string& ifMatch,
                    const std::string& body);
    Answer batch(const std::string& apiRoot, const std::string& body);
    int batchedRequests = 0;
    std::map<std::string, int> batchedByMethod;
    Answer companyCall(Company& c, const std::string& companyId, const std::string& method, const std::string& rest,
                       const std::map<std::string, std::string>& query, const std::string& ifMatch,
                       const std::string& body);
    Answer createLine(Company& c, const std::string& journalId, const std::string& body);
    Answer post(Company& c, const std::string& journalId);
    Answer attachments(Company& c, const std::string& method, const std::string& id, const std::string& filter,
                       const std::string& ifMatch, const std::string& body);
    Answer list(const Company& c, const std::string& set, std::size_t top, std::size_t skip);
    std::string nextEtag() { return "W/\"JzQ0OzE" + std::to_string(++counter) + "Jw==\""; }
};

namespace {
class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(BcDouble::Impl& impl) : impl_(impl) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        const Answer a = impl_.route(req.getMethod(), req.getURI(), req.get("Authorization", ""),
                                     req.get("If-Match", ""), body);
        resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
        for (const auto& [k, v] : a.headers) resp.set(k, v);
        if (a.status == 204) {
            resp.setContentLength(0);
            resp.send();
            return;
        }
        resp.setContentType("application/json");
        resp.setContentLength(static_cast<std::streamsize>(a.body.size()));
        resp.send() << a.body;
    }

private:
    BcDouble::Impl& impl_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(BcDouble::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(impl_);
    }

private:
    BcDouble::Impl& impl_;
};
}  // namespace

Answer BcDouble::Impl::route(const std::string& method, const std::string& target, const std::string& authorization,
                             const std::string& ifMatch, const std::string& body) {
    std::lock_guard<std::mutex> lock(mutex);
    requests.push_back(method + " " + target);
    const std::int64_t now = steadyNowMs();
    requestTimesMs.push_back(now);
    if (windowLimit > 0) {
        // Requests BC accepted in the last windowMs (refused ones do not count against the limit).
        const auto inWindow = std::count_if(accepted.begin(), accepted.end(), [&](std::int64_t t) { return t > now - windowMs; });
        if (inWindow >= windowLimit) {
            Answer a = error(429, "Application_TooManyRequests", "Too many requests reached.");
            const std::int64_t oldest = *std::find_if(accepted.begin(), accepted.end(), [&](std::int64_t t) { return t > now - windowMs; });
            a.headers.emplace_back("Retry-After", std::to_string((oldest + windowMs - now + 999) / 1000));
            return a;
        }
        accepted.push_back(now);
    }
    if (throttleCount > 0) {
        --throttleCount;
        Answer a = error(429, "Application_TooManyRequests", "Too many requests reached.");
        a.headers.emplace_back("Retry-After", std::to_string(throttleSeconds));
        return a;
    }
    if (authorization.rfind("Bearer ", 0) != 0 || authorization.size() < 8)
        return error(401, "Authentication_InvalidCredentials", "The server has rejected the client credentials.");
    static const std::regex batchPath("^(/[^/]+/[^/]+/api/v2\\.0/)\\$batch$");
    std::smatch b;
    const std::string batchTarget = Poco::URI(target).getPath();
    if (std::regex_match(batchTarget, b, batchPath)) {
        if (method != "POST") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        return batch(b[1], body);
    }
    return dispatch(method, target, ifMatch, body);
}

// OData JSON batch: {"requests":[{"method","id","url" (relative to api/v2.0/),"headers","body"}]}
// answered {"responses":[{"id","status","body"}]}; at most 100 requests, run in order. This
// double takes GETs and POSTs with a JSON body (what the plugin batches).
Answer BcDouble::Impl::batch(const std::string& apiRoot, const std::string& body) {
    const Object::Ptr root = objectIn(body);
    const auto requestsIn = root ? root->getArray("requests") : nullptr;
    if (!requestsIn || requestsIn->size() == 0 || requestsIn->size() > 100)
        return error(400, "BadRequest", "A $batch holds 1 to 100 requests.");
    Array responses;
    for (std::size_t i = 0; i < requestsIn->size(); ++i) {
        const auto r = requestsIn->getObject(static_cast<unsigned>(i));
        const std::string m = r ? r->optValue<std::string>("method", "") : "", url = r ? r->optValue<std::string>("url", "") : "";
        if ((m != "GET" && m != "POST") || url.empty() || url[0] == '/')
            return error(400, "BadRequest", "request " + std::to_string(i) + " of the $batch");
        std::string innerBody;
        if (m == "POST") {
            const auto b = r->getObject("body");
            if (!b) return error(400, "BadRequest", "request " + std::to_string(i) + " of the $batch has no JSON body");
            std::ostringstream text;
            b->stringify(text);
            innerBody = text.str();
        }
        if (m == "GET") ++batchedRequests;
        ++batchedByMethod[m];
        const Answer a = dispatch(m, apiRoot + url, "", innerBody);
        Object one;
        one.set("id", r->optValue<std::string>("id", ""));
        one.set("status", a.status);
        if (!a.body.empty()) {
            Poco::JSON::Parser parser;
            one.set("body", parser.parse(a.body));
        }
        responses.add(one);
    }
    Object out;
    out.set("responses", responses);
    return json(200, out);
}

Answer BcDouble::Impl::dispatch(const std::string& method, const std::string& target, const std::string& ifMatch,
                                const std::string& body) {
    const Poco::URI uri(target);
    static const std::regex re("^/([^/]+)/([^/]+)/api/v2\\.0/companies\\(([0-9a-fA-F-]{36})\\)(/.*)?$");
    std::smatch m;
    const std::string path = uri.getPath();
    if (!std::regex_match(path, m, re)) return error(404, "BadRequest_NotFound", "No resource at " + path);
    const std::string key = std::string(m[1]) + "/" + std::string(m[2]) + "/" + std::string(m[3]);
    auto it = companies.find(key);
    if (it == companies.end() && createOnUse) it = companies.emplace(key, defaultCompany()).first;
    if (it == companies.end()) return error(404, "BadRequest_NotFound", "The company " + key + " does not exist.");
    std::map<std::string, std::string> query;
    for (const auto& [k, v] : uri.getQueryParameters()) query[k] = v;
    return companyCall(it->second, m[3], method, m[4], query, ifMatch, body);
}

Answer BcDouble::Impl::companyCall(Company& c, const std::string& companyId, const std::string& method,
                                   const std::string& rest,
                                   const std::map<std::string, std::string>& query, const std::string& ifMatch,
                                   const std::string& body) {
    auto q = [&](const std::string& k) { return query.count(k) ? query.at(k) : std::string(); };
    const std::size_t top = q("$top").empty() ? 100000 : std::stoul(q("$top"));
    const std::size_t skip = q("$skip").empty() ? 0 : std::stoul(q("$skip"));
    if (rest.empty() && method == "GET") {
        Object o;
        o.set("id", companyId);
        o.set("name", "CRONUS");
        return json(200, o);
    }
    static const std::regex journal("^/journals\\(([0-9a-fA-F-]{36})\\)(/journalLines(\\(([0-9a-fA-F-]{36})\\))?"
                                    "(/dimensionSetLines)?|/Microsoft\\.NAV\\.post)?$");
    std::smatch m;
    if (std::regex_match(rest, m, journal)) {
        const std::string jid = m[1];
        auto jt = c.journals.find(jid);
        if (jt == c.journals.end()) return error(404, "Internal_RecordNotFound", "The journal " + jid + " does not exist.");
        auto& lines = jt->second;
        if (m[2].length() == 0 && method == "GET") {
            Object o;
            o.set("id", jid);
            o.set("code", "LEDGERBR");
            return json(200, o);
        }
        if (std::string(m[2]) == "/Microsoft.NAV.post" && method == "POST") {
            // The description declares no request body for the action (Prism answers 415 to one).
            if (!body.empty()) return error(415, "BadRequest", "Microsoft.NAV.post takes no request body.");
            return post(c, jid);
        }
        if (m[3].length() == 0) {
            if (method == "POST") return createLine(c, jid, body);
            if (method != "GET") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
            const std::string doc = documentFilter(q("$filter"));
            Array value;
            for (const auto& l : lines)
                if (q("$filter").empty() || l.documentNumber == doc) value.add(lineJson(l, jid));
            if (touchAfterRead)
                for (auto& l : lines) l.etag = nextEtag();
            touchAfterRead = false;
            Object o;
            o.set("value", value);
            return json(200, o);
        }
        const std::string lid = m[4];
        auto lt = std::find_if(lines.begin(), lines.end(), [&](const JournalLine& l) { return l.id == lid; });
        if (lt == lines.end()) return error(404, "Internal_RecordNotFound", "The journal line " + lid + " does not exist.");
        if (m[5].length() > 0) {
            if (method != "POST") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
            const Answer a = addDimensionSetLine(c, lt->dimensions, body);
            if (a.status == 201) lt->etag = nextEtag();
            return a;
        }
        if (method == "GET") return json(200, lineJson(*lt, jid));
        if (method == "DELETE") {
            if (ifMatch.empty())
                return error(428, "Request_EntityChanged", "The If-Match header is required for this request.");
            if (ifMatch != "*" && ifMatch != lt->etag)
                return error(412, "Request_EntityChanged", "Another user has already changed the record.");
            const std::string deleted = lt->id;
            lines.erase(lt);
            const auto orphaned = std::remove_if(c.lineAttachments.begin(), c.lineAttachments.end(),
                                                 [&](const Attachment& a) { return a.parentId == deleted; });
            c.orphanedAttachments += static_cast<int>(c.lineAttachments.end() - orphaned);
            c.lineAttachments.erase(orphaned, c.lineAttachments.end());
            return {204, "", {}};
        }
        return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
    }
    if (rest.rfind("/purchaseInvoices", 0) == 0)
        return purchaseInvoiceCall(c, method, rest, q("$filter"), ifMatch, body,
                                   DoubleIds{[this] { return nextEtag(); }, [this] { return ++counter; }});
    static const std::regex attachment("^/attachments(\\(([0-9a-fA-F-]{36})\\)/attachmentContent)?$");
    if (std::regex_match(rest, m, attachment)) return attachments(c, method, m[2], q("$filter"), ifMatch, body);
    if (method != "GET") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
    if (rest == "/generalLedgerEntries") {
        const std::string doc = documentFilter(q("$filter"));
        Array value;
        std::size_t seen = 0;
        for (const auto& g : c.ledger) {
            if (!q("$filter").empty() && g.documentNumber != doc) continue;
            if (seen++ < skip || value.size() >= top) continue;
            Object o;
            o.set("id", g.id);
            o.set("entryNumber", g.entryNumber);
            o.set("postingDate", g.postingDate);
            o.set("documentNumber", g.documentNumber);
            o.set("accountNumber", g.accountNumber);
            o.set("debitAmount", g.cents > 0 ? static_cast<double>(g.cents) / 100.0 : 0.0);
            o.set("creditAmount", g.cents < 0 ? static_cast<double>(-g.cents) / 100.0 : 0.0);
            value.add(o);
        }
        Object o;
        o.set("value", value);
        return json(200, o);
    }
    return list(c, rest, top, skip);
}

/// A JSON object of the given fields, in order.
Object objectOf(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> fields) {
    Object o;
    for (const auto& [key, value] : fields) o.set(key, value);
    return o;
}

Answer BcDouble::Impl::list(const Company& c, const std::string& set, std::size_t top, std::size_t skip) {
    std::vector<Object> all;
    if (set == "/accounts")
        for (const auto& a : c.accounts)
            all.push_back(objectOf({{"id", a.id}, {"number", a.number}, {"displayName", a.displayName},
                                    {"category", a.category}, {"blocked", a.blocked}}));
    else if (set == "/taxGroups")
        for (const auto& t : c.taxGroups)
            all.push_back(objectOf({{"id", t.id}, {"code", t.code}, {"displayName", t.displayName}, {"taxType", "VAT"}}));
    else if (set == "/dimensions")
        for (const auto& d : c.dimensions)
            all.push_back(objectOf({{"id", d.id}, {"code", d.code}, {"displayName", d.displayName}}));
    else if (set == "/dimensionValues")
        for (const auto& v : c.dimensionValues)
            all.push_back(objectOf({{"id", v.id}, {"code", v.code}, {"dimensionId", v.dimensionId},
                                    {"displayName", v.displayName}}));
    else if (set == "/vendors")
        for (const auto& v : c.vendors)
            all.push_back(objectOf({{"id", v.id}, {"number", v.number}, {"displayName", v.displayName},
                                    {"taxRegistrationNumber", v.taxRegistrationNumber}, {"country", v.country},
                                    {"currencyCode", v.currencyCode}, {"blocked", v.blocked}}));
    else
        return error(404, "BadRequest_NotFound", "No resource " + set);
    Array value;
    for (std::size_t i = skip; i < all.size() && value.size() < top; ++i) value.add(all[i]);
    Object o;
    o.set("value", value);
    return json(200, o);
}

Answer BcDouble::Impl::createLine(Company& c, const std::string& jid, const std::string& body) {
    const Object::Ptr o = objectIn(body);
    if (!o) return error(400, "BadRequest", "The request body is not a JSON object.");
    JournalLine l;
    l.accountNumber = o->optValue<std::string>("accountNumber", "");
    l.accountType = o->optValue<std::string>("accountType", "G/L Account");
    if (l.accountType == "Vendor") {
        if (auto refused = vendorRefusal(c, l.accountNumber)) return *refused;
    } else if (l.accountType != "G/L Account") {
        return error(400, "BadRequest", "this double takes accountType 'G/L Account' or 'Vendor'");
    } else if (auto refused = accountRefusal(c, l.accountNumber)) {
        return *refused;
    }
    l.taxCode = o->optValue<std::string>("taxCode", "");
    if (auto refused = taxCodeRefusal(c, l.taxCode)) return *refused;
    bool exact = true;
    l.cents = centsOf(o->optValue<double>("amount", 0.0), exact);
    if (!exact) return error(400, "Internal_ValidationError", "The amount has more decimals than the currency allows.");
    l.documentNumber = o->optValue<std::string>("documentNumber", "");
    l.externalDocumentNumber = o->optValue<std::string>("externalDocumentNumber", "");
    l.description = o->optValue<std::string>("description", "");
    l.postingDate = o->optValue<std::string>("postingDate", "");
    if (l.documentNumber.size() > 20 || l.externalDocumentNumber.size() > 35 || l.description.size() > 400)
        return error(400, "BadRequest_InvalidToken", "A value is longer than its field allows.");
    l.id = guid(0x11e, ++counter);
    l.etag = nextEtag();
    c.journals[jid].push_back(l);
    return json(201, lineJson(l, jid));
}

Answer BcDouble::Impl::post(Company& c, const std::string& jid) {
    auto& lines = c.journals[jid];
    std::map<std::string, std::int64_t> balance;
    for (const auto& l : lines) balance[l.documentNumber] += l.cents;
    for (const auto& [doc, sum] : balance)
        if (sum != 0)
            return error(400, "Internal_ValidationError", "Document No. " + doc + " is out of balance by " +
                                                              std::to_string(sum) + " cents.");
    auto book = [&](const JournalLine& l, const std::string& account, std::int64_t cents) {
        bookGlEntry(c, l.documentNumber, l.externalDocumentNumber, l.postingDate, account, cents, l.dimensions);
    };
    for (const auto& l : lines) {
        const auto tax = std::find_if(c.taxGroups.begin(), c.taxGroups.end(),
                                      [&](const TaxGroup& t) { return t.code == l.taxCode; });
        if (l.accountType == "Vendor") {
            book(l, "5410", l.cents);  // the vendor posting group's payables account
        } else if (l.taxCode.empty() || tax == c.taxGroups.end()) {
            book(l, l.accountNumber, l.cents);
        } else if (tax->reverse) {
            const std::int64_t vat = static_cast<std::int64_t>(std::llround(static_cast<double>(l.cents) * std::stod(tax->rate) / 100.0));
            book(l, l.accountNumber, l.cents);
            book(l, "5610", vat);
            book(l, "5620", -vat);
        } else {
            const std::int64_t vat = vatOf(l.cents, tax->rate);
            book(l, l.accountNumber, l.cents - vat);
            if (vat != 0) book(l, "5610", vat);
        }
    }
    for (const auto& [doc, sum] : balance) ++c.postings[doc];
    for (const auto& l : lines)
        for (auto a = c.lineAttachments.begin(); a != c.lineAttachments.end();) {
            if (a->parentId != l.id) {
                ++a;
                continue;
            }
            c.documentAttachments[l.documentNumber].push_back(*a);
            a = c.lineAttachments.erase(a);
        }
    lines.clear();
    return {204, "", {}};
}

namespace {
Object attachmentJson(const BcDouble::Attachment& a, const std::string& parentType) {
    Object out;
    out.set("@odata.etag", a.etag);
    out.set("id", a.id);
    out.set("parentId", a.parentId);
    out.set("fileName", a.fileName);
    out.set("byteSize", static_cast<int>(a.bytes.size()));
    out.set("parentType", parentType);
    return out;
}
}  // namespace

// POST attachments {parentId, fileName, parentType} creates the incoming document on a journal
// line (parentType "Journal") or a purchase invoice ("Purchase Invoice"); PATCH attachments({id})/
// attachmentContent with If-Match (the attachment's ETag, or *) gives it its bytes; GET
// attachments?$filter=parentId eq {id} lists a parent's.
Answer BcDouble::Impl::attachments(Company& c, const std::string& method, const std::string& id,
                                   const std::string& filter, const std::string& ifMatch, const std::string& body) {
    if (id.empty() && method == "GET") {
        static const std::regex byParent("^parentId eq ([0-9a-fA-F-]{36})$");
        std::smatch m;
        if (!std::regex_match(filter, m, byParent)) return error(400, "BadRequest", "filter attachments by parentId");
        Array value;
        for (const auto& a : c.lineAttachments)
            if (a.parentId == m[1]) value.add(attachmentJson(a, "Journal"));
        if (const PurchaseInvoice* inv = invoiceById(c, m[1]))
            for (const auto& a : inv->attachments) value.add(attachmentJson(a, "Purchase Invoice"));
        Object o;
        o.set("value", value);
        return json(200, o);
    }
    if (id.empty()) {
        if (method != "POST") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        const Object::Ptr o = objectIn(body);
        if (!o) return error(400, "BadRequest", "The request body is not a JSON object.");
        Attachment a;
        a.parentId = o->optValue<std::string>("parentId", "");
        a.fileName = o->optValue<std::string>("fileName", "");
        const std::string parentType = o->optValue<std::string>("parentType", "");
        if (parentType != "Journal" && parentType != "Purchase Invoice")
            return error(400, "BadRequest", "parentType must name the parent's kind ('Journal' for a journal line, "
                                            "'Purchase Invoice').");
        PurchaseInvoice* invoice = parentType == "Purchase Invoice" ? invoiceById(c, a.parentId) : nullptr;
        const bool lineExists = std::any_of(c.journals.begin(), c.journals.end(), [&](const auto& j) {
            return std::any_of(j.second.begin(), j.second.end(), [&](const JournalLine& l) { return l.id == a.parentId; });
        });
        if (parentType == "Journal" ? !lineExists : !invoice)
            return error(400, "Internal_RecordNotFound", "The " + parentType + " " + a.parentId + " does not exist.");
        if (a.fileName.empty() || a.fileName.size() > 250)
            return error(400, "BadRequest_InvalidToken", "fileName must have 1 to 250 characters.");
        a.id = guid(0xa77, ++counter);
        a.etag = nextEtag();
        (invoice ? invoice->attachments : c.lineAttachments).push_back(a);
        return json(201, attachmentJson(a, parentType));
    }
    if (method != "PATCH") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
    Attachment* a = nullptr;
    for (auto& x : c.lineAttachments)
        if (x.id == id) a = &x;
    for (auto& inv : c.purchaseInvoices)
        for (auto& x : inv.attachments)
            if (x.id == id) a = &x;
    if (!a) return error(404, "Internal_RecordNotFound", "The attachment " + id + " does not exist.");
    if (ifMatch.empty()) return error(428, "Request_EntityChanged", "The If-Match header is required for this request.");
    if (ifMatch != "*" && ifMatch != a->etag)
        return error(412, "Request_EntityChanged", "Another user has already changed the record.");
    a->bytes = body;
    a->hasContent = true;
    a->etag = nextEtag();
    return {204, "", {}};
}

BcDouble::BcDouble() : impl_(std::make_unique<Impl>()) {
    impl_->companies[std::string(kTenant) + "/" + kEnvironment + "/" + kCompany] = defaultCompany();
    impl_->server = std::make_unique<xerotest::DoubleServer>(new Factory(*impl_), 4, false);
    impl_->port = impl_->server->port();
}

BcDouble::~BcDouble() { impl_->server.reset(); }  // joins the workers before the state goes

std::string BcDouble::baseUrl() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

BcDouble::Company BcDouble::defaultCompany() {
    Company c;
    int n = 0;
    auto account = [&](const std::string& number, const std::string& name, const std::string& category, bool blocked) {
        c.accounts.push_back({guid(0xacc, ++n), number, name, category, blocked});
    };
    account("2900", "Pleo clearing", "Liabilities", false);
    account("5610", "Input VAT", "Liabilities", false);
    account("5620", "Output VAT (reverse charge)", "Liabilities", false);
    account("6110", "Meals", "Expense", false);
    account("6120", "Travel", "Expense", false);
    account("6130", "Postage", "Expense", false);
    account("6540", "Software", "Expense", false);
    account("6999", "Old costs", "Expense", true);
    account("5410", "Vendors (payables)", "Liabilities", false);
    c.taxGroups = {{guid(0x7a0, 1), "VAT25", "VAT 25 %", "25", false},
                   {guid(0x7a0, 2), "VAT12", "VAT 12 %", "12", false},
                   {guid(0x7a0, 3), "EUREV25", "EU reverse charge 25 %", "25", true}};
    c.dimensions = {{guid(0xd10, 1), "PROJECT", "Project"}, {guid(0xd10, 2), "DEPARTMENT", "Department"}};
    c.dimensionValues = {{guid(0xd1f, 1), "P-17", "Apollo", guid(0xd10, 1)},
                         {guid(0xd1f, 2), "P-18", "Gemini", guid(0xd10, 1)},
                         {guid(0xd1f, 3), "SALES", "Sales", guid(0xd10, 2)}};
    c.vendors = {{guid(0xbe0, 1), "V100", "Restaurant Æblet", "DK12345678", "DK", "", " "},
                 {guid(0xbe0, 2), "V200", "Office Supplies Ltd", "GB123456789", "GB", "GBP", "Payment"},
                 {guid(0xbe0, 3), "V300", "Gone GmbH", "", "DE", "EUR", "All"}};
    c.journals[kJournal] = {};
    return c;
}

void BcDouble::setCompany(const std::string& tenant, const std::string& environment, const std::string& id, Company c) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->companies[tenant + "/" + environment + "/" + id] = std::move(c);
}

BcDouble::Company BcDouble::company(const std::string& tenant, const std::string& environment,
                                    const std::string& id) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const auto it = impl_->companies.find(tenant + "/" + environment + "/" + id);
    return it == impl_->companies.end() ? Company{} : it->second;
}

void BcDouble::createCompaniesOnUse(bool on) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->createOnUse = on;
}

void BcDouble::throttleNext(int count, int seconds) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->throttleCount = count;
    impl_->throttleSeconds = seconds;
}

void BcDouble::limitRequests(int count, int windowMs) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->windowLimit = count;
    impl_->windowMs = windowMs;
    impl_->accepted.clear();
}

std::vector<std::int64_t> BcDouble::requestTimesMs() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->requestTimesMs;
}

void BcDouble::touchJournalLinesAfterNextRead() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->touchAfterRead = true;
}

int BcDouble::batchedRequests() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->batchedRequests;
}

int BcDouble::batchedPosts() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const auto it = impl_->batchedByMethod.find("POST");
    return it == impl_->batchedByMethod.end() ? 0 : it->second;
}

std::vector<std::string> BcDouble::requests() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->requests;
}

}  // namespace ledgerbridge::bctest
