// The CSV plugin's operations: check, plan, push (idempotent, atomic per job file), lookup.
#include "CsvPlugin.hpp"

#include <unistd.h>

#include "CsvFile.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::csv {

void CsvPlugin::configure(const sdk::Settings& settings) { config_ = parseCsvSettings(settings); }

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

std::vector<sdk::Document> CsvPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        if (sdk::validateEntry(e, config_.taxCodes)) continue;  // would be rejected: writes nothing
        const std::string path = pathFor(e.exportJobId);
        if (openFile(path).contains(e.accountingEntryId)) continue;  // already written: re-push writes nothing
        docs.push_back(sdk::Document{i, "append to " + path, "text/csv; charset=utf-8",
                                     entryRecords(e, config_.format)});
    }
    return docs;
}

void CsvPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    // Per job file: the indexes of entries to write.
    std::map<std::string, std::vector<std::size_t>> byFile;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto rejected = sdk::validateEntry(batch[i], config_.taxCodes)) outcomes.report(i, *rejected);
        else byFile[pathFor(batch[i].exportJobId)].push_back(i);
    }
    for (const auto& [path, indexes] : byFile) {
        host().throwIfCancelled();  // between files: what is written stays reported
        CsvFile& file = openFile(path);
        std::string records;
        std::set<std::string> added;
        for (std::size_t i : indexes) {
            const sdk::Entry& e = batch[i];
            if (!file.contains(e.accountingEntryId) && added.insert(e.accountingEntryId).second)
                records += entryRecords(e, config_.format);
        }
        if (!records.empty()) file.append(records, added);
        for (std::size_t i : indexes) outcomes.report(i, posted(path, batch[i]));
    }
}

CsvFile& CsvPlugin::openFile(const std::string& path) {
    // Kept between pushes of one session (a job's pushes go to one file); reloaded when the
    // file changed under us (another process, or a first use).
    auto it = files_.find(path);
    if (it == files_.end()) {
        it = files_.emplace(path, CsvFile(path, config_.format)).first;
        it->second.load();
    } else if (!it->second.current()) {
        it->second.load();
    }
    return it->second;
}

sdk::Outcome CsvPlugin::lookup(const sdk::Entry& entry) {
    // The session's copy of the file, reloaded only when the file changed: a resumed run looks
    // up a whole batch, and reading the job's file once per entry made that O(file) each.
    const std::string path = pathFor(entry.exportJobId);
    return openFile(path).contains(entry.accountingEntryId) ? posted(path, entry) : sdk::Outcome::absent();
}

}  // namespace ledgerbridge::csv
