// The Fortnox test double: see FortnoxDouble.hpp and README.md ("The test double").
#include "FortnoxDouble.hpp"
#include "DoubleServer.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>
#include <sstream>

namespace ledgerbridge::fortnoxtest {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {
std::int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string str(const Object::Ptr& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key) ? o->get(key).convert<std::string>() : std::string();
}

std::string json(const Object::Ptr& o) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(o, out);
    return out.str();
}

using Answer = std::pair<int, std::string>;

/// The object `name` of a JSON body, or null when the body is not JSON or has none.
Object::Ptr memberOf(const std::string& body, const std::string& name) {
    try {
        Poco::JSON::Parser p;
        return p.parse(body).extract<Object::Ptr>()->getObject(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

/// {"<name>": o} with `status`.
Answer wrapped(int status, const std::string& name, const Object::Ptr& o) {
    Object::Ptr root = new Object;
    root->set(name, o);
    return {status, json(root)};
}

/// A JSON object of `fields`, in order.
Object::Ptr objectOf(std::initializer_list<std::pair<std::string, Poco::Dynamic::Var>> fields) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, value] : fields) o->set(key, value);
    return o;
}

Answer error(int status, const std::string& message, long long code) {
    Object::Ptr info = new Object;
    info->set("error", 1);
    info->set("message", message);
    info->set("code", code);
    Object::Ptr root = new Object;
    root->set("ErrorInformation", info);
    return {status, json(root)};
}

std::map<std::string, std::string> queryOf(const Poco::URI& uri) {
    std::map<std::string, std::string> q;
    for (const auto& [k, v] : uri.getQueryParameters()) q[k] = v;
    return q;
}

/// Fortnox paging: page (from 1) and limit (default 100, at most 500) -> [first, last).
struct Paging {
    std::size_t first = 0, last = 0;
    Object::Ptr meta;
};
Paging page(const std::map<std::string, std::string>& q, std::size_t total) {
    const auto num = [&](const char* key, long long dflt) {
        const auto it = q.find(key);
        return it == q.end() ? dflt : std::stoll(it->second);
    };
    const long long limit = std::min<long long>(500, std::max<long long>(1, num("limit", 100)));
    const long long current = std::max<long long>(1, num("page", 1));
    const long long pages = std::max<long long>(1, (static_cast<long long>(total) + limit - 1) / limit);
    Paging p;
    p.first = std::min<std::size_t>(total, static_cast<std::size_t>((current - 1) * limit));
    p.last = std::min<std::size_t>(total, p.first + static_cast<std::size_t>(limit));
    p.meta = new Object;
    p.meta->set("@TotalResources", static_cast<long long>(total));
    p.meta->set("@TotalPages", pages);
    p.meta->set("@CurrentPage", current);
    return p;
}

/// A JSON number's text in hundredths, rounded as Fortnox keeps two decimals.
long long hundredths(const Object::Ptr& row, const std::string& key) {
    if (!row->has(key) || row->isNull(key)) return 0;
    return std::llround(row->getValue<double>(key) * 100.0);
}
}  // namespace

struct FortnoxDouble::State {
    struct Tenant {
        Company company;
        std::vector<Voucher> vouchers;
        std::map<std::string, int> nextNumber;
        std::vector<File> files;
        std::vector<Connection> connections;
        std::deque<std::int64_t> window;
    };
    mutable std::mutex mutex;
    Company company = defaultCompany();
    std::map<std::string, Tenant> tenants;
    int rateLimitCount = 0, retryAfter = 1, windowLimit = 25;
    std::vector<Request> log;
    std::unique_ptr<xerotest::DoubleServer> server;
    int port = 0;

    Tenant& tenant(const std::string& name) {
        auto it = tenants.find(name);
        if (it == tenants.end()) it = tenants.emplace(name, Tenant{company, {}, {}, {}, {}, {}}).first;
        return it->second;
    }
    Answer route(Tenant& t, const std::string& method, const std::string& path, const Poco::URI& uri,
                 const std::string& contentType, const std::string& body);
    Answer postVoucher(Tenant& t, const std::string& body);
    Answer sublist(Tenant& t, const std::string& series, const Poco::URI& uri);
    Answer inbox(Tenant& t, const std::string& contentType, const std::string& body);
    Answer connect(Tenant& t, const std::string& body);
    Answer connection(Tenant& t, const std::string& fileId);
    Answer list(Tenant& t, const std::string& what, const Poco::URI& uri);
    void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
};

