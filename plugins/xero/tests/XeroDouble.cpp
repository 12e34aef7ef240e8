// The stateful Xero test double: see XeroDouble.hpp.
#include "XeroDouble.hpp"
#include "DoubleServer.hpp"
#include "XeroDoubleMasterData.hpp"

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
#include <Poco/UUIDGenerator.h>

#include <chrono>
#include <optional>
#include <cmath>
#include <sstream>

namespace ledgerbridge::xerotest {

namespace {
using Poco::JSON::Array;
using Poco::JSON::Object;

struct Collection {
    const char* name;
    const char* idField;
    const char* linesField;
};
constexpr Collection kCollections[] = {{"BankTransactions", "BankTransactionID", "LineItems"},
                                       {"Invoices", "InvoiceID", "LineItems"},
                                       {"ManualJournals", "ManualJournalID", "JournalLines"}};

const Collection* collectionNamed(const std::string& name) {
    for (const Collection& c : kCollections)
        if (name == c.name) return &c;
    return nullptr;
}

std::string str(const Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    return o->get(key).convert<std::string>();
}

std::string stringify(const Object::Ptr& o) {
    std::ostringstream s;
    o->stringify(s);
    return s.str();
}

Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser p;
    return p.parse(text).extract<Object::Ptr>();
}

std::string newId() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

std::string msDate() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    return "/Date(" + std::to_string(ms) + "+0000)/";
}

long long cents(const Poco::Dynamic::Var& v) { return std::llround(v.convert<double>() * 100.0); }
}  // namespace

namespace doubledetail {
std::vector<Term> parseWhere(const std::string& where) {
    std::vector<Term> terms;
    std::size_t pos = 0;
    while (pos < where.size()) {
        std::size_t end = where.find(" OR ", pos);
        if (end == std::string::npos) end = where.size();
        const std::string t = where.substr(pos, end - pos);
        Term term;
        std::size_t q;
        if (const auto sw = t.find(".StartsWith(\""); sw != std::string::npos) {
            term.field = t.substr(0, sw), term.prefix = true, q = sw + 13;
        } else if (const auto eq = t.find("==\""); eq != std::string::npos) {
            term.field = t.substr(0, eq), q = eq + 3;
        } else if (const auto bare = t.find("=="); bare != std::string::npos &&
                                                   t.find_first_of("\" ()", bare) == std::string::npos) {
            term.field = t.substr(0, bare), term.value = t.substr(bare + 2);  // IsSupplier==true
            terms.push_back(term);
            pos = end + 4;
            continue;
        } else {
            throw std::runtime_error("unsupported where term: " + t);
        }
        for (; q < t.size() && t[q] != '"'; ++q) {
            if (t[q] == '\\' && q + 1 < t.size()) ++q;
            term.value += t[q];
        }
        terms.push_back(term);
        pos = end + 4;
    }
    return terms;
}

bool matchesWhere(const Object::Ptr& doc, const std::vector<Term>& terms) {
    if (terms.empty()) return true;
    for (const Term& t : terms) {
        const std::string v = str(doc, t.field);
        if (t.prefix ? v.rfind(t.value, 0) == 0 : v == t.value) return true;
    }
    return false;
}
}  // namespace doubledetail

using doubledetail::matchesWhere;
using doubledetail::parseWhere;

struct XeroDouble::State {
    struct Tenant {
        std::map<std::string, std::vector<Object::Ptr>> docs;  ///< collection -> documents
        std::map<std::string, std::vector<Attachment>> attachments;
        std::map<std::string, std::pair<int, std::string>> replays;  ///< Idempotency-Key -> answer
        std::optional<Organisation> own;  ///< what this tenant alone knows (else the shared `org`)
    };
    mutable std::mutex mutex;
    Organisation org;
    std::map<std::string, Tenant> tenants;
    int rateLimitCount = 0, retryAfter = 1;
    bool rateLimitWritesOnly = false, hidden = false;
    std::string problem = "minute";
    int dayLimit = -1, minuteLimit = -1;
    int created = 0;
    std::vector<Request> log;
    std::unique_ptr<DoubleServer> server;
    int port = 0;

