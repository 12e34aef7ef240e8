// Handlers of /v3/... and /files/...
#include "ExportApiHandlers.h"

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

const std::set<std::string> kJobFailureTypes = {
    "invalid_configuration", "missing_configuration", "authentication_failure",
    "accounting_system_authentication_failure", "pleo_rate_limit", "accounting_system_rate_limit",
    "service_unreachable", "accounting_system_unreachable", "validation_failure", "authorization_failure",
    "integration_unusable", "job_expired", "service_timeout", "accounting_system_timeout", "canceled_by_user"};
const std::set<std::string> kItemFailureTypes = {
    "receipt_upload_failure", "receipt_download_failure", "receipt_file_size_limit_exceeded",
    "receipt_conversion_failure", "unexpected_failure", "invalid_configuration", "missing_configuration",
    "accounting_system_authentication_failure", "accounting_system_rate_limit", "accounting_system_unreachable",
    "validation_failure", "accounting_system_validation_failure", "authorization_failure",
    "accounting_system_timeout", "vendor_unknown", "account_unknown", "tax_code_unknown", "tag_unknown"};
const std::set<std::string> kJobStatuses = {"pending", "in_progress", "failed", "completed", "completed_with_errors"};
const std::set<std::string> kItemStatuses = {"pending", "in_progress", "failed", "successful", "abandoned"};

Job& jobFor(SimState& s, const Principal& p, const std::string& jobId) {
    if (!isUuid(jobId)) throw ApiError(400, "INVALID_JOB_ID", "The job id must be a UUID.");
    Job* j = s.jobs.find(jobId);
    // Another company's job is reported as absent, not forbidden: ids must not leak.
    if (!j || j->company != p.company) throw ApiError(404, "EXPORT_NOT_FOUND", "Export job not found.");
    s.jobStarts.touched(j->id);  // the client's first request naming the job: its export started
    return *j;
}

Object::Ptr jobItemJson(const Job& j, std::size_t pos, const SimState& s) {
    ItemUpdate u = j.itemState(pos);
    auto nullable = [](const std::string& v) { return v.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(v); };
    Object::Ptr o = new Object;
    o->set("accountingEntryId", s.generator.accountingEntryId({j.company, j.items[pos]}));
    o->set("exportJobId", j.id);
    o->set("status", u.status);
    o->set("exportedAt", nullable(u.exportedAt));
    o->set("externalId", nullable(u.externalId));
    o->set("externalUrl", nullable(u.externalUrl));
    o->set("failureReason", nullable(u.failureReason));
    if (!u.failureReasonType.empty()) o->set("failureReasonType", u.failureReasonType);
    return o;
}

Reply paged(const Array::Ptr& data, const Object::Ptr& pagination) {
    Object::Ptr o = new Object;
    o->set("data", data);
    o->set("pagination", pagination);
    return jsonReply(200, o);
}

void requireContraAccounts(const SimState& s, int company) {
    if (s.contraMissing[static_cast<std::size_t>(company)])
        throw ApiError(400, "MISSING_CONTRA_ACCOUNTS",
                       "Contra accounts are not fully configured. Please map contra accounts in the Accounting settings.");
}

bool boolField(const Object::Ptr& o, const std::string& name, bool dflt) {
    if (!o || !o->has(name) || o->isNull(name)) return dflt;
    Poco::Dynamic::Var v = o->get(name);
    if (!v.isBoolean()) throw ApiError(400, "INVALID_REQUEST_BODY", "The field '" + name + "' must be a boolean.");
    return v.extract<bool>();
}

}  // namespace

Poco::JSON::Object::Ptr jobJson(SimState& s, const Job& job) {
    Object::Ptr o = s.jobs.toJson(job, s.clock.now());
    o->set("companyId", s.catalog.companies().at(static_cast<std::size_t>(job.company)).id);
    return o;
}

Job& createJobAndNotify(SimState& s, int company, std::vector<std::uint32_t> items, bool interactive, bool vendorBased,
                        const std::string& createdBy) {
    Job& j = s.jobs.create(company, std::move(items), interactive, vendorBased, createdBy, s.clock.now());
    s.jobStarts.created(j.id);
    Object::Ptr data = new Object;
    data->set("id", j.id);
    data->set("jobId", j.id);
    data->set("companyId", s.catalog.companies().at(static_cast<std::size_t>(company)).id);
    data->set("status", j.status);
    data->set("isInteractive", j.isInteractive);
    data->set("numberOfItems", static_cast<Poco::Int64>(j.items.size()));
    s.webhooks.publish("v1.export-job.created", data, isoTime(s.clock.now()));
    return j;
}

