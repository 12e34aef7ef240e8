// The DATEV plugin's operations: check, plan, push (idempotent, atomic per file), lookup.
#include "DatevPlugin.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "Cp1252.hpp"
#include "DatevBalance.hpp"
#include "DatevFile.hpp"
#include "DatevMasterData.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::datev {

namespace {
std::string nowStamp() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t t = system_clock::to_time_t(now);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    char msBuf[8];
    std::snprintf(msBuf, sizeof msBuf, "%03d", static_cast<int>(ms));
    return std::string(buf) + msBuf;
}
}  // namespace

void DatevPlugin::configure(const sdk::Settings& settings) {
    staleTempFilesRemoved_ = false;
    config_ = parseDatevSettings(settings);
    directory_ = DatevDirectory(config_.outputDir);
}

void DatevPlugin::check() {
    if (::access(config_.outputDir.c_str(), W_OK | X_OK) != 0)
        throw sdk::Error(LB_ERR_TARGET, "the output directory " + config_.outputDir + " is not writable");
}

std::optional<sdk::Outcome> DatevPlugin::rejection(const sdk::Entry& e) const {
    std::set<std::string> known;
    for (const auto& [code, key] : config_.buKeys) known.insert(code);
    if (known.empty()) known.insert("\x01");  // no mapping configured: every tax code is unknown
    sdk::Entry withoutAutomatic = e;          // tax codes on Automatikkonten need no mapping
    for (auto& l : withoutAutomatic.lines)
        if (config_.automaticVatAccounts.count(l.accountCode)) l.taxCode.clear();
    if (auto r = sdk::validateEntry(withoutAutomatic, known)) return r;
    return checkEntry(e, config_);
}

std::string DatevPlugin::pathFor(const sdk::Entry& e) const {
    std::string job = e.exportJobId;
    for (char& c : job)
        if (c == '/' || c == '\\' || c == '\0') c = '_';
    return config_.outputDir + "/EXTF_" + job + "_" + periodOf(e.date)->id() + ".csv";
}

sdk::Outcome DatevPlugin::posted(const std::string& path, const sdk::Entry& e) const {
    return sdk::Outcome::posted(path.substr(path.rfind('/') + 1) + "#" + e.accountingEntryId, "file://" + path);
}

std::string DatevPlugin::encode(const std::string& text, const std::string& what) const {
    std::size_t replaced = 0;
    std::string bytes = toCp1252(text, &replaced);
    if (replaced) host().warn(std::to_string(replaced) + " character(s) of " + what +
                              " have no Windows-1252 form and were written as '?'");
    return bytes;
}

std::vector<DatevPlugin::Decision> DatevPlugin::decide(const std::vector<sdk::Entry>& batch) {
    directory_.refresh();
    std::vector<Decision> out(batch.size());
    std::map<std::string, std::size_t> firstByKey, firstById;  // the same entry twice in a batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        Decision& d = out[i];
        if (auto r = rejection(e)) {
            d.rejection = *r;
            continue;
        }
        const std::string key = entryKey(e);
        if (const auto found = directory_.find(key, e.accountingEntryId); !found.path.empty()) {
            d.kind = Decision::Kind::AlreadyWritten;
            d.path = found.path;
            d.otherKey = !found.byKey;
            continue;
        }
        auto sameKey = firstByKey.find(key);
        auto sameId = firstById.find(e.accountingEntryId);
        if (sameKey != firstByKey.end() || sameId != firstById.end()) {
            d.kind = Decision::Kind::AlreadyWritten;
            d.path = out[sameKey != firstByKey.end() ? sameKey->second : sameId->second].path;
            d.repeat = true;
            continue;
        }
        const auto table = bookingTable(e, config_);
        if (auto unbalanced = balanceProblem(e, table)) {
            d.rejection = *unbalanced;
            continue;
        }
        d.kind = Decision::Kind::Write;
        d.path = pathFor(e);
        d.rows = joinRows(table);
        firstByKey.emplace(key, i);
        firstById.emplace(e.accountingEntryId, i);
    }
    return out;
}

namespace {
sdk::Document appendDocument(std::size_t index, const std::string& path, const std::string& rows) {
    return sdk::Document{index, "append to " + path, "text/csv; charset=windows-1252", toCp1252(rows)};
}
}  // namespace

std::vector<sdk::Document> DatevPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    const auto decisions = decide(batch);
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (decisions[i].kind == Decision::Kind::Write) docs.push_back(appendDocument(i, decisions[i].path, decisions[i].rows));
    return docs;
}

void DatevPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    const auto decisions = decide(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Decision& d = decisions[i];
        if (d.kind == Decision::Kind::Reject) sink.reject(i, d.rejection);
        else if (d.kind == Decision::Kind::Write) sink.document(appendDocument(i, d.path, d.rows));
    }
}

