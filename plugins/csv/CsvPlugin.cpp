// The CSV plugin's operations: check, plan, push (idempotent, durable per job file), lookup.
#include "CsvPlugin.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "CsvBooking.hpp"
#include "CsvFile.hpp"
#include "CsvMasterData.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::csv {

void CsvPlugin::configure(const sdk::Settings& settings) {
    staleTempFilesRemoved_ = false;
    config_ = parseCsvSettings(settings);
    files_.clear();
}

void CsvPlugin::check() {
    if (::access(config_.outputDir.c_str(), W_OK | X_OK) != 0)
        throw sdk::Error(LB_ERR_TARGET, "the output directory " + config_.outputDir + " is not writable");
}

std::string CsvPlugin::pathFor(const std::string& jobId) const {
    std::string safe = jobId;
    for (char& c : safe)
        if (c == '/' || c == '\\' || c == '\0') c = '_';
    return config_.outputDir + "/" + config_.filePrefix + safe + ".csv";
}

sdk::Outcome CsvPlugin::posted(const std::string& path, const sdk::Entry& entry) const {
    return sdk::Outcome::posted(path.substr(path.rfind('/') + 1) + "#" + entry.accountingEntryId, "file://" + path);
}

CsvFile& CsvPlugin::openFile(const std::string& path) {
    // Kept between pushes of one session (a job's pushes go to one file); reloaded when the
    // file changed under us (another process, or a first use).
    auto it = files_.find(path);
    try {
        if (it == files_.end()) {
            it = files_.emplace(path, CsvFile(path, config_.format, config_.fileMode)).first;
            it->second.load();
        } else if (!it->second.current()) {
            it->second.load();
        }
    } catch (const std::runtime_error& e) {
        if (it != files_.end()) files_.erase(it);
        throw sdk::Error(LB_ERR_TARGET, e.what());
    }
    return it->second;
}

void CsvPlugin::rescanDirectory() {
    // Every job file with our prefix: an entry offered again in a new job (after a crash, or a
    // restored state directory) is found in the file of the job that first wrote it.
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(config_.outputDir.c_str()), ::closedir);
    if (!dir) throw sdk::Error(LB_ERR_TARGET, "cannot list the output directory " + config_.outputDir);
    std::vector<std::string> paths;
    while (const dirent* d = ::readdir(dir.get())) {
        const std::string name = d->d_name;
        if (name.empty() || name[0] == '.' || name.size() <= config_.filePrefix.size() + 4) continue;
        if (name.compare(0, config_.filePrefix.size(), config_.filePrefix) != 0) continue;
        if (name.compare(name.size() - 4, 4, ".csv") != 0) continue;
        paths.push_back(config_.outputDir + "/" + name);
    }
    for (const std::string& path : paths) openFile(path);
}

std::optional<std::string> CsvPlugin::whereWritten(const std::string& entryId, const std::string& ownPath,
                                                   bool& rescanned) {
    if (openFile(ownPath).contains(entryId)) return ownPath;
    return inOtherFile(entryId, ownPath, rescanned);
}

std::optional<std::string> CsvPlugin::inOtherFile(const std::string& entryId, const std::string& ownPath,
                                                  bool& rescanned) {
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& [path, file] : files_)
            if (path != ownPath && file.contains(entryId)) return path;
        if (rescanned) break;
        rescanDirectory();
        rescanned = true;
    }
    return std::nullopt;
}

std::vector<CsvPlugin::Decision> CsvPlugin::decide(const std::vector<sdk::Entry>& batch) {
    std::vector<Decision> out(batch.size());
    std::map<std::string, std::string> planned;  // entry id -> file, for an entry twice in a batch
    std::map<std::string, const CsvFile*> own;   // job file -> its state, checked once per call
    bool rescanned = false;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        Decision& d = out[i];
        if (auto rejected = sdk::validateEntry(e, config_.taxCodes)) {
            d.rejection = *rejected;
            continue;
        }
        const std::vector<RowAmounts> rows = rowAmounts(e);
        if (auto unbalanced = balanceProblem(e, rows)) {
            d.rejection = *unbalanced;
            continue;
        }
        const std::string path = pathFor(e.exportJobId);
        auto file = own.find(path);
        if (file == own.end()) file = own.emplace(path, &openFile(path)).first;
        if (auto it = planned.find(e.accountingEntryId); it != planned.end()) {
            d.kind = Decision::Kind::Written, d.path = it->second;
        } else if (file->second->contains(e.accountingEntryId)) {
            d.kind = Decision::Kind::Written, d.path = path;
        } else if (auto other = inOtherFile(e.accountingEntryId, path, rescanned)) {
            d.kind = Decision::Kind::Written, d.path = *other;
        } else {
            d.kind = Decision::Kind::Write, d.path = path, d.records = entryRecords(e, rows, config_.format);
            planned.emplace(e.accountingEntryId, path);
        }
    }
    return out;
}

