// The SIE plugin's operations: check, plan, push (idempotent, atomic per job file), lookup.
#include "SiePlugin.hpp"

#include <unistd.h>

#include <ctime>
#include <map>
#include <set>

#include "Cp437.hpp"
#include "SieFile.hpp"

namespace ledgerbridge::sie {

namespace {
std::string today() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
    return buf;
}
}  // namespace

void SiePlugin::configure(const sdk::Settings& settings) { config_ = parseSieSettings(settings); }

void SiePlugin::check() {
    if (::access(config_.outputDir.c_str(), W_OK | X_OK) != 0)
        throw sdk::Error(LB_ERR_TARGET, "the output directory " + config_.outputDir + " is not writable");
}

std::string SiePlugin::pathFor(const std::string& jobId) const {
    std::string job = jobId;
    for (char& c : job)
        if (c == '/' || c == '\\' || c == '\0') c = '_';
    return config_.outputDir + "/" + config_.filePrefix + job + ".se";
}

sdk::Outcome SiePlugin::posted(const std::string& path, const sdk::Entry& e) const {
    return sdk::Outcome::posted(path.substr(path.rfind('/') + 1) + "#" + e.accountingEntryId, "file://" + path);
}

std::string SiePlugin::encode(const std::string& text, const std::string& what) const {
    std::size_t replaced = 0;
    std::string bytes = toCp437(text, &replaced);
    if (replaced) host().warn(std::to_string(replaced) + " character(s) of " + what +
                              " have no CP437 (PC8) form and were written as '?'");
    return bytes;
}

std::vector<sdk::Document> SiePlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    std::map<std::string, SieFile> files;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        if (checkEntry(e, config_)) continue;
        const std::string path = pathFor(e.exportJobId);
        auto it = files.find(path);
        if (it == files.end()) {
            it = files.emplace(path, SieFile(path)).first;
            it->second.load();
        }
        if (it->second.contains(toCp437(entryKey(e)))) continue;
        docs.push_back(sdk::Document{i, "append to " + path, "text/plain; charset=IBM437",
                                     toCp437(verification(e, config_))});
    }
    return docs;
}

void SiePlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    std::map<std::string, std::vector<std::size_t>> byFile;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto rejected = checkEntry(batch[i], config_)) outcomes.report(i, *rejected);
        else byFile[pathFor(batch[i].exportJobId)].push_back(i);
    }
    for (const auto& [path, indexes] : byFile) {
        host().throwIfCancelled();  // between files: what is written stays reported
        SieFile file(path);
        file.load();
        std::string records;
        std::set<std::string> added;
        for (std::size_t i : indexes) {
            const sdk::Entry& e = batch[i];
            const std::string key = toCp437(entryKey(e));
            if (!file.contains(key) && added.insert(key).second)
                records += encode(verification(e, config_), "entry " + e.accountingEntryId);
        }
        if (!records.empty()) file.append(encode(headRecords(config_, today()), "the head"), records, config_.checksum);
        for (std::size_t i : indexes) outcomes.report(i, posted(path, batch[i]));
    }
}

sdk::Outcome SiePlugin::lookup(const sdk::Entry& e) {
    const std::string path = pathFor(e.exportJobId);
    SieFile file(path);
    file.load();
    return file.contains(toCp437(entryKey(e))) ? posted(path, e) : sdk::Outcome::absent();
}

}  // namespace ledgerbridge::sie
