// Job lifecycle rules and the ExportJobV3 rendering.
#include "JobStore.h"

#include <cctype>

#include "Clock.h"
#include "Http.h"
#include "Ids.h"

namespace lbsim {

ItemUpdate Job::itemState(std::size_t pos) const {
    auto it = updates.find(items[pos]);
    if (it != updates.end()) {
        ItemUpdate u = it->second;
        // Items still open when the job ended are abandoned too.
        if (finished() && (u.status == "pending" || u.status == "in_progress")) {
            u.status = "abandoned";
            u.failureReasonType = failureReasonType == "job_expired" ? "job_expired" : "";
        }
        return u;
    }
    ItemUpdate u;
    u.status = finished() ? "abandoned" : "pending";
    if (finished() && failureReasonType == "job_expired") {
        u.failureReasonType = "job_expired";
        u.failureReason = "Job not updated within expiry time limit.";
    }
    return u;
}

JobStore::JobStore(int companies, std::uint64_t itemsPerCompany, int jobTtl) : jobTtl_(jobTtl) {
    exported_.assign(static_cast<std::size_t>(companies), std::vector<bool>(itemsPerCompany, false));
}

void JobStore::expire(std::int64_t now) {
    for (Job* j : ordered_) {
        if (!j->finished() && now >= j->lastUpdatedAt + jobTtl_) {
            j->status = "failed";
            j->failureReasonType = "job_expired";
            j->failureReason = "Job not updated within expiry time limit.";
            j->expiredAt = j->lastUpdatedAt + jobTtl_;
        }
    }
}

Job* JobStore::active(int company) {
    for (Job* j : ordered_)
        if (j->company == company && !j->finished()) return j;
    return nullptr;
}

Job* JobStore::find(const std::string& id) {
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = jobs_.find(lower);
    return it == jobs_.end() ? nullptr : &it->second;
}

Job& JobStore::create(int company, std::vector<std::uint32_t> items, bool interactive, bool vendorBased,
                      const std::string& createdBy, std::int64_t now) {
    if (active(company))
        throw ApiError(409, "EXPORT_ALREADY_IN_PROGRESS", "Export Job already in progress for this company.");
    Job j;
    j.seq = nextSeq_++;
    j.id = uuidFrom(mix64(j.seq ^ static_cast<std::uint64_t>(now)) ^ hashString(randomToken(8)), mix64(j.seq));
    j.company = company;
    j.items = std::move(items);
    j.createdAt = j.lastUpdatedAt = now;
    j.isInteractive = interactive;
    j.vendorBasedBookkeeping = vendorBased;
    j.createdBy = createdBy;
    auto it = jobs_.emplace(j.id, std::move(j)).first;
    ordered_.push_back(&it->second);
    return it->second;
}

std::vector<std::uint32_t> JobStore::readyItems(int company, std::uint64_t limit) const {
    std::vector<std::uint32_t> out;
    const auto& bits = exported_[static_cast<std::size_t>(company)];
    for (std::size_t i = 0; i < bits.size() && out.size() < limit; ++i)
        if (!bits[i]) out.push_back(static_cast<std::uint32_t>(i));
    return out;
}

void JobStore::applyEvent(Job& job, const std::string& event, const std::string& reason, const std::string& reasonType,
                          std::int64_t now) {
    const std::string from = job.status;
    bool ok = false;
    if (event == "started" && from == "pending") {
        job.status = "in_progress";
        job.startedAt = now;
        ok = true;
    } else if ((event == "completed" || event == "completed_with_errors") && from == "in_progress") {
        job.status = event;
        job.completedAt = now;
        ok = true;
    } else if (event == "failed" && (from == "pending" || from == "in_progress")) {
        job.status = "failed";
        job.completedAt = now;
        job.failureReason = reason;
        job.failureReasonType = reasonType;
        ok = true;
    }
    if (!ok)
        throw ApiError(422, "INVALID_EXPORT_JOB_STATUS_CHANGE",
                       "Export Job status change failed: cannot apply '" + event + "' to a job that is " + from + ".");
    job.lastUpdatedAt = now;
}

Poco::JSON::Object::Ptr JobStore::toJson(const Job& j, std::int64_t now) const {
    auto orNull = [](std::int64_t t) { return t ? Poco::Dynamic::Var(isoTime(t)) : Poco::Dynamic::Var(); };
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", j.id);
    o->set("companyId", std::string());  // filled by the caller, which knows the catalog
    o->set("status", j.status);
    o->set("createdAt", isoTime(j.createdAt));
    o->set("createdBy", j.createdBy.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(j.createdBy));
    o->set("lastUpdatedAt", orNull(j.lastUpdatedAt));
    o->set("startedAt", orNull(j.startedAt));
    o->set("completedAt", orNull(j.completedAt));
    o->set("expiredAt", orNull(j.expiredAt));
    std::int64_t left = j.finished() ? 0 : j.lastUpdatedAt + jobTtl_ - now;
    o->set("expiresIn", static_cast<int>(left < 0 ? 0 : left));
    o->set("isInteractive", j.isInteractive);
    o->set("numberOfItems", static_cast<Poco::Int64>(j.items.size()));
    o->set("vendorBasedBookkeeping", j.vendorBasedBookkeeping);
    o->set("failureReason", j.failureReason.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(j.failureReason));
    if (!j.failureReasonType.empty()) o->set("failureReasonType", j.failureReasonType);
    return o;
}

void JobStore::clear() {
    jobs_.clear();
    ordered_.clear();
    for (auto& b : exported_) b.assign(b.size(), false);
}

}  // namespace lbsim