namespace {
class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(FortnoxDouble::State& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        s_.handle(req, resp);
    }

private:
    FortnoxDouble::State& s_;
};
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(FortnoxDouble::State& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(s_);
    }

private:
    FortnoxDouble::State& s_;
};

Object::Ptr voucherObject(const FortnoxDouble::Voucher& v, bool withRows) {
    Object::Ptr o = new Object;
    o->set("VoucherSeries", v.series);
    o->set("VoucherNumber", std::stoi(v.number));
    o->set("Year", std::stoi(v.year));
    o->set("TransactionDate", v.date);
    o->set("Description", v.description);
    if (withRows) {
        Array::Ptr rows = new Array;
        for (const auto& r : v.rows) {
            Object::Ptr row = new Object;
            row->set("Account", std::stoi(r.account));
            row->set("Debit", std::stod(r.debit.empty() ? "0" : r.debit));
            row->set("Credit", std::stod(r.credit.empty() ? "0" : r.credit));
            row->set("CostCenter", r.costCenter);
            row->set("Project", r.project);
            row->set("TransactionInformation", r.transactionInformation);
            rows->add(row);
        }
        o->set("VoucherRows", rows);
    }
    return o;
}
}  // namespace

Answer FortnoxDouble::State::postVoucher(Tenant& t, const std::string& body) {
    const Object::Ptr v = memberOf(body, "Voucher");
    if (!v) return error(400, "Ingen eller felaktig typ av data.", 2001392);
    Voucher out;
    out.series = str(v, "VoucherSeries");
    out.date = str(v, "TransactionDate");
    out.description = str(v, "Description");
    const Company& c = t.company;
    if (std::find(c.series.begin(), c.series.end(), out.series) == c.series.end())
        return error(400, "Verifikationsserien \"" + out.series + "\" finns inte", 2000880);
    if (out.date < c.yearFrom || out.date > c.yearTo)
        return error(400, "Räkenskapsår saknas för datumet " + out.date, 2000755);
    const auto rows = v->getArray("VoucherRows");
    if (!rows || rows->size() < 2) return error(400, "En verifikation måste ha minst två rader", 2000759);
    long long balance = 0;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto r = rows->getObject(static_cast<unsigned>(i));
        Row row{str(r, "Account"), str(r, "Debit"), str(r, "Credit"), str(r, "CostCenter"), str(r, "Project"),
                str(r, "TransactionInformation")};
        const auto account = c.accounts.find(row.account);
        if (account == c.accounts.end()) return error(400, "Kunde inte hitta konto " + row.account, 2001304);
        if (!account->second.active) return error(400, "Konto \"" + row.account + "\" är inte aktivt", 2000550);
        if (!row.costCenter.empty() && std::none_of(c.costCenters.begin(), c.costCenters.end(), [&](const auto& cc) {
                return cc.code == row.costCenter;
            }))
            return error(400, "Kostnadsstället \"" + row.costCenter + "\" finns inte", 2001307);
        if (!row.project.empty() &&
            std::none_of(c.projects.begin(), c.projects.end(), [&](const auto& p) { return p.number == row.project; }))
            return error(400, "Projektet \"" + row.project + "\" finns inte", 2001308);
        balance += hundredths(r, "Debit") - hundredths(r, "Credit");
        out.rows.push_back(row);
    }
    if (balance != 0) return error(400, "Verifikationen är inte i balans", 2000756);
    out.number = std::to_string(++t.nextNumber[out.series]);
    out.year = "1";
    t.vouchers.push_back(out);
    return wrapped(201, "Voucher", voucherObject(out, true));
}

Answer FortnoxDouble::State::sublist(Tenant& t, const std::string& series, const Poco::URI& uri) {
    const auto q = queryOf(uri);
    const std::string from = q.count("fromdate") ? q.at("fromdate") : "", to = q.count("todate") ? q.at("todate") : "";
    std::vector<const Voucher*> match;
    for (const auto& v : t.vouchers)
        if (v.series == series && (from.empty() || v.date >= from) && (to.empty() || v.date <= to)) match.push_back(&v);
    const Paging p = page(q, match.size());
    Array::Ptr list = new Array;
    for (std::size_t i = p.first; i < p.last; ++i) list->add(voucherObject(*match[i], false));
    Object::Ptr root = new Object;
    root->set("MetaInformation", p.meta);
    root->set("Vouchers", list);
    return {200, json(root)};
}

