// Pleo's Export API v3 client: see ExportsClient.h.
#include "ledgerbridge/pleo/ExportsClient.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>
#include <simdjson.h>

#include <algorithm>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Array;
using Poco::JSON::Object;

using json::enc;
using json::errorSummary;

namespace {

const char* kJson = "application/json;charset=UTF-8";

std::string str(const Object::Ptr& o, const std::string& key, const std::string& what, bool required = true) {
    if (!o->has(key) || o->isNull(key)) {
        if (required) throw ProtocolError("Pleo's answer to " + what + " lacks the required field '" + key + "'.");
        return {};
    }
    Poco::Dynamic::Var v = o->get(key);
    if (!v.isString()) throw ProtocolError("Pleo's answer to " + what + ": field '" + key + "' is not a string.");
    return v.extract<std::string>();
}

Array::Ptr arr(const Object::Ptr& o, const std::string& key, const std::string& what) {
    Array::Ptr a = o->has(key) ? o->getArray(key) : nullptr;
    if (!a) throw ProtocolError("Pleo's answer to " + what + " lacks the array '" + key + "'.");
    return a;
}

struct Pagination {
    std::string endCursor;
    bool hasNextPage = false;
};

Pagination pagination(const Object::Ptr& o, const std::string& what) {
    Object::Ptr p = o->has("pagination") ? o->getObject("pagination") : nullptr;
    if (!p) throw ProtocolError("Pleo's answer to " + what + " lacks 'pagination'.");
    Pagination out;
    if (!p->has("hasNextPage") || !p->get("hasNextPage").isBoolean())
        throw ProtocolError("Pleo's answer to " + what + " lacks 'pagination.hasNextPage'.");
    out.hasNextPage = p->getValue<bool>("hasNextPage");
    out.endCursor = str(p, "endCursor", what, out.hasNextPage);
    if (out.hasNextPage && out.endCursor.empty())
        throw ProtocolError("Pleo's answer to " + what + " says there is a next page but gives no endCursor.");
    return out;
}

exporter::JobInfo jobInfo(const Object::Ptr& o, const std::string& what) {
    exporter::JobInfo j;
    j.id = str(o, "id", what);
    j.status = str(o, "status", what);
    if (o->has("numberOfItems") && o->get("numberOfItems").isNumeric()) j.numberOfItems = o->getValue<Poco::Int64>("numberOfItems");
    return j;
}

Object::Ptr dataObject(const Object::Ptr& o, const std::string& what) {
    Object::Ptr d = o->has("data") ? o->getObject("data") : nullptr;
    if (!d) throw ProtocolError("Pleo's answer to " + what + " lacks the object 'data'.");
    return d;
}

/// A page of export items, the largest answers by far: read with simdjson (Poco::JSON's parse
/// and re-serialisation of every item was most of a run's CPU time). Each item is kept as
/// compact JSON, which is what the ledger stores and hashes.
exporter::ItemPage parseItemsPage(const std::string& body, const std::string& what) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto error = parser.parse(body).get(root))
        throw ProtocolError("Pleo's answer to " + what + " is not valid JSON (" + simdjson::error_message(error) + ", " +
                            std::to_string(body.size()) + " bytes); it may have been cut off.");
    simdjson::dom::object page;
    if (root.get(page)) throw ProtocolError("Pleo's answer to " + what + " is not a JSON object.");
    simdjson::dom::array data;
    if (page["data"].get(data)) throw ProtocolError("Pleo's answer to " + what + " lacks the array 'data'.");
    exporter::ItemPage out;
    out.items.reserve(data.size());
    out.summaries.reserve(data.size());
    std::size_t i = 0;
    for (simdjson::dom::element item : data) {
        if (!item.is_object())
            throw ProtocolError("Pleo's answer to " + what + " has an item that is not an object (position " + std::to_string(i) + ").");
        out.items.push_back(simdjson::minify(item));
        out.summaries.push_back(exporter::summarizeItem(out.items.back()));  // ProtocolError names the problem
        ++i;
    }
    simdjson::dom::object p;
    if (page["pagination"].get(p)) throw ProtocolError("Pleo's answer to " + what + " lacks 'pagination'.");
    if (p["hasNextPage"].get(out.hasNextPage))
        throw ProtocolError("Pleo's answer to " + what + " lacks 'pagination.hasNextPage'.");
    simdjson::dom::element end;
    bool hasEnd = !p["endCursor"].get(end) && !end.is_null();
    if (out.hasNextPage && !hasEnd)
        throw ProtocolError("Pleo's answer to " + what + " lacks the required field 'endCursor'.");
    if (hasEnd) {
        std::string_view cursor;
        if (end.get(cursor)) throw ProtocolError("Pleo's answer to " + what + ": field 'endCursor' is not a string.");
        out.endCursor = std::string(cursor);
    }
    if (out.hasNextPage && out.endCursor.empty())
        throw ProtocolError("Pleo's answer to " + what + " says there is a next page but gives no endCursor.");
    return out;
}

}  // namespace

