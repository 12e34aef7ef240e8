// Run reports as JSON and as text: see RunReport.h.
#include "ledgerbridge/export/RunReport.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/export/Currency.h"
#include "ledgerbridge/export/RejectionSummary.h"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::exporter {

void JobReport::addFailure(EntryFailure f) {
    if (failures.size() < kMaxFailuresListed)
        failures.push_back(std::move(f));
    else
        ++failuresNotListed;
}

namespace {

Poco::JSON::Object amountsJson(const std::map<std::string, std::int64_t>& minorByCurrency) {
    Poco::JSON::Object amounts(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [cur, minor] : minorByCurrency) amounts.set(cur, sdk::formatDecimal(minor, currencyExponent(cur)));
    return amounts;
}

std::string amountsText(const std::map<std::string, std::int64_t>& minorByCurrency) {
    std::string out;
    for (const auto& [cur, minor] : minorByCurrency)
        out += (out.empty() ? "" : ", ") + cur + " " + sdk::formatDecimal(minor, currencyExponent(cur));
    return out;
}

}  // namespace

JobReport RunReport::totals() const {
    JobReport t;
    for (const auto& j : jobs) {
        t.fetched += j.fetched;
        t.posted += j.posted;
        t.rejected += j.rejected;
        t.alreadyPosted += j.alreadyPosted;
        t.undelivered += j.undelivered;
        for (const auto& [cur, minor] : j.postedMinorByCurrency) t.postedMinorByCurrency[cur] += minor;
        for (const auto& [cur, minor] : j.alreadyPostedMinorByCurrency) t.alreadyPostedMinorByCurrency[cur] += minor;
    }
    return t;
}

std::string RunReport::toJson() const {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("runId", runId);
    root.set("connection", connection);
    root.set("environment", environment);
    root.set("plugin", plugin);
    root.set("dryRun", dryRun);
    if (!started) root.set("started", false);
    root.set("outcome", outcome);
    if (!error.empty()) root.set("error", error);
    root.set("durationMs", finishedAtMs - startedAtMs);
    root.set("pleoRequests", pleoRequests);
    if (!pleoRequestsByStatus.empty()) {
        Poco::JSON::Object byStatus(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& [status, n] : pleoRequestsByStatus) byStatus.set(status, n);
        root.set("pleoRequestsByStatus", byStatus);
    }
    root.set("targetRequests", targetRequests);
    if (!outputHint.empty()) root.set("output", outputHint);
    if (!autoExport.empty()) root.set("autoExport", autoExport);
    const JobReport sum = totals();
    Poco::JSON::Object totalsJson(Poco::JSON_PRESERVE_KEY_ORDER);
    totalsJson.set("fetched", sum.fetched);
    totalsJson.set("posted", sum.posted);
    totalsJson.set("alreadyPosted", sum.alreadyPosted);
    totalsJson.set("rejected", sum.rejected);
    totalsJson.set("undelivered", sum.undelivered);
    totalsJson.set("postedAmounts", amountsJson(sum.postedMinorByCurrency));
    totalsJson.set("alreadyPostedAmounts", amountsJson(sum.alreadyPostedMinorByCurrency));
    root.set("totals", totalsJson);
    Poco::JSON::Array groupsJson;
    for (const auto& g : groupRejections(jobs)) {
        Poco::JSON::Object go(Poco::JSON_PRESERVE_KEY_ORDER);
        go.set("reason", g.reason);
        go.set("count", g.count);
        Poco::JSON::Array subjects;
        for (const auto& s : g.subjects) subjects.add(s);
        go.set("subjects", subjects);
        go.set("fix", g.fix);
        groupsJson.add(go);
    }
    root.set("rejectionsByReason", groupsJson);
    Poco::JSON::Array jobsJson;
    for (const auto& j : jobs) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("jobId", j.jobId);
        o.set("fetched", j.fetched);
        o.set("posted", j.posted);
        o.set("rejected", j.rejected);
        o.set("alreadyPosted", j.alreadyPosted);
        o.set("undelivered", j.undelivered);
        o.set("postedAmounts", amountsJson(j.postedMinorByCurrency));
        o.set("alreadyPostedAmounts", amountsJson(j.alreadyPostedMinorByCurrency));
        o.set("finalEvent", j.finalEvent);
        if (!j.finalReason.empty()) o.set("finalReason", j.finalReason);
        Poco::JSON::Array failures;
        for (const auto& f : j.failures) {
            Poco::JSON::Object fo(Poco::JSON_PRESERVE_KEY_ORDER);
            fo.set("entryId", f.entryId);
            fo.set("reason", f.reason);
            fo.set("message", f.message);
            failures.add(fo);
        }
        o.set("failures", failures);
        if (j.failuresNotListed) o.set("failuresNotListed", j.failuresNotListed);
        if (!j.notRecordedByPleo.empty()) {
            Poco::JSON::Array refused;
            for (const auto& u : j.notRecordedByPleo) {
                Poco::JSON::Object uo(Poco::JSON_PRESERVE_KEY_ORDER);
                uo.set("entryId", u.entryId);
                uo.set("type", u.reason);
                uo.set("message", u.message);
                refused.add(uo);
            }
            o.set("notRecordedByPleo", refused);
        }
        if (!j.unresolved.empty()) {
            Poco::JSON::Array unresolved;
            for (const auto& u : j.unresolved) {
                Poco::JSON::Object uo(Poco::JSON_PRESERVE_KEY_ORDER);
                uo.set("entryId", u.entryId);
                uo.set("message", u.message);
                unresolved.add(uo);
            }
            o.set("unresolved", unresolved);
        }
        if (!j.next.empty()) o.set("next", j.next);
        jobsJson.add(o);
    }
    root.set("jobs", jobsJson);
    std::ostringstream out;
    root.stringify(out);
    return redact(out.str());
}

