// In-memory doubles of Pleo's export API and of a plugin, holding Pleo's rules (event
// transitions, closed jobs refuse updates) and the target's truth (what was written, how often),
// so the engine can be driven through crashes and failures deterministically.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ledgerbridge/export/Ports.h"

namespace testdoubles {

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;

inline std::string item(const std::string& id, bool valid = true, std::int64_t amount = 1000) {
    std::string account = valid ? R"("account": {"id": "a", "name": "Meals", "code": "6110"},)" : "";
    std::ostringstream s;
    s << R"({"accountingEntryId": ")" << id << R"(", "companyId": "c", "type": "card_purchase",
      "date": "2026-11-07T05:31:56Z", "_links": {}, "additionalInformation": {"reconciliationId": "r"},
      "amount": {"inSupplierCurrency": {"currency": "DKK", "value": )" << amount
      << R"(}, "inWalletCurrency": {"currency": "DKK", "value": )" << amount << R"(}},
      "accountingEntryLines": [{"accountingEntryLineId": "l-)" << id << R"(", )" << account << R"(
        "lineAmount": {"inSupplierCurrency": {"currency": "DKK", "value": )" << amount
      << R"(}, "inWalletCurrency": {"currency": "DKK", "value": )" << amount << R"(}},
        "netAmount": {"inSupplierCurrency": {"currency": "DKK", "value": )" << amount
      << R"(}, "inWalletCurrency": {"currency": "DKK", "value": )" << amount << R"(}}}]})";
    return s.str();
}

struct FakeJob {
    std::string status = "pending";
    std::vector<std::string> items;                 // raw JSON
    std::map<std::string, ItemResult> results;      // what Pleo recorded per entry
    std::vector<std::string> events;
    std::string failureReasonType, failureReason;   // of the `failed` event
    bool interactive = true;                        // created by a user (false: by the integration)
};

/// A counter one thread bumps while another reads it; copyable, so the doubles stay assignable.
struct AtomicCount {
    std::atomic<std::int64_t> n{0};
    AtomicCount() = default;
    AtomicCount(const AtomicCount& o) : n(o.n.load()) {}
    AtomicCount& operator=(const AtomicCount& o) {
        n = o.n.load();
        return *this;
    }
    AtomicCount& operator++() {
        ++n;
        return *this;
    }
    operator std::int64_t() const { return n.load(); }
};

class FakePleo : public PleoExports {
public:
    std::map<std::string, FakeJob> jobs;
    // Atomic: the engine fetches pages on a background thread while tests read the count from
    // onStep on the main thread (a data race TSan reported in the Tsan build).
    AtomicCount requests;
    int stateChangingRequests = 0;

    std::vector<JobInfo> listJobs(const std::string&, const std::vector<std::string>& statuses) override {
        ++requests;
        std::vector<JobInfo> out;
        for (auto& [id, j] : jobs)
            for (const auto& s : statuses)
                if (j.status == s) out.push_back({id, j.status, static_cast<std::int64_t>(j.items.size())});
        return out;
    }
    JobInfo getJob(const std::string& id) override {
        ++requests;
        auto& j = jobs.at(id);
        return {id, j.status, static_cast<std::int64_t>(j.items.size())};
    }
    // Accounting entries (Pleo's accounting-entries view): raw export item per entry id, and
    // which are exported (an entry in a completed job's successful results) or in an active job.
    std::map<std::string, std::string> entries;
    bool contraAccountsMissing = false;             // createJob answers 400 MISSING_CONTRA_ACCOUNTS
    int searches = 0, creates = 0;
    std::vector<int> searchLimits;
    ReadyEntriesFilter lastFilter;

    bool inActiveJob(const std::string& entry) const {
        for (const auto& [id, j] : jobs)
            if (j.status == "pending" || j.status == "in_progress")
                for (const auto& raw : j.items)
                    if (entryIdOf(raw) == entry) return true;
        return false;
    }
    bool exported(const std::string& entry) const {
        for (const auto& [id, j] : jobs) {
            auto r = j.results.find(entry);
            if (r != j.results.end() && r->second.successful) return true;
        }
        return false;
    }
    std::vector<std::string> searchReadyEntries(const std::string&, const ReadyEntriesFilter& filter, int max) override {
        ++requests;
        ++searches;
        searchLimits.push_back(max);
        lastFilter = filter;
        std::vector<std::string> out;
        for (const auto& [id, raw] : entries)
            if (!exported(id) && !inActiveJob(id) && static_cast<int>(out.size()) < max) out.push_back(id);
        return out;
    }
    JobInfo createJob(const std::string&, const std::vector<std::string>& ids) override {
        ++requests;
        ++stateChangingRequests;
        ++creates;
        if (contraAccountsMissing) throw MissingContraAccountsError("MISSING_CONTRA_ACCOUNTS: Contra accounts are not fully configured.");
        for (const auto& [id, j] : jobs)
            if (j.status == "pending" || j.status == "in_progress")
                throw JobAlreadyActiveError("EXPORT_ALREADY_IN_PROGRESS: Export Job already in progress for this company.");
        FakeJob j;
        j.interactive = false;
        for (const auto& e : ids) j.items.push_back(entries.at(e));
        std::string id = "auto-" + std::to_string(jobs.size() + 1);
        jobs[id] = j;
        return {id, "pending", static_cast<std::int64_t>(ids.size())};
    }
    void postEvent(const std::string& id, const std::string& event, const std::string& reasonType,
                   const std::string& reason) override {
        ++requests;
        ++stateChangingRequests;
        auto& j = jobs.at(id);
        bool ok = (event == "started" && j.status == "pending") ||
                  (event == "failed" && j.status == "pending") ||
                  (event != "started" && j.status == "in_progress");
        if (!ok) throw JobClosedError("INVALID_EXPORT_JOB_STATUS_CHANGE: " + j.status + " -> " + event);
        j.status = event == "started" ? "in_progress" : event;
        j.events.push_back(event);
        if (event == "failed") {
            j.failureReasonType = reasonType;
            j.failureReason = reason;
        }
    }
    ItemPage exportItems(const std::string& id, const std::string& cursor, int limit) override {
        ++requests;
        auto& j = jobs.at(id);
        std::size_t from = cursor.empty() ? 0 : std::stoul(cursor.substr(1));
        ItemPage p;
        for (std::size_t i = from; i < j.items.size() && p.items.size() < static_cast<std::size_t>(limit); ++i)
            p.items.push_back(j.items[i]);
        std::size_t next = from + p.items.size();
        p.hasNextPage = next < j.items.size();
        p.endCursor = "C" + std::to_string(next);
        return p;
    }
    /// Pleo's view of the job's items, paged like Pleo (every item of the job, `limit` a page).
    JobItemPage jobItems(const std::string& id, const std::string& cursor, int limit) override {
        ++requests;
        const FakeJob& j = jobs.at(id);
        std::size_t from = cursor.empty() ? 0 : std::stoul(cursor.substr(1));
        JobItemPage p;
        std::size_t i = from;
        for (; i < j.items.size() && p.items.size() < static_cast<std::size_t>(limit); ++i) {
            std::string entry = entryIdOf(j.items[i]);
            auto r = j.results.find(entry);
            if (r == j.results.end())
                p.items.push_back({entry, "in_progress", ""});
            else
                p.items.push_back({entry, r->second.successful ? "successful" : "failed", r->second.externalId});
        }
        p.hasNextPage = i < j.items.size();
        p.endCursor = "J" + std::to_string(i);
        return p;
    }
    static std::string entryIdOf(const std::string& raw) {
        const std::string tag = R"("accountingEntryId": ")";
        auto at = raw.find(tag) + tag.size();
        return raw.substr(at, raw.find('"', at) - at);
    }
    std::set<std::string> refuseResultsOf;          // entries whose result Pleo answers in `errors`
    std::vector<ItemRejection> putResults(const std::string& id, const std::vector<ItemResult>& results) override {
        ++requests;
        ++stateChangingRequests;
        if (results.size() > 100) throw std::logic_error("more than 100 results in one PUT");
        auto& j = jobs.at(id);
        if (j.status != "in_progress") throw JobClosedError("EXPORT_JOB_STATUS_UNPROCESSABLE: job is " + j.status);
        std::vector<ItemRejection> refused;
        for (const auto& r : results) {
            if (refuseResultsOf.count(r.accountingEntryId))
                refused.push_back({r.accountingEntryId, "EXPORT_JOB_ITEM_NOT_FOUND", "not in the job"});
            else
                j.results[r.accountingEntryId] = r;
        }
        return refused;
    }
    std::string download(const std::string&) override { return "receipt"; }
    std::int64_t requestCount() const override { return requests; }
};

class FakeTarget : public ExportTarget {
public:
    TargetCapabilities caps{true, true, false};
    std::map<std::string, int> writes;        // idempotency key -> times written
    std::map<std::string, int> writesByEntry; // accounting entry id -> documents written for it
    std::map<std::string, std::string> byKey; // idempotency key -> external id
    int pushes = 0;
    int failPushNumber = -1;                  // this push throws PluginError
    int retryableFirstN = 0;                  // the first N entries pushed come back retryable
    bool answerUnknown = false;               // every outcome Unknown (e.g. timeouts), but written

    std::string name() const override { return "fake"; }
    TargetCapabilities capabilities() const override { return caps; }
    void check() override {}
    std::set<std::string> planRejects;        // entry ids the plugin's dry run (and push) rejects
    sdk::PlanResult plan(const std::vector<sdk::Entry>& batch) override {
        sdk::PlanResult r;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (planRejects.count(batch[i].accountingEntryId)) {
                sdk::Outcome o = sdk::Outcome::rejected("validation_failure", "does not balance: debits 100 credits 99");
                o.entryIndex = i;
                r.rejections.push_back(o);
                continue;
            }
            r.documents.push_back({i, "append", "text/plain", batch[i].accountingEntryId});
        }
        return r;
    }
    int errorAfterOutcomes = -1;              // this push reports 3 outcomes, then ends with an error
    PushResult push(const std::vector<sdk::Entry>& batch) override {
        if (++pushes == failPushNumber) throw PluginError("plugin 'fake' failed: target unreachable");
        PushResult result;
        std::size_t limit = batch.size();
        if (pushes == errorAfterOutcomes) {
            limit = std::min<std::size_t>(3, batch.size());
            result.error = "plugin 'fake': push failed: the target answered 503 three times";
        }
        std::vector<sdk::Outcome>& out = result.outcomes;
        for (std::size_t i = 0; i < limit; ++i) {
            sdk::Outcome o;
            if (retryableFirstN > 0) {
                --retryableFirstN;
                o = sdk::Outcome::retryable("busy");
            } else {
                const auto& key = batch[i].idempotencyKey;
                if (!caps.idempotencyKeys || !byKey.count(key)) {
                    ++writes[key];
                    ++writesByEntry[batch[i].accountingEntryId];
                    byKey[key] = "X-" + batch[i].accountingEntryId;
                }
                o = answerUnknown ? sdk::Outcome::unknown("timeout") : sdk::Outcome::posted(byKey[key], "https://erp/" + byKey[key]);
            }
            o.entryIndex = i;
            out.push_back(o);
        }
        return result;
    }
    std::map<std::string, std::size_t> receiptsSeenByLookup;  // entry id -> receipts handed to lookup
    int lookups = 0;
    /// When set, answers lookups instead of the target's truth (undecided answers, failures).
    std::function<sdk::Outcome(const sdk::Entry&)> lookupAnswer;
    sdk::Outcome lookup(const sdk::Entry& e) override {
        ++lookups;
        receiptsSeenByLookup[e.accountingEntryId] = e.receipts.size();
        if (lookupAnswer) return lookupAnswer(e);
        auto it = byKey.find(e.idempotencyKey);
        if (it == byKey.end()) return sdk::Outcome::absent();
        return sdk::Outcome::posted(it->second, "https://erp/" + it->second);
    }
    int totalWrites() const {
        int n = 0;
        for (const auto& [k, v] : writes) n += v;
        return n;
    }
};

}  // namespace testdoubles
