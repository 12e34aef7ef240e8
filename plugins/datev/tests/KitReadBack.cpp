// The DATEV plugin's read-back hook for the conformance kit: every Buchungsstapel file the
// instance wrote under its ${TESTKIT_TMP}, read by the independent reader (tests/reader), in
// file-name order so the kit's messages are stable.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "DatevReader.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace {
std::vector<ledgerbridge::testkit::WrittenDocument> readWhatDatevWrote(const std::string& tmp, int /*instance*/) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& p : fs::directory_iterator(tmp)) {
        const std::string name = p.path().filename().string();
        if (name.rfind("EXTF_", 0) == 0 && name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0)
            files.push_back(p.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<ledgerbridge::testkit::WrittenDocument> docs;
    for (const auto& f : files)
        for (auto& d : ledgerbridge::readers::readDatevFile(f)) docs.push_back(std::move(d));
    return docs;
}

const bool registered = ledgerbridge::testkit::setReadBack(readWhatDatevWrote);
}  // namespace
