// The sync's report: see SyncReport.h.
#include "ledgerbridge/masterdata/SyncReport.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <iomanip>
#include <sstream>

#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::masterdata {

KindCounts& SyncReport::counts(const std::string& kind) {
    for (auto& [k, c] : kinds)
        if (k == kind) return c;
    kinds.emplace_back(kind, KindCounts{});
    return kinds.back().second;
}

ExitCode SyncReport::exitCode() const {
    if (outcome == "failed") return ExitCode::Failure;
    if (outcome == "interrupted") return ExitCode::Interrupted;
    if (!refusals.empty()) return ExitCode::CompletedWithErrors;
    return ExitCode::Ok;
}

std::string SyncReport::toText() const {
    std::ostringstream os;
    os << "sync of connection " << connection << (dryRun ? " (dry run: nothing was sent to Pleo)" : "") << ": " << outcome
       << (full ? ", full comparison with Pleo" : "")
       << (changedSince.empty() ? "" : ", ERP changes since " + changedSince) << "\n";
    os << "  " << std::left << std::setw(16) << "kind" << std::right << std::setw(9) << "created" << std::setw(9) << "updated"
       << std::setw(10) << "archived" << std::setw(11) << "unchanged" << std::setw(9) << "refused" << "\n";
    for (const auto& [kind, c] : kinds) {
        os << "  " << std::left << std::setw(16) << kind << std::right;
        if (!c.supported) {
            os << "  not in the ERP: Pleo's records left alone\n";
            continue;
        }
        os << std::setw(9) << c.created << std::setw(9) << c.updated << std::setw(10) << c.archived << std::setw(11)
           << c.unchanged << std::setw(9) << c.refused << "\n";
    }
    for (const Refusal& r : refusals)
        os << "  refused: " << r.kind << " " << (r.code.empty() ? "" : r.code + " ") << "(ERP id " << r.erpId
           << "): " << r.reason << "\n";
    if (dryRun) {
        os << "  changes it would make: " << (changes.empty() ? "none" : std::to_string(changes.size())) << "\n";
        for (const auto& c : changes) os << "    " << c << "\n";
    }
    if (!error.empty()) os << "  error: " << redact(error) << "\n";
    if (!installation.empty()) os << "  installation: " << installation << "\n";
    os << "  requests: " << pleoRequests << " to Pleo, " << erpPages << " ERP pages read; " << elapsedMs << " ms\n";
    return os.str();
}

std::string SyncReport::toJson() const {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("connection", connection);
    o.set("outcome", outcome);
    o.set("dryRun", dryRun);
    o.set("full", full);
    if (!changedSince.empty()) o.set("changedSince", changedSince);
    Poco::JSON::Object::Ptr ks = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [kind, c] : kinds) {
        Poco::JSON::Object::Ptr k = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        k->set("supported", c.supported);
        k->set("created", c.created);
        k->set("updated", c.updated);
        k->set("archived", c.archived);
        k->set("unchanged", c.unchanged);
        k->set("refused", c.refused);
        ks->set(kind, k);
    }
    o.set("kinds", ks);
    Poco::JSON::Array::Ptr rs = new Poco::JSON::Array;
    for (const Refusal& r : refusals) {
        Poco::JSON::Object::Ptr x = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        x->set("kind", r.kind);
        x->set("erpId", r.erpId);
        x->set("code", r.code);
        x->set("reason", r.reason);
        rs->add(x);
    }
    o.set("refusals", rs);
    if (dryRun) {
        Poco::JSON::Array::Ptr cs = new Poco::JSON::Array;
        for (const auto& c : changes) cs->add(c);
        o.set("changes", cs);
    }
    if (!error.empty()) o.set("error", redact(error));
    if (!installation.empty()) o.set("installation", installation);
    o.set("pleoRequests", pleoRequests);
    o.set("erpPages", erpPages);
    o.set("elapsedMs", elapsedMs);
    std::ostringstream os;
    o.stringify(os);
    return os.str();
}

}  // namespace ledgerbridge::masterdata