std::string RunReport::toText() const {
    std::ostringstream out;
    double seconds = static_cast<double>(finishedAtMs - startedAtMs) / 1000.0;
    out << (dryRun ? "Dry run of " : "Run of ") << connection << " (" << environment << ", plugin " << plugin << "): "
        << (started ? "" : "not started, ") << outcome << " in " << std::fixed;
    out.precision(1);
    out << seconds << " s, " << pleoRequests << " Pleo requests\n";
    if (!error.empty()) out << "  error: " << error << "\n";
    if (!autoExport.empty()) out << "  automatic export: " << autoExport << "\n";
    if (jobs.empty() && error.empty()) out << "  no export jobs were waiting\n";
    const char* posted = dryRun ? " planned" : " posted";
    for (const auto& j : jobs) {
        out << "  job " << j.jobId << ": " << j.fetched << " fetched, " << j.posted << posted << ", " << j.alreadyPosted
            << " already posted, " << j.rejected << " rejected";
        if (j.undelivered) out << ", " << j.undelivered << " not yet delivered";
        out << (j.finalEvent.empty() ? " (job left open)" : " -> " + j.finalEvent) << "\n";
        if (!j.postedMinorByCurrency.empty()) out << "    amounts" << posted << ": " << amountsText(j.postedMinorByCurrency) << "\n";
        if (!j.alreadyPostedMinorByCurrency.empty())
            out << "    amounts already posted (not posted again): " << amountsText(j.alreadyPostedMinorByCurrency) << "\n";
        for (const auto& f : j.failures) out << "    rejected " << f.entryId << ": " << f.reason << ": " << f.message << "\n";
        if (j.failuresNotListed) out << "    ... and " << j.failuresNotListed << " more rejected entries (see history --json)\n";
        for (const auto& u : j.unresolved) out << "    unknown " << u.entryId << ": " << u.message << "\n";
        for (const auto& u : j.notRecordedByPleo)
            out << "    not recorded by Pleo " << u.entryId << ": " << u.reason << ": " << u.message << " (sent again next run)\n";
        if (!j.finalReason.empty()) out << "    reason: " << j.finalReason << "\n";
        if (!j.next.empty()) out << "    next: " << j.next << "\n";
    }
    if (jobs.size() > 1) {
        const JobReport sum = totals();
        out << "  total: " << sum.posted << posted << " (" << amountsText(sum.postedMinorByCurrency) << "), "
            << sum.alreadyPosted << " already posted (" << amountsText(sum.alreadyPostedMinorByCurrency) << "), "
            << sum.rejected << " rejected\n";
    }
    const auto groups = groupRejections(jobs);
    if (!groups.empty()) out << "  rejected entries by reason:\n";
    for (const auto& g : groups)
        out << "    " << g.reason << ": " << g.count << (g.count == 1 ? " entry" : " entries") << "; fix: " << g.fix << "\n";
    if (!outputHint.empty()) out << "  output: " << outputHint << "\n";
    return redact(out.str());
}

ExitCode RunReport::exitCode() const {
    if (outcome == "ok") return ExitCode::Ok;
    if (outcome == "completed_with_errors") return ExitCode::CompletedWithErrors;
    if (outcome == "needs_reauth") return ExitCode::NeedsReauthorization;
    if (outcome == "interrupted") return ExitCode::Interrupted;
    if (outcome == "environment_mismatch") return ExitCode::EnvironmentMismatch;
    if (outcome == "busy") return ExitCode::Busy;
    if (outcome == "plugin_failure") return ExitCode::PluginFailure;
    // "closed_by_pleo": Pleo closed a job before all its entries were delivered; not everything
    // asked for was done, so it is a failure (1), not a success, even though nothing went wrong here.
    return ExitCode::Failure;
}

}  // namespace ledgerbridge::exporter