    std::vector<std::string> validate(const Organisation& o, const Collection& c, const Object::Ptr& doc) const;
    std::pair<int, std::string> create(Tenant& t, const Organisation& o, const Collection& c, const std::string& body,
                                       bool summarize);
    std::pair<int, std::string> route(const std::string& method, const Poco::URI& uri, const std::string& tenantId,
                                      const std::string& contentType, const std::string& body,
                                      const std::string& ifModifiedSince);
    void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
};

namespace {
class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(XeroDouble::State& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        s_.handle(req, resp);
    }

private:
    XeroDouble::State& s_;
};
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(XeroDouble::State& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(s_);
    }

private:
    XeroDouble::State& s_;
};

void lineProblems(const XeroDouble::Organisation& org, const Object::Ptr& line, std::vector<std::string>& out) {
    const std::string code = str(line, "AccountCode");
    const auto account = org.accounts.find(code);
    if (account == org.accounts.end() || account->second == "BANK")
        out.push_back("Account code '" + code + "' is not a valid code for this document.");
    const std::string tax = str(line, "TaxType");
    if (!tax.empty() && org.taxTypes.count(tax) == 0)
        out.push_back("The TaxType code '" + tax + "' does not exist or cannot be used for this type of transaction.");
    if (const auto tracking = line->getArray("Tracking"))
        for (std::size_t i = 0; i < tracking->size(); ++i) {
            const auto t = tracking->getObject(static_cast<unsigned>(i));
            const std::string name = str(t, "Name"), option = str(t, "Option");
            const auto cat = org.tracking.find(name);
            if (cat == org.tracking.end())
                out.push_back("The tracking category '" + name + "' does not exist.");
            else if (!cat->second.empty() && cat->second.count(option) == 0)
                out.push_back("The tracking option '" + option + "' does not exist in the tracking category '" + name + "'.");
        }
}
}  // namespace

std::vector<std::string> XeroDouble::State::validate(const Organisation& o, const Collection& c,
                                                     const Object::Ptr& doc) const {
    std::vector<std::string> problems;
    const std::string collection = c.name;
    if (collection != "ManualJournals") {
        const auto contact = doc->getObject("Contact");
        if (!contact || (str(contact, "Name").empty() && str(contact, "ContactID").empty() &&
                         str(contact, "ContactNumber").empty()))
            problems.push_back("The Contact must contain at least 1 of the following elements to identify the contact: "
                               "Name, ContactID, ContactNumber");
    }
    if (collection == "BankTransactions") {
        const std::string type = str(doc, "Type");
        if (type != "SPEND" && type != "RECEIVE") problems.push_back("Type must be SPEND or RECEIVE.");
        const auto bank = doc->getObject("BankAccount");
        const auto account = o.accounts.find(str(bank, "Code"));
        if (account == o.accounts.end() || account->second != "BANK")
            problems.push_back("The BankAccount with code '" + str(bank, "Code") + "' could not be found.");
    }
    if (collection == "Invoices") {
        if (str(doc, "Type") != "ACCPAY") problems.push_back("Only ACCPAY bills are expected here.");
        if (str(doc, "Status") == "AUTHORISED" && str(doc, "DueDate").empty())
            problems.push_back("Due Date is required for an AUTHORISED invoice.");
    }
    if (collection == "ManualJournals" && str(doc, "Narration").empty())
        problems.push_back("Narration is required.");
    const auto lines = doc->getArray(c.linesField);
    if (!lines || lines->size() == 0) {
        problems.push_back(std::string("At least one ") + c.linesField + " element is required.");
        return problems;
    }
    long long total = 0;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        const auto line = lines->getObject(static_cast<unsigned>(i));
        lineProblems(o, line, problems);
        if (line->has("LineAmount")) total += cents(line->get("LineAmount"));
    }
    if (collection == "ManualJournals" && total != 0)
        problems.push_back("The total debits must equal total credits; the journal lines are out by " +
                           std::to_string(total) + " cents.");
    return problems;
}