std::string companyUuid(const std::string& companyId) {
    static const std::string prefix = "urn:pleo:company:";
    return companyId.rfind(prefix, 0) == 0 ? companyId.substr(prefix.size()) : companyId;
}

ExportsClient::ExportsClient(const config::EnvironmentProfile& profile, oauth::AuthorizationSource& auth, ClientOptions options)
    : apiBase_(profile.apiUrl),
      ownedTransport_(std::make_unique<http::PocoHttpTransport>(profile, options.timeoutSeconds)),
      transport_(ownedTransport_.get()),
      auth_(auth),
      options_(options) {
    while (!apiBase_.empty() && apiBase_.back() == '/') apiBase_.pop_back();
    limiter_ = std::make_unique<http::RateLimiter>(options_.requestsPerMinute);
    client_ = std::make_unique<http::ResilientClient>("Pleo", *transport_, *limiter_, options_.retry, options_.cancel);
}

ExportsClient::ExportsClient(std::string apiBase, http::HttpTransport& transport, oauth::AuthorizationSource& auth,
                             ClientOptions options)
    : apiBase_(std::move(apiBase)), transport_(&transport), auth_(auth), options_(options) {
    while (!apiBase_.empty() && apiBase_.back() == '/') apiBase_.pop_back();
    limiter_ = std::make_unique<http::RateLimiter>(options_.requestsPerMinute);
    client_ = std::make_unique<http::ResilientClient>("Pleo", *transport_, *limiter_, options_.retry, options_.cancel);
}

ExportsClient::~ExportsClient() = default;

std::int64_t ExportsClient::requestCount() const { return client_->stats().requests; }

http::HttpResponse ExportsClient::call(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                                       bool idempotent) {
    http::HttpRequest request;
    request.method = method;
    request.url = apiBase_ + pathAndQuery;
    request.headers = {{"Accept", "application/json"}};
    if (method != "GET") {
        request.contentType = kJson;
        request.body = body;
    }
    std::string header = auth_.authorizationHeader();
    request.headers.emplace_back("Authorization", header);
    http::HttpResponse response = client_->send(request, idempotent);
    if (response.status == 401) {
        // One refresh, one retry: a second 401 is final (see AuthorizationSource).
        request.headers.back().second = auth_.onUnauthorized(header);
        response = client_->send(request, idempotent);
        if (response.status == 401)
            throw AuthError("Pleo refused the connection's credential twice (" + errorSummary(response.body) + " on " + method +
                            " " + pathAndQuery.substr(0, pathAndQuery.find('?')) +
                            "); run `ledgerbridge auth login` for this connection.");
    }
    if (response.status == 403)
        throw AuthError("Pleo refused access to " + method + " " + pathAndQuery.substr(0, pathAndQuery.find('?')) + " (" +
                        errorSummary(response.body) +
                        "); the credential lacks a scope or belongs to another company. Check the connection's "
                        "company_id and run `ledgerbridge auth login` again with the needed scopes.");
    return response;
}

