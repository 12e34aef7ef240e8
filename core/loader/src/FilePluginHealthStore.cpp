// File-backed plugin health records: "<dir>/<plugin>.health", three key=value lines.
#include "ledgerbridge/loader/PluginHealthStore.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::loader {

FilePluginHealthStore::FilePluginHealthStore(std::string directory) : directory_(std::move(directory)) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) throw IoError("Cannot create the plugin health directory " + directory_ + ": " + ec.message() + ".");
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
    }
    return r;
}

void FilePluginHealthStore::write(const std::string& plugin, const Record& r) const {
    const std::string path = pathOf(plugin), temp = path + ".tmp";
    const std::string text = "inside=" + r.inside + "\ncrashes=" + std::to_string(r.crashes) +
                             "\nquarantined=" + r.quarantineReason + "\n";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    if (fd >= 0) ok = (::close(fd) == 0) && ok;
    if (!ok || ::rename(temp.c_str(), path.c_str()) != 0)
        throw IoError("Cannot write the plugin health record " + path + ": " + std::strerror(errno) + ".");
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

int FilePluginHealthStore::recordCrash(const std::string& plugin) {
    Record r = read(plugin);
    r.inside.clear();
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

std::optional<std::string> FilePluginHealthStore::quarantined(const std::string& plugin) {
    const Record r = read(plugin);
    if (r.quarantineReason.empty()) return std::nullopt;
    return r.quarantineReason;
}

void FilePluginHealthStore::enable(const std::string& plugin) { write(plugin, Record{}); }

}  // namespace ledgerbridge::loader
