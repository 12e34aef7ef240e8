// One export job's CSV file: read back what is there, replace atomically.
#include "CsvFile.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ledgerbridge::csv {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

CsvFile::CsvFile(std::string path, CsvFormat format, mode_t mode)
    : path_(std::move(path)), format_(std::move(format)), mode_(mode) {}

std::string CsvFile::sidecarPath() const {
    const auto slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    const std::string name = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    return dir + "/." + name + ".committed";
}

namespace {
std::uint64_t fileSize(const std::string& path, bool& exists) {
    struct stat st {};
    exists = ::stat(path.c_str(), &st) == 0;
    return exists ? static_cast<std::uint64_t>(st.st_size) : 0;
}
}  // namespace

void CsvFile::commitLength(std::uint64_t length) {
    sdk::writeFileAtomically(sidecarPath(), std::to_string(length) + "\n", mode_);
}

void CsvFile::load() {
    entryIds_.clear();
    header_.clear();
    committed_ = diskSize_ = fileSize(path_, exists_);
    if (!exists_) return;
    // Only the committed length counts: a tail past it is a batch whose append never returned
    // (cut before the next append to this file, see append()). Reading leaves the file as it is.
    std::ifstream marker(sidecarPath());
    std::uint64_t committed = 0;
    if (marker >> committed && committed < committed_) committed_ = committed;
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail("cannot read", path_);
    std::string text(static_cast<std::size_t>(committed_), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
        throw std::runtime_error("cannot read the first " + std::to_string(committed_) + " bytes of " + path_);
    std::vector<std::vector<std::string>> records;
    try {
        records = parse(text, format_.delimiter);
    } catch (const std::exception& e) {
        throw std::runtime_error(path_ + " cannot be read as CSV: " + e.what());
    }
    if (records.empty()) return;
    header_ = records.front();
    const auto col = std::find(header_.begin(), header_.end(), "entry_id");
    if (col == header_.end()) throw std::runtime_error(path_ + " has no entry_id column; move it away to write again");
    const auto index = static_cast<std::size_t>(col - header_.begin());
    for (std::size_t r = 1; r < records.size(); ++r)
        if (index < records[r].size()) entryIds_.insert(records[r][index]);
}

bool CsvFile::current() const {
    bool exists = false;
    const std::uint64_t size = fileSize(path_, exists);
    return exists == exists_ && size == diskSize_;
}

void CsvFile::append(const std::string& records, const std::set<std::string>& ids) {
    if (!exists_) {
        const std::string text = headerRecord(format_) + records;
        sdk::writeFileAtomically(path_, text, mode_);
        committed_ = diskSize_ = text.size();
        exists_ = true;
        header_ = format_.columns;
    } else {
        if (header_ != format_.columns)
            throw std::runtime_error(path_ + " was written with other columns than the settings now give; move it "
                                             "away or restore its columns to add to it");
        // Cuts a tail past the committed length (a batch whose push never returned) first.
        committed_ = diskSize_ = sdk::appendDurably(path_, records, committed_);
    }
    commitLength(committed_);
    for (const std::string& id : ids) entryIds_.insert(id);
}

}  // namespace ledgerbridge::csv