namespace {
[[noreturn]] void unexpected(const http::HttpResponse& r, const std::string& what) {
    throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " + errorSummary(r.body), r.status,
                          redact(r.body.substr(0, 500)));
}
}  // namespace

std::vector<exporter::JobInfo> ExportsClient::listJobs(const std::string& companyId, const std::vector<std::string>& statuses) {
    std::vector<exporter::JobInfo> jobs;
    std::string cursor;
    const std::string what = "GET /v3/export-jobs";
    for (int page = 0; page < 100000; ++page) {
        std::string q = "/v3/export-jobs?company_id=" + enc(companyUuid(companyId)) + "&limit=100";
        for (const auto& s : statuses) q += "&statuses=" + enc(s);
        if (!cursor.empty()) q += "&after=" + enc(cursor);
        auto r = call("GET", q, "", true);
        if (r.status != 200) unexpected(r, what);
        auto o = json::parse(r.body, what);
        auto data = arr(o, "data", what);
        for (std::size_t i = 0; i < data->size(); ++i) {
            auto j = data->getObject(static_cast<unsigned>(i));
            if (!j) throw ProtocolError("Pleo's answer to " + what + " has a job that is not an object.");
            jobs.push_back(jobInfo(j, what));
        }
        Pagination p = pagination(o, what);
        if (!p.hasNextPage) return jobs;
        if (p.endCursor == cursor) throw ProtocolError("Pleo's answer to " + what + " repeats the same cursor.");
        cursor = p.endCursor;
    }
    throw ProtocolError("Pleo's answer to " + what + " never ends (100000 pages).");
}

exporter::JobInfo ExportsClient::getJob(const std::string& jobId) {
    const std::string what = "GET /v3/export-jobs/" + jobId;
    auto r = call("GET", "/v3/export-jobs/" + enc(jobId), "", true);
    if (r.status == 404) throw exporter::JobClosedError("export job " + jobId + " no longer exists (" + errorSummary(r.body) + ")");
    if (r.status != 200) unexpected(r, what);
    return jobInfo(dataObject(json::parse(r.body, what), what), what);
}

exporter::JobInfo ExportsClient::createJob(const std::string& companyId, const std::vector<std::string>& entryIds) {
    const std::string what = "POST /v3/export-jobs";
    Object body;
    body.set("companyId", companyUuid(companyId));
    Array ids;
    for (const auto& id : entryIds) ids.add(id);
    body.set("accountingEntryIds", ids);
    body.set("isInteractive", false);
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(body, os);
    // Not idempotent: a retried create after a lost answer meets 409 below, which is handled.
    auto r = call("POST", "/v3/export-jobs", os.str(), false);
    if (r.status == 400 && errorSummary(r.body).rfind("MISSING_CONTRA_ACCOUNTS", 0) == 0)
        throw exporter::MissingContraAccountsError("Pleo refused to create an export job: " + errorSummary(r.body) +
                                                   ". Map a contra account for every Pleo account in Pleo's Accounting "
                                                   "settings; ledgerbridge tries again when the configuration or the day changes.");
    if (r.status == 409) throw exporter::JobAlreadyActiveError("Pleo already has an active export job for this company (" + errorSummary(r.body) + ")");
    if (r.status != 201 && r.status != 200) unexpected(r, what);
    return jobInfo(dataObject(json::parse(r.body, what), what), what);
}

