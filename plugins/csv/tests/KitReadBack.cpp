// The CSV plugin's read-back hook for the conformance kit: every CSV file a kit instance wrote
// into its ${TESTKIT_TMP} (the output_dir of plugins/csv/tests/conformance.conf), read by the
// independent reader (csv_reader), so the kit can check each document balances and carries the
// entry's amounts per account.
#include <algorithm>
#include <filesystem>

#include "CsvReader.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace {
std::vector<ledgerbridge::testkit::WrittenDocument> readAll(const std::string& tmp, int /*instance*/) {
    std::vector<std::string> files;
    for (const auto& f : std::filesystem::directory_iterator(tmp)) {
        const std::string name = f.path().filename().string();
        if (f.is_regular_file() && name[0] != '.' && f.path().extension() == ".csv") files.push_back(f.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<ledgerbridge::testkit::WrittenDocument> docs;
    for (const std::string& file : files) {
        auto read = ledgerbridge::readers::readCsvFile(file);
        docs.insert(docs.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
    }
    return docs;
}

[[maybe_unused]] const bool registered = ledgerbridge::testkit::setReadBack(readAll);
}  // namespace