/// A connection as Fortnox lists it (FileId, VoucherNumber, VoucherSeries, VoucherYear).
Object::Ptr connectionObject(const FortnoxDouble::Connection& c) {
    Object::Ptr o = new Object;
    o->set("FileId", c.fileId);
    o->set("VoucherSeries", c.series);
    o->set("VoucherNumber", c.number);
    o->set("VoucherYear", "1");
    return o;
}

Answer FortnoxDouble::State::inbox(Tenant& t, const std::string& contentType, const std::string& body) {
    const auto b = contentType.find("boundary=");
    if (contentType.rfind("multipart/form-data", 0) != 0 || b == std::string::npos)
        return error(400, "Invalid content type", 1000031);
    const std::string boundary = "--" + contentType.substr(b + 9);
    const auto partStart = body.find(boundary);
    const auto headersEnd = body.find("\r\n\r\n", partStart);
    const auto partEnd = body.find("\r\n" + boundary, headersEnd);
    if (partStart != 0 || headersEnd == std::string::npos || partEnd == std::string::npos)
        return error(400, "Ingen eller felaktig typ av data.", 2001392);
    const std::string headers = body.substr(0, headersEnd);
    const auto fn = headers.find("filename=\"");
    if (headers.find("name=\"file\"") == std::string::npos || fn == std::string::npos)
        return error(400, "Ingen eller felaktig typ av data.", 2001392);
    File f;
    f.name = headers.substr(fn + 10, headers.find('"', fn + 10) - fn - 10);
    const auto ct = headers.find("Content-Type: ");
    if (ct != std::string::npos) f.contentType = headers.substr(ct + 14, headers.find("\r\n", ct) - ct - 14);
    f.bytes = body.substr(headersEnd + 4, partEnd - headersEnd - 4);
    f.id = "f" + std::to_string(t.files.size() + 1) + "-0000-4000-8000-000000000000";
    t.files.push_back(f);
    Object::Ptr file = new Object;
    file->set("Id", f.id);
    file->set("Name", f.name);
    file->set("Size", static_cast<long long>(f.bytes.size()));
    file->set("Path", "inbox_v/" + f.name);
    return wrapped(201, "File", file);
}

Answer FortnoxDouble::State::connect(Tenant& t, const std::string& body) {
    const Object::Ptr c = memberOf(body, "VoucherFileConnection");
    if (!c) return error(400, "Ingen eller felaktig typ av data.", 2001392);
    Connection conn{str(c, "FileId"), str(c, "VoucherSeries"), str(c, "VoucherNumber")};
    const bool file = std::any_of(t.files.begin(), t.files.end(), [&](const File& f) { return f.id == conn.fileId; });
    const bool voucher = std::any_of(t.vouchers.begin(), t.vouchers.end(), [&](const Voucher& v) {
        return v.series == conn.series && v.number == conn.number;
    });
    if (!file) return error(400, "Kunde inte hitta filen", 2000729);
    if (!voucher) return error(400, "Kunde inte hitta verifikationen", 2000729);
    // A connected file leaves the inbox for the archive's connected files (Fortnox support,
    // "Inbox"): it cannot be connected a second time. The wording is the double's own.
    if (std::any_of(t.connections.begin(), t.connections.end(), [&](const Connection& x) { return x.fileId == conn.fileId; }))
        return error(400, "Filen är redan kopplad", 2000729);
    t.connections.push_back(conn);
    return wrapped(201, "VoucherFileConnection", connectionObject(conn));
}

Answer FortnoxDouble::State::connection(Tenant& t, const std::string& fileId) {
    for (const auto& c : t.connections)
        if (c.fileId == fileId) return wrapped(200, "VoucherFileConnection", connectionObject(c));
    return error(404, "Kunde inte hitta kopplingen", 2000729);
}

