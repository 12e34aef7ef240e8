// Job lifecycle rules and the ExportJobV3 rendering.
#include "JobStore.h"

#include <cctype>
#include <cstring>

#include "Clock.h"
#include "Http.h"
#include "Ids.h"

namespace lbsim {

namespace {

// The order of an update record's fields in Job's update log.
std::string ItemUpdate::*const kRecordFields[] = {&ItemUpdate::status,        &ItemUpdate::externalId,
                                                  &ItemUpdate::externalUrl,   &ItemUpdate::exportedAt,
                                                  &ItemUpdate::failureReason, &ItemUpdate::failureReasonType};

}  // namespace

void Job::update(std::size_t pos, const ItemUpdate& u) {
    if (updateAt_.empty()) updateAt_.assign(items.size(), 0);
    updateAt_.at(pos) = updateLog_.size() + 1;
    for (auto field : kRecordFields) {
        const std::string& v = u.*field;
        const auto size = static_cast<std::uint32_t>(v.size());  // bodies are far below 4 GB
        updateLog_.append(reinterpret_cast<const char*>(&size), sizeof size);
        updateLog_.append(v);
    }
}

ItemUpdate Job::itemState(std::size_t pos) const {
    if (pos < updateAt_.size() && updateAt_[pos] != 0) {
        ItemUpdate u;
        const char* p = updateLog_.data() + (updateAt_[pos] - 1);
        for (auto field : kRecordFields) {
            std::uint32_t size = 0;
            std::memcpy(&size, p, sizeof size);
            (u.*field).assign(p + sizeof size, size);
            p += sizeof size + size;
        }
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

// A company's bits are allocated on its first successful export (see markExported), and each
// company's latest job is indexed: at 10,000 companies an eager bit vector per company and a
// scan of every job per request made the simulator the bottleneck of the service benchmark.
JobStore::JobStore(int companies, std::uint64_t itemsPerCompany, int jobTtl)
    : jobTtl_(jobTtl), items_(itemsPerCompany), exported_(static_cast<std::size_t>(companies)),
      latest_(static_cast<std::size_t>(companies), nullptr) {}

void JobStore::expire(std::int64_t now) {
    // Only jobs not yet finished are looked at; finished ones leave the list here.
    std::size_t kept = 0;
    for (Job* j : open_) {
        if (!j->finished() && now >= j->lastUpdatedAt + jobTtl_) {
            j->status = "failed";
            j->failureReasonType = "job_expired";
            j->failureReason = "Job not updated within expiry time limit.";
            j->expiredAt = j->lastUpdatedAt + jobTtl_;
        }
        if (!j->finished()) open_[kept++] = j;
    }
    open_.resize(kept);
}

Job* JobStore::active(int company) {
    // At most one job of a company is unfinished (create() refuses a second), and it is the latest.
    Job* j = latest_.at(static_cast<std::size_t>(company));
    return j && !j->finished() ? j : nullptr;
}

void JobStore::markExported(int company, std::uint32_t index) {
    auto& bits = exported_.at(static_cast<std::size_t>(company));
    if (bits.empty()) bits.assign(items_, false);
    bits.at(index) = true;
}

bool JobStore::isExported(int company, std::uint32_t index) const {
    const auto& bits = exported_.at(static_cast<std::size_t>(company));
    return !bits.empty() && bits.at(index);
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
    open_.push_back(&it->second);
    latest_[static_cast<std::size_t>(company)] = &it->second;
    return it->second;
}

std::vector<std::uint32_t> JobStore::readyItems(int company, std::uint64_t limit) const {
    std::vector<std::uint32_t> out;
    const auto& bits = exported_.at(static_cast<std::size_t>(company));
    for (std::uint64_t i = 0; i < items_ && out.size() < limit; ++i)
        if (bits.empty() || !bits[i]) out.push_back(static_cast<std::uint32_t>(i));
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
    open_.clear();
    for (auto& b : exported_) b = std::vector<bool>();
    for (auto& j : latest_) j = nullptr;
}

}  // namespace lbsim