void ExportsClient::postEvent(const std::string& jobId, const std::string& event, const std::string& failureReasonType,
                              const std::string& failureReason) {
    const std::string what = "POST /v3/export-job-events (" + event + ")";
    Object body;
    body.set("event", event);
    body.set("jobId", jobId);
    if (!failureReasonType.empty()) body.set("failureReasonType", failureReasonType);
    if (!failureReason.empty()) body.set("failureReason", redact(failureReason));
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(body, os);
    // Events are safe to resend: an event that was already applied comes back as 422, which the
    // engine resolves by reading the job's status.
    auto r = call("POST", "/v3/export-job-events", os.str(), true);
    if (r.status == 422 || r.status == 404)
        throw exporter::JobClosedError("Pleo refused the '" + event + "' event for job " + jobId + " (" + errorSummary(r.body) + ")");
    if (r.status != 202 && r.status != 200 && r.status != 204) unexpected(r, what);
}

exporter::ItemPage ExportsClient::exportItems(const std::string& jobId, const std::string& cursor, int limit) {
    const std::string what = "GET /v3/export-items";
    std::string q = "/v3/export-items?job_id=" + enc(jobId) + "&limit=" + std::to_string(limit);
    if (!cursor.empty()) q += "&after=" + enc(cursor);
    auto r = call("GET", q, "", true);
    if (r.status == 404 || r.status == 422)
        throw exporter::JobClosedError("the items of export job " + jobId + " can no longer be read (" + errorSummary(r.body) + ")");
    if (r.status != 200) unexpected(r, what);
    return parseItemsPage(r.body, what);
}

exporter::JobItemPage ExportsClient::jobItems(const std::string& jobId, const std::string& cursor, int limit) {
    const std::string what = "GET /v3/export-jobs/" + jobId + "/items";
    std::string q = "/v3/export-jobs/" + enc(jobId) + "/items?limit=" + std::to_string(limit);
    if (!cursor.empty()) q += "&after=" + enc(cursor);
    auto r = call("GET", q, "", true);
    if (r.status == 404) throw exporter::JobClosedError("export job " + jobId + " no longer exists (" + errorSummary(r.body) + ")");
    if (r.status != 200) unexpected(r, what);
    auto o = json::parse(r.body, what);
    auto data = arr(o, "data", what);
    exporter::JobItemPage page;
    for (std::size_t i = 0; i < data->size(); ++i) {
        auto item = data->getObject(static_cast<unsigned>(i));
        if (!item) throw ProtocolError("Pleo's answer to " + what + " has an item that is not an object.");
        page.items.push_back({str(item, "accountingEntryId", what), str(item, "status", what), str(item, "externalId", what, false)});
    }
    Pagination p = pagination(o, what);
    page.endCursor = p.endCursor;
    page.hasNextPage = p.hasNextPage;
    return page;
}

std::vector<std::string> ExportsClient::searchReadyEntries(const std::string& companyId,
                                                           const exporter::ReadyEntriesFilter& filter, int max) {
    const std::string what = "POST /v1/accounting-entries:search";
    // Ready = not exported and not in a job (CREATED, NOT_EXPORTED), settled so the amount is
    // final (COMPLETED, COMPLETED_EXTERNALLY), not deleted, reviewed as the connection says.
    Object body;
    body.set("includeDeleted", false);
    Array exportStatus, status, review, families;
    for (const char* s : {"CREATED", "NOT_EXPORTED"}) exportStatus.add(std::string(s));
    for (const char* s : {"COMPLETED", "COMPLETED_EXTERNALLY"}) status.add(std::string(s));
    for (const auto& s : filter.reviewStatus) review.add(s);
    for (const auto& s : filter.families) families.add(s);
    body.set("exportStatus", exportStatus);
    body.set("status", status);
    if (!filter.reviewStatus.empty()) body.set("reviewStatus", review);
    if (!filter.families.empty()) body.set("families", families);
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(body, os);
    std::vector<std::string> ids;
    std::string cursor;
    while (static_cast<int>(ids.size()) < max) {
        const int limit = std::min(100, max - static_cast<int>(ids.size()));
        std::string q = "/v1/accounting-entries:search?company_id=" + enc(companyUuid(companyId)) + "&limit=" + std::to_string(limit);
        if (!cursor.empty()) q += "&after=" + enc(cursor);
        // A search changes nothing: safe to retry.
        auto r = call("POST", q, os.str(), true);
        if (r.status != 200) unexpected(r, what);
        auto o = json::parse(r.body, what);
        auto data = arr(o, "data", what);
        for (std::size_t i = 0; i < data->size() && static_cast<int>(ids.size()) < max; ++i) {
            auto e = data->getObject(static_cast<unsigned>(i));
            if (!e) throw ProtocolError("Pleo's answer to " + what + " has an entry that is not an object.");
            ids.push_back(str(e, "id", what));
        }
        Pagination p = pagination(o, what);
        if (!p.hasNextPage) break;
        if (p.endCursor == cursor) throw ProtocolError("Pleo's answer to " + what + " repeats the same cursor.");
        cursor = p.endCursor;
    }
    return ids;
}

