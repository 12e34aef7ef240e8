// Run reports as JSON and as text: see RunReport.h.
#include "ledgerbridge/export/RunReport.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

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

/// The counts and amounts of a job (or of all jobs added up), as the JSON names them.
void setCounts(Poco::JSON::Object& o, const JobReport& j) {
    o.set("fetched", j.fetched);
    o.set("posted", j.posted);
    o.set("alreadyPosted", j.alreadyPosted);
    o.set("rejected", j.rejected);
    o.set("undelivered", j.undelivered);
    o.set("postedAmounts", amountsJson(j.postedMinorByCurrency));
    o.set("alreadyPostedAmounts", amountsJson(j.alreadyPostedMinorByCurrency));
}

std::string amountsText(const std::map<std::string, std::int64_t>& minorByCurrency) {
    std::string out;
    for (const auto& [cur, minor] : minorByCurrency)
        out += (out.empty() ? "" : ", ") + cur + " " + sdk::formatDecimal(minor, currencyExponent(cur));
    return out;
}

/// "-12.50" with exponent 2 -> -1250: the inverse of sdk::formatDecimal.
std::int64_t parseDecimal(const std::string& text, int exponent) {
    std::string digits;
    int decimals = -1;
    bool negative = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 0 && c == '-') negative = true;
        else if (c == '.' && decimals < 0) decimals = 0;
        else if (c >= '0' && c <= '9') {
            digits += c;
            if (decimals >= 0) ++decimals;
        } else
            throw std::runtime_error("'" + text + "' is not an amount");
    }
    for (int d = std::max(decimals, 0); d < exponent; ++d) digits += '0';
    if (digits.empty() || digits.size() > 18) throw std::runtime_error("'" + text + "' is not an amount");
    const std::int64_t minor = std::stoll(digits);
    return negative ? -minor : minor;
}

std::map<std::string, std::int64_t> amountsFrom(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    std::map<std::string, std::int64_t> out;
    const auto amounts = o->getObject(key);
    if (!amounts) return out;
    for (const auto& [cur, value] : *amounts) out[cur] = parseDecimal(value.convert<std::string>(), currencyExponent(cur));
    return out;
}

std::vector<EntryFailure> failuresFrom(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& reasonKey) {
    std::vector<EntryFailure> out;
    const auto list = o->getArray(key);
    if (!list) return out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto f = list->getObject(static_cast<unsigned>(i));
        if (!f) continue;
        out.push_back({f->optValue<std::string>("entryId", ""), f->optValue<std::string>(reasonKey, ""),
                       f->optValue<std::string>("message", "")});
    }
    return out;
}

}  // namespace

RunReport RunReport::fromJson(const std::string& json) {
    Poco::JSON::Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        throw std::runtime_error("the stored run report is not a JSON object");
    }
    if (!root) throw std::runtime_error("the stored run report is not a JSON object");
    RunReport r;
    r.runId = root->optValue<std::string>("runId", "");
    r.connection = root->optValue<std::string>("connection", "");
    r.environment = root->optValue<std::string>("environment", "");
    r.plugin = root->optValue<std::string>("plugin", "");
    r.dryRun = root->optValue<bool>("dryRun", false);
    r.started = root->optValue<bool>("started", true);
    r.outcome = root->optValue<std::string>("outcome", "");
    r.error = root->optValue<std::string>("error", "");
    r.finishedAtMs = root->optValue<std::int64_t>("durationMs", 0);
    r.pleoRequests = root->optValue<std::int64_t>("pleoRequests", 0);
    r.targetRequests = root->optValue<std::int64_t>("targetRequests", 0);
    r.outputHint = root->optValue<std::string>("output", "");
    r.autoExport = root->optValue<std::string>("autoExport", "");
    if (const auto byStatus = root->getObject("pleoRequestsByStatus"))
        for (const auto& [status, n] : *byStatus) r.pleoRequestsByStatus[status] = n.convert<std::int64_t>();
    if (const auto jobs = root->getArray("jobs"))
        for (std::size_t i = 0; i < jobs->size(); ++i) {
            const auto o = jobs->getObject(static_cast<unsigned>(i));
            if (!o) continue;
            JobReport j;
            j.jobId = o->optValue<std::string>("jobId", "");
            j.fetched = o->optValue<std::int64_t>("fetched", 0);
            j.posted = o->optValue<std::int64_t>("posted", 0);
            j.rejected = o->optValue<std::int64_t>("rejected", 0);
            j.alreadyPosted = o->optValue<std::int64_t>("alreadyPosted", 0);
            j.undelivered = o->optValue<std::int64_t>("undelivered", 0);
            j.postedMinorByCurrency = amountsFrom(o, "postedAmounts");
            j.alreadyPostedMinorByCurrency = amountsFrom(o, "alreadyPostedAmounts");
            j.finalEvent = o->optValue<std::string>("finalEvent", "");
            j.finalReason = o->optValue<std::string>("finalReason", "");
            j.failures = failuresFrom(o, "failures", "reason");
            j.failuresNotListed = o->optValue<std::int64_t>("failuresNotListed", 0);
            j.notRecordedByPleo = failuresFrom(o, "notRecordedByPleo", "type");
            j.unresolved = failuresFrom(o, "unresolved", "reason");
            j.next = o->optValue<std::string>("next", "");
            r.jobs.push_back(std::move(j));
        }
    return r;
}

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
    setCounts(totalsJson, sum);
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
        setCounts(o, j);
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