std::vector<sdk::Document> CsvPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    const auto decisions = decide(batch);
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (decisions[i].kind == Decision::Kind::Write)
            docs.push_back(sdk::Document{i, "append to " + decisions[i].path, "text/csv; charset=utf-8", decisions[i].records});
    return docs;
}

void CsvPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    const auto decisions = decide(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Decision& d = decisions[i];
        if (d.kind == Decision::Kind::Reject) sink.reject(i, d.rejection);
        else if (d.kind == Decision::Kind::Write)
            sink.document(sdk::Document{i, "append to " + d.path, "text/csv; charset=utf-8", d.records});
    }
}

void CsvPlugin::removeStaleTempFiles() {
    if (staleTempFilesRemoved_) return;
    staleTempFilesRemoved_ = true;
    const auto ours = [this](const std::string& name) {
        // The job files and their hidden committed-length sidecars (`.NAME.committed`).
        const std::string& prefix = config_.filePrefix;
        auto ends = [&](const std::string& s, const std::string& tail) {
            return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
        };
        return (name.rfind(prefix, 0) == 0 && ends(name, ".csv")) ||
               (name.rfind("." + prefix, 0) == 0 && ends(name, ".csv.committed"));
    };
    const sdk::StaleTempFilesReport report = sdk::cleanStaleTempFiles(config_.outputDir, ours);
    if (report.failed)
        host().warn(report.message);
    else if (!report.message.empty())
        host().info(report.message);
}

void CsvPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    removeStaleTempFiles();
    const auto decisions = decide(batch);
    std::map<std::string, std::vector<std::size_t>> byFile;  // job file -> entries to write there
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Decision& d = decisions[i];
        if (d.kind == Decision::Kind::Reject) outcomes.report(i, d.rejection);
        else if (d.kind == Decision::Kind::Written && d.path != pathFor(batch[i].exportJobId))
            outcomes.report(i, posted(d.path, batch[i]));  // written by an earlier job: nothing to do
        else byFile[d.path].push_back(i);
    }
    for (const auto& [path, indexes] : byFile) {
        host().throwIfCancelled();  // between files: what is written stays reported
        CsvFile& file = openFile(path);
        std::string records;
        std::set<std::string> added;
        for (std::size_t i : indexes)
            if (decisions[i].kind == Decision::Kind::Write) {
                records += decisions[i].records;
                added.insert(batch[i].accountingEntryId);
            }
        if (!records.empty()) {
            try {
                file.append(records, added);
            } catch (const std::runtime_error& e) {
                throw sdk::Error(LB_ERR_TARGET, e.what());
            }
        }
        for (std::size_t i : indexes) outcomes.report(i, posted(path, batch[i]));
    }
}

sdk::Outcome CsvPlugin::lookup(const sdk::Entry& entry) {
    // The session's copy of the files, reloaded only when a file changed: a resumed run looks
    // up a whole batch, and reading the job's file once per entry made that O(file) each.
    bool rescanned = false;
    const auto path = whereWritten(entry.accountingEntryId, pathFor(entry.exportJobId), rescanned);
    return path ? posted(*path, entry) : sdk::Outcome::absent();
}

sdk::MasterDataPage CsvPlugin::readMasterData(const sdk::MasterDataRequest& request) {
    const std::string kind = sdk::masterKindName(request.kind);
    if (config_.masterDataDir.empty())
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: the setting master_data_dir names no directory");
    const std::string file = config_.masterDataDir + "/" + masterDataFileName(request.kind);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: " + config_.masterDataDir + " has no " +
                                                 masterDataFileName(request.kind));
    return masterData_.page(request, file, [&](const std::string& bytes) {
        return parseCsvMasterData(request.kind, file, bytes);
    });
}

}  // namespace ledgerbridge::csv