void DatevPlugin::removeStaleTempFiles() {
    if (staleTempFilesRemoved_) return;
    staleTempFilesRemoved_ = true;
    const auto ours = [](const std::string& name) { return DatevDirectory::isOurs(name); };
    const sdk::StaleTempFilesReport report = sdk::cleanStaleTempFiles(config_.outputDir, ours);
    if (report.failed)
        host().warn(report.message);
    else if (!report.message.empty())
        host().info(report.message);
}

void DatevPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    removeStaleTempFiles();
    const auto decisions = decide(batch);
    std::map<std::string, std::vector<std::size_t>> writes;  // file -> entries, in batch order
    std::vector<std::size_t> duplicates;                      // a repeat of an entry written in this batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Decision& d = decisions[i];
        if (d.kind == Decision::Kind::Reject) {
            outcomes.report(i, d.rejection);
        } else if (d.kind == Decision::Kind::Write) {
            writes[d.path].push_back(i);
        } else if (d.repeat) {
            duplicates.push_back(i);  // reported once its first occurrence is written
        } else {
            // Found by id under another key: its booking changed in Pleo after it was written.
            // The file keeps the first booking (nothing is written twice); the adviser corrects it.
            if (d.otherKey)
                host().warn("entry " + batch[i].accountingEntryId + " is already in " + d.path +
                            " under another idempotency key (its booking changed in Pleo after it was written); "
                            "the file keeps the first booking: correct it in DATEV if the change matters");
            outcomes.report(i, posted(d.path, batch[i]));
        }
    }
    for (const auto& [path, indexes] : writes) {
        host().throwIfCancelled();  // between files: what is written stays reported
        DatevFile file(path, config_.fileMode);
        file.load();
        std::string rows;
        std::set<std::string> keys, ids;
        for (std::size_t i : indexes) {
            const sdk::Entry& e = batch[i];
            // The file itself is the last word (another writer may have added it since decide).
            if (file.contains(entryKey(e)) || file.containsEntry(e.accountingEntryId)) continue;
            rows += encode(decisions[i].rows, "entry " + e.accountingEntryId);
            keys.insert(entryKey(e));
            ids.insert(e.accountingEntryId);
        }
        if (!rows.empty()) {
            const Period period = *periodOf(batch[indexes.front()].date);
            const std::string head =
                encode(headerLine(config_, period, nowStamp()) + "\r\n" + columnLine() + "\r\n", "the header");
            file.append(head, rows, keys, ids);
            directory_.wrote(path, file);
        }
        for (std::size_t i : indexes) outcomes.report(i, posted(path, batch[i]));
    }
    for (std::size_t i : duplicates) outcomes.report(i, posted(decisions[i].path, batch[i]));
}

sdk::Outcome DatevPlugin::lookup(const sdk::Entry& e) {
    directory_.refresh();
    const auto found = directory_.find(entryKey(e), e.accountingEntryId);
    return found.path.empty() ? sdk::Outcome::absent() : posted(found.path, e);
}

sdk::MasterDataPage DatevPlugin::readMasterData(const sdk::MasterDataRequest& request) {
    const std::string kind = sdk::masterKindName(request.kind);
    const MasterDataOptions options{config_.sachkontenlaenge, config_.skr, config_.kontenbeschriftungenLanguage,
                                    config_.wkz};
    if (request.kind == sdk::MasterKind::TaxCode)
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no tax_code master data: DATEV's BU-Schlüssel are fixed by the SKR and "
                                             "exported in no file; the plugin's bu_keys setting maps Pleo's tax codes to them");
    if (request.kind == sdk::MasterKind::Account && !config_.kontenbeschriftungenFile.empty()) {
        const std::string& file = config_.kontenbeschriftungenFile;
        return masterData_.page(request, file,
                                [&](const std::string& bytes) { return parseKontenbeschriftungen(file, bytes, options); });
    }
    if (request.kind == sdk::MasterKind::Supplier && !config_.debitorenKreditorenFile.empty()) {
        const std::string& file = config_.debitorenKreditorenFile;
        return masterData_.page(request, file,
                                [&](const std::string& bytes) { return parseDebitorenKreditoren(file, bytes, options); });
    }
    if (request.kind == sdk::MasterKind::Account || request.kind == sdk::MasterKind::Supplier)
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: the setting " +
                                                 (request.kind == sdk::MasterKind::Account ? "kontenbeschriftungen_file"
                                                                                           : "debitoren_kreditoren_file") +
                                                 " names no file");
    throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: DATEV exports no Kostenstellen file this plugin reads");
}

}  // namespace ledgerbridge::datev
