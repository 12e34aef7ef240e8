// The DATEV plugin's operations: check, plan, push (idempotent, atomic per file), lookup.
#include "DatevPlugin.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "Cp1252.hpp"
#include "DatevFile.hpp"
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

void DatevPlugin::configure(const sdk::Settings& settings) { config_ = parseDatevSettings(settings); }

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

std::vector<sdk::Document> DatevPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    std::map<std::string, DatevFile> files;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        if (rejection(e)) continue;
        const std::string path = pathFor(e);
        auto it = files.find(path);
        if (it == files.end()) {
            it = files.emplace(path, DatevFile(path)).first;
            it->second.load();
        }
        if (it->second.contains(toCp1252(entryKey(e)))) continue;
        docs.push_back(sdk::Document{i, "append to " + path, "text/csv; charset=windows-1252",
                                     toCp1252(bookingRows(e, config_))});
    }
    return docs;
}

void DatevPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    std::map<std::string, std::vector<std::size_t>> byFile;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto rejected = rejection(batch[i])) outcomes.report(i, *rejected);
        else byFile[pathFor(batch[i])].push_back(i);
    }
    for (const auto& [path, indexes] : byFile) {
        host().throwIfCancelled();  // between files: what is written stays reported
        DatevFile file(path);
        file.load();
        std::string rows;
        std::set<std::string> added;
        for (std::size_t i : indexes) {
            const sdk::Entry& e = batch[i];
            const std::string key = toCp1252(entryKey(e));
            if (!file.contains(key) && added.insert(key).second)
                rows += encode(bookingRows(e, config_), "entry " + e.accountingEntryId);
        }
        if (!rows.empty()) {
            const Period period = *periodOf(batch[indexes.front()].date);
            const std::string head =
                encode(headerLine(config_, period, nowStamp()) + "\r\n" + columnLine() + "\r\n", "the header");
            file.append(head, rows);
        }
        for (std::size_t i : indexes) outcomes.report(i, posted(path, batch[i]));
    }
}

sdk::Outcome DatevPlugin::lookup(const sdk::Entry& e) {
    if (!periodOf(e.date)) return sdk::Outcome::absent();
    const std::string path = pathFor(e);
    DatevFile file(path);
    file.load();
    return file.contains(toCp1252(entryKey(e))) ? posted(path, e) : sdk::Outcome::absent();
}

}  // namespace ledgerbridge::datev