std::pair<int, std::string> XeroDouble::State::create(Tenant& t, const Organisation& o, const Collection& c,
                                                      const std::string& body, bool summarize) {
    const auto root = parseObject(body);
    const auto items = root ? root->getArray(c.name) : nullptr;
    if (!items) return {400, R"({"ErrorNumber":14,"Type":"PostDataInvalidException","Message":"JSON for post data was invalid"})"};
    Array::Ptr out = new Array;
    std::vector<Object::Ptr> accepted;
    bool anyError = false;
    for (std::size_t i = 0; i < items->size(); ++i) {
        Object::Ptr doc = parseObject(stringify(items->getObject(static_cast<unsigned>(i))));
        const auto problems = validate(o, c, doc);
        if (problems.empty()) {
            doc->set(c.idField, newId());
            if (!doc->has("Status")) doc->set("Status", std::string(c.name) == "ManualJournals" ? "DRAFT" : "AUTHORISED");
            doc->set("HasAttachments", false);
            doc->set("UpdatedDateUTC", msDate());
            doc->set("StatusAttributeString", "OK");
            accepted.push_back(doc);
        } else {
            anyError = true;
            Array::Ptr errors = new Array;
            for (const std::string& m : problems) {
                Object::Ptr e = new Object;
                e->set("Message", m);
                errors->add(e);
            }
            doc->set("StatusAttributeString", "ERROR");
            doc->set("ValidationErrors", errors);
        }
        out->add(doc);
    }
    if (anyError && summarize) {
        Object::Ptr error = new Object;
        error->set("ErrorNumber", 10);
        error->set("Type", "ValidationException");
        error->set("Message", "A validation exception occurred");
        error->set("Elements", out);
        return {400, stringify(error)};
    }
    for (const auto& doc : accepted) {
        t.docs[c.name].push_back(doc);
        ++created;
    }
    Object::Ptr answer = new Object;
    answer->set("Id", newId());
    answer->set("Status", "OK");
    answer->set("ProviderName", "ledgerbridge tests");
    answer->set("DateTimeUTC", msDate());
    answer->set(c.name, out);
    return {200, stringify(answer)};
}