Reply listJobs(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:read");
    PageRequest page = parsePageRequest(req, {"company_id", "statuses"});
    std::string companyId = req.param("company_id");
    if (!companyId.empty()) {
        if (!isUuid(companyId)) throw ApiError(400, "INVALID_COMPANY_ID", "company_id must be a UUID.");
        const Company* c = s.catalog.byId(companyId);
        if (!c || c->index != p.company) throw ApiError(403, "FORBIDDEN", "The credential is not valid for this company.");
    }
    std::set<std::string> statuses;
    for (const auto& st : req.params("statuses")) {
        if (!kJobStatuses.count(st)) throw ApiError(400, "INVALID_STATUS", "Unknown job status '" + st + "'.");
        statuses.insert(st);
    }
    s.jobs.expire(s.clock.now());
    std::vector<const Job*> rows;
    for (const Job* j : s.jobs.ordered())
        if (j->company == p.company && (statuses.empty() || statuses.count(j->status))) rows.push_back(j);
    auto key = [&](std::size_t i) { return rows[i]->seq; };
    PageSlice slice = slicePage(page, rows.size(), key);
    Array::Ptr data = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i) data->add(jobJson(s, *rows[i]));
    return paged(data, pageInfo(page, slice, rows.size(), key));
}

Reply createJob(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:write");
    Poco::Dynamic::Var body = parseJsonBody(req.body);
    if (body.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    Object::Ptr o = body.extract<Object::Ptr>();
    std::string companyId = stringField(o, "companyId");
    if (companyId.empty() || !o->has("accountingEntryIds"))
        throw ApiError(400, "INVALID_REQUEST_BODY", "companyId and accountingEntryIds are required.");
    if (!isUuid(companyId)) throw ApiError(400, "INVALID_REQUEST_BODY", "companyId must be a UUID.");
    const Company* co = s.catalog.byId(companyId);
    if (!co || co->index != p.company) throw ApiError(403, "FORBIDDEN", "The credential is not valid for this company.");
    Array::Ptr ids = o->getArray("accountingEntryIds");
    if (!ids) throw ApiError(400, "INVALID_REQUEST_BODY", "accountingEntryIds must be an array of UUIDs.");
    std::vector<std::uint32_t> items;
    for (std::size_t i = 0; i < ids->size(); ++i) {
        Poco::Dynamic::Var v = ids->get(static_cast<unsigned>(i));
        if (!v.isString()) throw ApiError(400, "INVALID_REQUEST_BODY", "accountingEntryIds must be an array of UUIDs.");
        auto ref = s.generator.parse(v.extract<std::string>());
        if (!ref || ref->company != p.company)
            throw ApiError(400, "ACCOUNTING_ENTRY_DOES_NOT_EXIST",
                           "Accounting entry " + v.extract<std::string>() + " does not exist in this company.");
        items.push_back(static_cast<std::uint32_t>(ref->index));
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    bool interactive = boolField(o, "isInteractive", true);
    bool vendorBased = false;
    if (o->has("options") && !o->isNull("options")) {
        Object::Ptr opts = o->getObject("options");
        if (!opts) throw ApiError(400, "INVALID_REQUEST_BODY", "options must be an object.");
        vendorBased = boolField(opts, "vendorBasedBookkeeping", false);
    }
    std::string employee = stringField(o, "employeeId");
    requireContraAccounts(s, p.company);
    s.jobs.expire(s.clock.now());
    Job& j = createJobAndNotify(s, p.company, std::move(items), interactive, vendorBased, employee);
    Object::Ptr out = new Object;
    out->set("data", jobJson(s, j));
    return jsonReply(201, out);
}

Reply getJob(SimState& s, const Request& req, const std::string& jobId) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:read");
    s.jobs.expire(s.clock.now());
    Object::Ptr out = new Object;
    out->set("data", jobJson(s, jobFor(s, p, jobId)));
    return jsonReply(200, out);
}

Reply listJobItems(SimState& s, const Request& req, const std::string& jobId) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:read");
    PageRequest page = parsePageRequest(req, {"status"});
    std::string status = req.param("status");
    if (req.has("status") && !kItemStatuses.count(status))
        throw ApiError(400, "INVALID_STATUS", "Unknown item status '" + status + "'.");
    s.jobs.expire(s.clock.now());
    const Job& j = jobFor(s, p, jobId);
    // Unfiltered: the rows are the job's positions; filtered: the matching positions.
    std::vector<std::uint32_t> positions;
    if (!status.empty())
        for (std::size_t i = 0; i < j.items.size(); ++i)
            if (j.itemState(i).status == status) positions.push_back(static_cast<std::uint32_t>(i));
    std::size_t count = status.empty() ? j.items.size() : positions.size();
    auto key = [&](std::size_t i) -> std::uint64_t { return status.empty() ? i : positions[i]; };
    PageSlice slice = slicePage(page, count, key);
    Array::Ptr data = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i) data->add(jobItemJson(j, key(i), s));
    return paged(data, pageInfo(page, slice, count, key));
}