std::vector<exporter::ItemRejection> ExportsClient::putResults(const std::string& jobId,
                                                                const std::vector<exporter::ItemResult>& results) {
    const std::string what = "PUT /v3/export-jobs/" + jobId + "/items";
    if (results.size() > 100)
        throw ProtocolError("internal: " + std::to_string(results.size()) + " results in one PUT; Pleo takes at most 100.");
    Array body;
    for (const auto& res : results) {
        Object u;
        u.set("accountingEntryId", res.accountingEntryId);
        u.set("status", res.successful ? "successful" : "failed");
        if (res.successful) {
            if (!res.externalId.empty()) u.set("externalId", res.externalId);
            if (!res.externalUrl.empty()) u.set("externalUrl", res.externalUrl);
            if (!res.exportedAt.empty()) u.set("exportedAt", res.exportedAt);
        } else {
            u.set("failureReasonType", res.failureReasonType);
            if (!res.failureReason.empty()) u.set("failureReason", redact(res.failureReason));
        }
        body.add(u);
    }
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(body, os);
    // Results are idempotent: the same status for the same entry can be sent again.
    auto r = call("PUT", "/v3/export-jobs/" + enc(jobId) + "/items", os.str(), true);
    if (r.status == 404 || r.status == 422)
        throw exporter::JobClosedError("Pleo no longer accepts results for job " + jobId + " (" + errorSummary(r.body) + ")");
    if (r.status != 200) unexpected(r, what);
    auto o = json::parse(r.body, what);
    std::vector<exporter::ItemRejection> rejected;
    if (o->has("errors")) {
        auto errors = o->getArray("errors");
        for (std::size_t i = 0; errors && i < errors->size(); ++i) {
            auto e = errors->getObject(static_cast<unsigned>(i));
            if (!e) continue;
            // Pleo did not record this result: the engine keeps it unacknowledged (sent again by
            // the next report, listed in the run's report), and it is said loudly here.
            exporter::ItemRejection rej{e->optValue<std::string>("accountingEntryId", ""), e->optValue<std::string>("type", ""),
                                        redact(e->optValue<std::string>("message", ""))};
            log::error("Pleo did not accept a result", {{"job", jobId}, {"entry", rej.accountingEntryId},
                                                        {"type", rej.type}, {"message", rej.message}});
            rejected.push_back(std::move(rej));
        }
    }
    return rejected;
}

std::string ExportsClient::download(const std::string& url) {
    // Receipt URLs are pre-signed and may point at another host: never send our credential there.
    http::HttpRequest request;
    request.url = url;
    auto r = client_->send(request, true);
    if (r.status != 200) {
        std::string shown = url.substr(0, url.find('?'));
        throw HttpStatusError("The receipt " + shown + " could not be downloaded (HTTP " + std::to_string(r.status) +
                                  (r.status == 403 || r.status == 410 ? "; its link has expired" : "") + ")",
                              r.status);
    }
    return r.body;
}

}  // namespace ledgerbridge::pleo
