// A DATEV file on disk: read back the keys it holds, replace it atomically.
#include "DatevFile.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "DatevFormat.hpp"

namespace ledgerbridge::datev {

namespace {
}  // namespace

void DatevFile::load() {
    std::ifstream in(path_, std::ios::binary);
    exists_ = static_cast<bool>(in);
    content_.clear();
    keys_.clear();
    ids_.clear();
    if (!exists_) return;
    std::ostringstream text;
    text << in.rdbuf();
    content_ = text.str();
    std::istringstream lines(content_);
    std::string line;
    for (int n = 0; std::getline(lines, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 0 && line.rfind("\"EXTF\";700;21;", 0) != 0)
            throw std::runtime_error(path_ + " is not a DATEV Buchungsstapel; move it away to write again");
        if (n < 2 || line.empty()) continue;
        const auto fields = splitLine(line);
        if (fields.size() != kColumnCount)
            throw std::runtime_error(path_ + " line " + std::to_string(n + 1) + " does not have 125 columns");
        // Only rows this plugin wrote carry the markers; rows of other origin identify nothing.
        if (fields[kKeyColumn - 1] == "Pleo-Key") keys_.insert(fields[kKeyColumn]);
        if (fields[kEntryIdColumn - 1] == "Pleo-Eintrag") ids_.insert(fields[kEntryIdColumn]);
    }
}

void DatevFile::append(const std::string& newFileHead, const std::string& rows, const std::set<std::string>& keys,
                       const std::set<std::string>& entryIds) {
    const std::string bytes = (exists_ ? content_ : newFileHead) + rows;
    sdk::writeFileAtomically(path_, bytes, mode_);
    content_ = bytes;
    exists_ = true;
    keys_.insert(keys.begin(), keys.end());
    ids_.insert(entryIds.begin(), entryIds.end());
}

}  // namespace ledgerbridge::datev