Reply updateJobItems(SimState& s, const Request& req, const std::string& jobId) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:write");
    s.jobs.expire(s.clock.now());
    Job& j = jobFor(s, p, jobId);
    Poco::Dynamic::Var body = parseJsonBody(req.body);
    if (body.type() != typeid(Array::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON array of item updates.");
    Array::Ptr arr = body.extract<Array::Ptr>();
    if (arr->size() > 100)
        throw ApiError(413, "EXPORT_JOB_ITEMS_UPDATE_LIMIT", "Number of items to update is more than 100.");
    if (j.finished()) throw ApiError(422, "EXPORT_JOB_STATUS_UNPROCESSABLE", "Export job is finished.");
    // Validate the whole request before changing anything.
    struct Change {
        std::string entryId;
        ItemUpdate update;
    };
    std::vector<Change> changes;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        Object::Ptr u = arr->getObject(static_cast<unsigned>(i));
        if (!u) throw ApiError(400, "INVALID_REQUEST_BODY", "Every item update must be an object.");
        Change c;
        c.entryId = stringField(u, "accountingEntryId");
        c.update.status = stringField(u, "status");
        if (c.entryId.empty() || c.update.status.empty())
            throw ApiError(400, "INVALID_REQUEST_BODY", "accountingEntryId and status are required in every item update.");
        if (!isUuid(c.entryId)) throw ApiError(400, "INVALID_REQUEST_BODY", "accountingEntryId must be a UUID.");
        if (!kItemStatuses.count(c.update.status) || c.update.status == "abandoned")
            throw ApiError(400, "INVALID_REQUEST_BODY", "status must be pending, in_progress, successful or failed.");
        c.update.externalId = stringField(u, "externalId");
        c.update.externalUrl = stringField(u, "externalUrl");
        c.update.exportedAt = stringField(u, "exportedAt");
        c.update.failureReason = stringField(u, "failureReason");
        c.update.failureReasonType = stringField(u, "failureReasonType");
        if (!c.update.failureReasonType.empty() && !kItemFailureTypes.count(c.update.failureReasonType))
            throw ApiError(400, "INVALID_REQUEST_BODY", "Unknown failureReasonType '" + c.update.failureReasonType + "'.");
        if (c.update.status == "successful" && c.update.exportedAt.empty()) c.update.exportedAt = isoTime(s.clock.now());
        changes.push_back(std::move(c));
    }
    Array::Ptr data = new Array, errors = new Array;
    for (auto& c : changes) {
        auto ref = s.generator.parse(c.entryId);
        std::size_t pos = j.items.size();
        if (ref && ref->company == j.company) {
            auto it = std::lower_bound(j.items.begin(), j.items.end(), static_cast<std::uint32_t>(ref->index));
            if (it != j.items.end() && *it == ref->index) pos = static_cast<std::size_t>(it - j.items.begin());
        }
        if (pos == j.items.size()) {
            Object::Ptr e = new Object;
            e->set("accountingEntryId", c.entryId);
            e->set("type", "ACCOUNTING_ENTRY_DOES_NOT_EXIST");
            e->set("message", "The accounting entry is not part of this export job.");
            errors->add(e);
            continue;
        }
        j.update(pos, c.update);
        if (c.update.status == "successful") s.jobs.markExported(j.company, j.items[pos]);
        data->add(jobItemJson(j, pos, s));
    }
    j.lastUpdatedAt = s.clock.now();  // every PUT keeps the job alive
    Object::Ptr out = new Object;
    out->set("data", data);
    out->set("errors", errors);
    return jsonReply(200, out);
}