Answer FortnoxDouble::State::list(Tenant& t, const std::string& what, const Poco::URI& uri) {
    std::vector<Object::Ptr> all;
    const Company& c = t.company;
    std::string member;
    if (what == "accounts") {
        member = "Accounts";
        for (const auto& [number, a] : c.accounts)
            all.push_back(objectOf({{"Number", std::stoi(number)}, {"Description", a.description}, {"Active", a.active},
                                    {"VATCode", a.vatCode}}));
    } else if (what == "costcenters") {
        member = "CostCenters";
        for (const auto& cc : c.costCenters)
            all.push_back(objectOf({{"Code", cc.code}, {"Description", cc.description}, {"Active", cc.active}}));
    } else if (what == "projects") {
        member = "Projects";
        for (const auto& pr : c.projects)
            all.push_back(objectOf({{"ProjectNumber", pr.number}, {"Description", pr.description}, {"Status", pr.status}}));
    } else {
        member = "Suppliers";
        for (const auto& su : c.suppliers)
            all.push_back(objectOf({{"SupplierNumber", su.number}, {"Name", su.name},
                                    {"OrganisationNumber", su.organisationNumber}, {"VATNumber", su.vatNumber},
                                    {"CountryCode", su.countryCode}, {"Currency", su.currency}, {"Active", su.active}}));
    }
    const Paging p = page(queryOf(uri), all.size());
    Array::Ptr list = new Array;
    for (std::size_t i = p.first; i < p.last; ++i) list->add(all[i]);
    Object::Ptr root = new Object;
    root->set("MetaInformation", p.meta);
    root->set(member, list);
    return {200, json(root)};
}

Answer FortnoxDouble::State::route(Tenant& t, const std::string& method, const std::string& path, const Poco::URI& uri,
                                   const std::string& contentType, const std::string& body) {
    std::vector<std::string> seg;
    std::istringstream in(path);
    for (std::string s; std::getline(in, s, '/');)
        if (!s.empty()) seg.push_back(s);
    if (method == "POST" && seg == std::vector<std::string>{"vouchers"}) return postVoucher(t, body);
    if (method == "POST" && seg == std::vector<std::string>{"inbox"}) return inbox(t, contentType, body);
    if (method == "POST" && seg == std::vector<std::string>{"voucherfileconnections"}) return connect(t, body);
    if (method == "GET" && seg.size() == 2 && seg[0] == "voucherfileconnections") return connection(t, seg[1]);
    if (method == "GET" && seg.size() == 3 && seg[0] == "vouchers" && seg[1] == "sublist") return sublist(t, seg[2], uri);
    if (method == "GET" && seg.size() == 3 && seg[0] == "vouchers")
        for (const auto& v : t.vouchers)
            if (v.series == seg[1] && v.number == seg[2]) {
                return wrapped(200, "Voucher", voucherObject(v, true));
            }
    if (method == "GET" && seg.size() == 2 && seg[0] == "voucherseries") {
        const auto& s = t.company.series;
        if (std::find(s.begin(), s.end(), seg[1]) == s.end()) return error(404, "Kan inte hitta verifikationsserien", 2000729);
        Object::Ptr o = new Object;
        o->set("Code", seg[1]);
        o->set("Description", "Serie " + seg[1]);
        return wrapped(200, "VoucherSeries", o);
    }
    if (method == "GET" && seg.size() == 1 && (seg[0] == "accounts" || seg[0] == "costcenters" || seg[0] == "projects" ||
                                             seg[0] == "suppliers"))
        return list(t, seg[0], uri);
    return error(404, "Resursen finns inte", 2000729);
}

