// File-backed plugin health records: "<dir>/<plugin>.health", key=value lines (file= only once a
// crash was counted for a known file).
#include "ledgerbridge/loader/PluginHealthStore.h"

#include <filesystem>
#include <fstream>

#include "ledgerbridge/atomic_file.hpp"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::loader {

FilePluginHealthStore::FilePluginHealthStore(std::string directory) : directory_(std::move(directory)) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) throw IoError("Cannot create the plugin health directory " + directory_ + ": " + ec.message() + ".");
    // Records are replaced through the SDK's atomic-file helper; a process killed between its
    // temp file and the rename leaves "<plugin>.health.tmp-<pid>-<n>", removed here.
    auto ours = [](const std::string& finalName) {
        return finalName.size() > 7 && finalName.compare(finalName.size() - 7, 7, ".health") == 0;
    };
    const sdk::StaleTempFilesReport report = sdk::cleanStaleTempFiles(directory_, ours);
    if (report.failed) log::warn("Plugin health records: " + report.message);
    else if (!report.message.empty()) log::info("Plugin health records: " + report.message);
}

std::string FilePluginHealthStore::pathOf(const std::string& plugin) const {
    return directory_ + "/" + plugin + ".health";
}

FilePluginHealthStore::Record FilePluginHealthStore::read(const std::string& plugin) const {
    Record r;
    std::ifstream in(pathOf(plugin));
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "inside") r.inside = value;
        else if (key == "crashes") r.crashes = std::atoi(value.c_str());
        else if (key == "quarantined") r.quarantineReason = value;
        else if (key == "file") r.file = value;
    }
    return r;
}

void FilePluginHealthStore::write(const std::string& plugin, const Record& r) const {
    const std::string path = pathOf(plugin);
    const std::string text = "inside=" + r.inside + "\ncrashes=" + std::to_string(r.crashes) +
                             "\nquarantined=" + r.quarantineReason + "\n" + (r.file.empty() ? "" : "file=" + r.file + "\n");
    try {
        sdk::writeFileAtomically(path, text, 0600);
    } catch (const sdk::FileError& e) {
        throw IoError(std::string("Cannot write the plugin health record ") + path + ": " + e.what() + ".");
    }
}

void FilePluginHealthStore::recordCallStart(const std::string& plugin, const std::string& operation) {
    Record r = read(plugin);
    r.inside = operation;
    write(plugin, r);
}

void FilePluginHealthStore::recordCallEnd(const std::string& plugin) {
    Record r = read(plugin);
    if (r.inside.empty()) return;  // nothing to clear: spare the disk
    r.inside.clear();
    write(plugin, r);
}

void FilePluginHealthStore::recordCleanSession(const std::string& plugin) {
    Record r = read(plugin);
    if (r.crashes == 0) return;
    r.crashes = 0;
    write(plugin, r);
}

std::optional<std::string> FilePluginHealthStore::unfinishedCall(const std::string& plugin) {
    const Record r = read(plugin);
    if (r.inside.empty()) return std::nullopt;
    return r.inside;
}

int FilePluginHealthStore::recordCrash(const std::string& plugin, const std::string& fileHash) {
    Record r = read(plugin);
    r.inside.clear();
    if (!fileHash.empty() && !r.file.empty() && r.file != fileHash) {  // another file: its own streak
        r.crashes = 0;
        r.quarantineReason.clear();
    }
    if (!fileHash.empty()) r.file = fileHash;
    ++r.crashes;
    write(plugin, r);
    return r.crashes;
}

int FilePluginHealthStore::consecutiveCrashes(const std::string& plugin) { return read(plugin).crashes; }

void FilePluginHealthStore::quarantine(const std::string& plugin, const std::string& reason) {
    Record r = read(plugin);
    r.quarantineReason = reason;
    write(plugin, r);
}

std::optional<std::string> FilePluginHealthStore::quarantined(const std::string& plugin, const std::string& fileHash) {
    const Record r = read(plugin);
    if (r.quarantineReason.empty()) return std::nullopt;
    if (!fileHash.empty() && !r.file.empty() && r.file != fileHash) return std::nullopt;  // a predecessor's
    return r.quarantineReason;
}

void FilePluginHealthStore::enable(const std::string& plugin) { write(plugin, Record{}); }

}  // namespace ledgerbridge::loader