std::pair<int, std::string> XeroDouble::State::route(const std::string& method, const Poco::URI& uri,
                                                     const std::string& tenantId, const std::string& contentType,
                                                     const std::string& body, const std::string& ifModifiedSince) {
    Tenant& t = tenants[tenantId];
    const Organisation& o = t.own ? *t.own : org;
    std::vector<std::string> segments;
    uri.getPathSegments(segments);
    std::map<std::string, std::string> query;
    for (const auto& [k, v] : uri.getQueryParameters()) query[k] = v;
    const std::string notFound = R"({"Title":"NotFound","Status":404,"Detail":"The resource you're looking for cannot be found"})";

    if (method == "GET" && segments == std::vector<std::string>{"Organisation"}) {
        Object::Ptr organisation = new Object;
        organisation->set("OrganisationID", tenantId);
        organisation->set("Name", "ledgerbridge test organisation");
        organisation->set("ShortCode", "!tEsT1");
        organisation->set("BaseCurrency", "EUR");
        Array::Ptr list = new Array;
        list->add(organisation);
        Object::Ptr answer = new Object;
        answer->set("Organisations", list);
        return {200, stringify(answer)};
    }
    if (method == "GET")
        if (auto answer = doubledetail::serveMasterData(o, segments, query, ifModifiedSince)) return *answer;
    const Collection* c = segments.empty() ? nullptr : collectionNamed(segments[0]);
    if (!c) return {404, notFound};
    if (segments.size() == 1 && (method == "PUT" || method == "POST"))
        return create(t, o, *c, body, query["summarizeErrors"] != "false");
    if (segments.size() == 1 && method == "GET") {
        const auto terms = parseWhere(query["where"]);
        Array::Ptr list = new Array;
        for (const auto& doc : t.docs[c->name])
            if (matchesWhere(doc, terms) && !(hidden && !terms.empty())) list->add(doc);
        Object::Ptr answer = new Object;
        answer->set(c->name, list);
        return {200, stringify(answer)};
    }
    if (segments.size() == 4 && segments[2] == "Attachments" && (method == "PUT" || method == "POST")) {
        for (auto& doc : t.docs[c->name]) {
            if (str(doc, c->idField) != segments[1]) continue;
            t.attachments[segments[1]].push_back({segments[3], contentType, body});
            doc->set("HasAttachments", true);
            Object::Ptr a = new Object;
            a->set("AttachmentID", newId());
            a->set("FileName", segments[3]);
            a->set("Url", "https://api.xero.com/api.xro/2.0/" + std::string(c->name) + "/" + segments[1] + "/Attachments/" +
                              segments[3]);
            a->set("MimeType", contentType);
            a->set("ContentLength", static_cast<int>(body.size()));
            Array::Ptr list = new Array;
            list->add(a);
            Object::Ptr answer = new Object;
            answer->set("Attachments", list);
            return {200, stringify(answer)};
        }
        return {404, notFound};
    }
    return {404, notFound};
}

void XeroDouble::State::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    std::string body;
    Poco::StreamCopier::copyToString(req.stream(), body);
    Request rec;
    rec.method = req.getMethod();
    rec.target = req.getURI();
    rec.tenant = req.get("xero-tenant-id", "");
    rec.idempotencyKey = req.get("Idempotency-Key", "");
    rec.contentType = req.get("Content-Type", "");
    rec.ifModifiedSince = req.get("If-Modified-Since", "");
    rec.bearer = req.get("Authorization", "").rfind("Bearer ", 0) == 0 && req.get("Authorization", "").size() > 7;
    rec.bodyBytes = body.size();

    std::lock_guard<std::mutex> lock(mutex);
    std::pair<int, std::string> answer;
    const bool write = rec.method == "PUT" || rec.method == "POST";
    resp.set("X-AppMinLimit-Remaining", "9999");
    resp.set("X-MinLimit-Remaining", rateLimitCount > 0 && problem == "minute" && (write || !rateLimitWritesOnly) ? "0"
                                     : minuteLimit >= 0                         ? std::to_string(minuteLimit)
                                                                                : "59");
    resp.set("X-DayLimit-Remaining", std::to_string(dayLimit >= 0 ? dayLimit : 4999));
    const std::string replayKey = rec.tenant + "|" + rec.method + "|" + rec.idempotencyKey;
    if (!rec.bearer) {
        answer = {401, R"({"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthenticationUnsuccessful"})"};
    } else if (rec.tenant.empty()) {
        answer = {403, R"({"Type":null,"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful"})"};
    } else if (minuteLimit == 0) {
        resp.set("Retry-After", "60");
        resp.set("X-Rate-Limit-Problem", "minute");
        answer = {429, R"({"Title":"Too Many Requests","Status":429})"};
    } else if ((rateLimitCount > 0 && (write || !rateLimitWritesOnly)) || dayLimit == 0) {
        const bool day = dayLimit == 0 || problem == "day";
        if (rateLimitCount > 0) --rateLimitCount;
        resp.set("Retry-After", std::to_string(retryAfter));
        resp.set("X-Rate-Limit-Problem", day ? "day" : problem);
        if (day) resp.set("X-DayLimit-Remaining", "0");
        answer = {429, R"({"Title":"Too Many Requests","Status":429})"};
    } else if (write && !rec.idempotencyKey.empty() && tenants[rec.tenant].replays.count(replayKey)) {
        answer = tenants[rec.tenant].replays[replayKey];
    } else {
        if (dayLimit > 0) resp.set("X-DayLimit-Remaining", std::to_string(--dayLimit));
        if (minuteLimit > 0) resp.set("X-MinLimit-Remaining", std::to_string(--minuteLimit));
        try {
            answer = route(rec.method, Poco::URI(rec.target), rec.tenant, rec.contentType, body, rec.ifModifiedSince);
        } catch (const std::exception& e) {
            Object::Ptr error = new Object;
            error->set("ErrorNumber", 14);
            error->set("Type", "PostDataInvalidException");
            error->set("Message", std::string("the test double could not read the request: ") + e.what());
            answer = {400, stringify(error)};
        }
        if (write && !rec.idempotencyKey.empty() && (answer.first == 200 || answer.first == 400))
            tenants[rec.tenant].replays[replayKey] = answer;
    }
    rec.status = answer.first;
    log.push_back(rec);
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.first));
    resp.setContentType("application/json");
    resp.setContentLength(static_cast<std::streamsize>(answer.second.size()));
    resp.send() << answer.second;
}