void FortnoxDouble::State::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    std::string body;
    Poco::StreamCopier::copyToString(req.stream(), body);
    const Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    Answer answer;
    std::string retryAfterHeader;
    {
        std::lock_guard<std::mutex> lock(mutex);
        const auto slash = path.find('/', 1);
        const std::string tenantName = slash == std::string::npos ? "" : path.substr(1, slash - 1);
        const std::string rest = slash == std::string::npos ? "" : path.substr(slash);
        const std::int64_t now = steadyMs();
        Tenant& t = tenant(tenantName);
        while (!t.window.empty() && t.window.front() <= now - 5000) t.window.pop_front();
        if (rest.rfind("/3/", 0) != 0) {
            answer = error(404, "Resursen finns inte", 2000729);
        } else if (req.get("Authorization", "").rfind("Bearer ", 0) != 0) {
            answer = error(401, "Ogiltig inloggning", 2000310);
        } else if (rateLimitCount > 0) {
            --rateLimitCount;
            answer = error(429, "Too many requests", 0);
            if (retryAfter >= 0) retryAfterHeader = std::to_string(retryAfter);
        } else if (windowLimit > 0 && t.window.size() >= static_cast<std::size_t>(windowLimit)) {
            answer = error(429, "Too many requests", 0);
        } else {
            t.window.push_back(now);
            answer = route(t, req.getMethod(), rest.substr(2), uri, req.getContentType(), body);
        }
        log.push_back({req.getMethod(), req.getURI(), answer.first, now});
    }
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.first));
    resp.setContentType("application/json");
    if (!retryAfterHeader.empty()) resp.set("Retry-After", retryAfterHeader);
    resp.setContentLength(static_cast<std::streamsize>(answer.second.size()));
    resp.send() << answer.second;
}

FortnoxDouble::FortnoxDouble() : state_(std::make_unique<State>()) {
    state_->server = std::make_unique<xerotest::DoubleServer>(new Factory(*state_), 4, true);
    state_->port = state_->server->port();
}

FortnoxDouble::~FortnoxDouble() { state_->server.reset(); }  // joins the workers before the state goes

std::string FortnoxDouble::root() const { return "http://127.0.0.1:" + std::to_string(state_->port); }
std::string FortnoxDouble::baseUrl(const std::string& tenant) const { return root() + "/" + tenant + "/3"; }

FortnoxDouble::Company FortnoxDouble::defaultCompany() {
    Company c;
    for (const auto& [number, name, vat] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"1930", "Företagskonto", ""},        {"2440", "Leverantörsskulder", ""},
             {"2614", "Utgående moms omvänd skattskyldighet 25 %", ""},
             {"2624", "Utgående moms omvänd skattskyldighet 12 %", ""},
             {"2640", "Ingående moms", ""},        {"2645", "Beräknad ingående moms", ""},
             {"2890", "Övriga kortfristiga skulder", ""}, {"2900", "Upplupna kostnader", ""},
             {"5800", "Resekostnader", "MP1"},     {"6110", "Kontorsmateriel", "MP1"},
             {"6120", "Trycksaker", "MP2"},        {"6130", "Övriga kontorskostnader", ""},
             {"6540", "IT-tjänster", "MP1"}})
        c.accounts[number] = Account{number, name, true, vat};
    c.accounts["6999"] = Account{"6999", "Gammalt konto", false, ""};
    c.costCenters = {{"CC1", "Sälj", true}, {"CC2", "Utveckling", true}, {"OLD", "Nedlagd avdelning", false}};
    c.projects = {{"P100", "Lansering", "ONGOING"}, {"P200", "Mässa", "NOTSTARTED"}, {"P900", "Avslutat", "COMPLETED"}};
    c.suppliers = {{"1", "Kontorsgrossisten AB", "556677-8899", "SE556677889901", "SE", "SEK", true},
                   {"2", "Cloud Services Ltd", "", "IE1234567X", "IE", "EUR", true},
                   {"3", "Gamla Leverantören AB", "551122-3344", "", "SE", "SEK", false}};
    return c;
}

void FortnoxDouble::setCompany(const Company& company) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->company = company;
}

void FortnoxDouble::setCompany(const std::string& tenant, const Company& company) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->tenant(tenant).company = company;
}

void FortnoxDouble::rateLimitNext(int count, int retryAfterSeconds) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->rateLimitCount = count;
    state_->retryAfter = retryAfterSeconds;
}

void FortnoxDouble::setWindowLimit(int requests) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->windowLimit = requests;
}

std::vector<FortnoxDouble::Voucher> FortnoxDouble::vouchers(const std::string& tenant) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->tenant(tenant).vouchers;
}
std::vector<FortnoxDouble::File> FortnoxDouble::files(const std::string& tenant) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->tenant(tenant).files;
}
std::vector<FortnoxDouble::Connection> FortnoxDouble::connections(const std::string& tenant) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->tenant(tenant).connections;
}
std::vector<FortnoxDouble::Request> FortnoxDouble::requests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->log;
}

}  // namespace ledgerbridge::fortnoxtest