Reply createJobEvent(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:write");
    Poco::Dynamic::Var body = parseJsonBody(req.body);
    if (body.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    Object::Ptr o = body.extract<Object::Ptr>();
    std::string event = stringField(o, "event"), jobId = stringField(o, "jobId");
    if (event.empty() || jobId.empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "event and jobId are required.");
    if (event != "started" && event != "failed" && event != "completed" && event != "completed_with_errors")
        throw ApiError(400, "INVALID_REQUEST_BODY", "event must be started, failed, completed or completed_with_errors.");
    std::string reasonType = stringField(o, "failureReasonType");
    if (!reasonType.empty() && !kJobFailureTypes.count(reasonType))
        throw ApiError(400, "INVALID_REQUEST_BODY", "Unknown failureReasonType '" + reasonType + "'.");
    s.jobs.expire(s.clock.now());
    Job& j = jobFor(s, p, jobId);
    s.jobs.applyEvent(j, event, stringField(o, "failureReason"), reasonType, s.clock.now());
    Reply r;
    r.status = 202;
    r.contentType = "";
    return r;
}

Reply listExportItems(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-items:read");
    PageRequest page = parsePageRequest(req, {"job_id"});
    std::string jobId = req.param("job_id");
    if (jobId.empty()) throw ApiError(400, "INVALID_REQUEST", "job_id is required.");
    s.jobs.expire(s.clock.now());
    const Job& j = jobFor(s, p, jobId);
    requireContraAccounts(s, p.company);
    if (j.finished())
        throw ApiError(422, "EXPORT_JOB_STATUS_UNPROCESSABLE", "Export Job is finished and can no longer be processed.");
    auto key = [](std::size_t i) -> std::uint64_t { return i; };
    PageSlice slice = slicePage(page, j.items.size(), key);
    const std::int64_t now = s.clock.now();
    const std::string base = req.baseUrl;
    auto fileUrl = [&](const ItemRef& ref, const std::string& kind) {
        return base + s.receipts.signedPath(ref.company, ref.index, kind, now);
    };
    Array::Ptr data = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i) {
        Object::Ptr item = s.generator.item({j.company, j.items[i]}, base, fileUrl);
        if (!j.vendorBasedBookkeeping && item->has("vendor") && item->getValue<std::string>("type") != "invoice")
            item->remove("vendor");
        data->add(item);
    }
    return paged(data, pageInfo(page, slice, j.items.size(), key));
}

Reply getJobItemByEntry(SimState& s, const Request& req) {
    std::lock_guard<std::mutex> lock(s.mutex);
    Principal p = authenticate(s, req, "export-jobs:read");
    auto ref = s.generator.parse(req.param("accounting_entry_id"));
    s.jobs.expire(s.clock.now());
    if (ref && ref->company == p.company) {
        // The newest job holding the entry answers.
        const auto& jobs = s.jobs.ordered();
        for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
            const Job& j = **it;
            if (j.company != p.company) continue;
            auto pos = std::lower_bound(j.items.begin(), j.items.end(), static_cast<std::uint32_t>(ref->index));
            if (pos != j.items.end() && *pos == ref->index) {
                Object::Ptr out = new Object;
                out->set("data", jobItemJson(j, static_cast<std::size_t>(pos - j.items.begin()), s));
                return jsonReply(200, out);
            }
        }
    }
    throw ApiError(404, "EXPORT_ENTRY_NOT_FOUND", "Export Job Item not found");
}

Reply getFile(SimState& s, const Request& req, const std::vector<std::string>& seg) {
    // seg: files, company, index, kind
    if (seg.size() != 4 || (seg[3] != "pdf" && seg[3] != "png")) throw ApiError(404, "NOT_FOUND", "No such file.");
    int company = 0;
    std::uint64_t index = 0;
    try {
        company = std::stoi(seg[1]);
        index = std::stoull(seg[2]);
    } catch (const std::exception&) {
        throw ApiError(404, "NOT_FOUND", "No such file.");
    }
    if (company < 0 || company >= static_cast<int>(s.catalog.companies().size()) || index >= s.generator.itemsPerCompany())
        throw ApiError(404, "NOT_FOUND", "No such file.");
    std::string why = s.receipts.verify(company, index, seg[3], req.param("expires"), req.param("signature"), s.clock.now());
    if (!why.empty()) throw ApiError(403, "FILE_URL_EXPIRED", why);
    Reply r;
    r.contentType = Receipts::mimeType(seg[3]);
    r.body = Receipts::bytes(company, index, seg[3]);
    return r;
}

}  // namespace lbsim