XeroDouble::XeroDouble() : state_(std::make_unique<State>()) {
    doubledetail::completeOrganisation(state_->org);
    state_->server = std::make_unique<DoubleServer>(new Factory(*state_), 8, true);
    state_->port = state_->server->port();
}

XeroDouble::~XeroDouble() { state_->server.reset(); }  // joins the workers before the state goes

std::string XeroDouble::baseUrl() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
int XeroDouble::port() const { return state_->port; }

void XeroDouble::setOrganisation(const Organisation& org) {
    Organisation complete = org;
    doubledetail::completeOrganisation(complete);
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->org = complete;
}

void XeroDouble::setOrganisation(const std::string& tenant, const Organisation& org) {
    Organisation complete = org;
    doubledetail::completeOrganisation(complete);
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->tenants[tenant].own = complete;
}

XeroDouble::Organisation XeroDouble::organisation() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->org;
}

void XeroDouble::rateLimitNext(int count, int retryAfterSeconds, const std::string& problem, bool writesOnly) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->rateLimitWritesOnly = writesOnly;
    state_->rateLimitCount = count;
    state_->retryAfter = retryAfterSeconds;
    state_->problem = problem;
}

void XeroDouble::hideFromSearch(bool hidden) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->hidden = hidden;
}

void XeroDouble::setDayLimit(int calls) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->dayLimit = calls;
}

void XeroDouble::setMinuteLimit(int calls) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->minuteLimit = calls;
}

void XeroDouble::deleteDocument(const std::string& tenant, const std::string& collection, const std::string& id) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const Collection* c = collectionNamed(collection);
    for (auto& doc : state_->tenants[tenant].docs[collection])
        if (c && str(doc, c->idField) == id) doc->set("Status", "DELETED");
}

std::vector<XeroDouble::Request> XeroDouble::requests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->log;
}

std::vector<std::string> XeroDouble::documents(const std::string& tenant, const std::string& collection) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    std::vector<std::string> out;
    const auto t = state_->tenants.find(tenant);
    if (t == state_->tenants.end()) return out;
    const auto docs = t->second.docs.find(collection);
    if (docs == t->second.docs.end()) return out;
    for (const auto& d : docs->second) out.push_back(stringify(d));
    return out;
}

std::vector<XeroDouble::Attachment> XeroDouble::attachments(const std::string& tenant, const std::string& id) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const auto t = state_->tenants.find(tenant);
    if (t == state_->tenants.end()) return {};
    const auto a = t->second.attachments.find(id);
    return a == t->second.attachments.end() ? std::vector<Attachment>{} : a->second;
}

int XeroDouble::created() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->created;
}

}  // namespace ledgerbridge::xerotest
