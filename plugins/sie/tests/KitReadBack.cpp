// Registers the independent SIE reader as the conformance kit's read-back hook: everything a
// kit instance's plugin wrote is every .se file in that instance's output directory.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "SieReader.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace {
std::vector<ledgerbridge::testkit::WrittenDocument> readEverySieFile(const std::string& tmp, int /*instance*/) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(tmp))
        if (entry.is_regular_file() && entry.path().extension() == ".se") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());  // a stable order for messages
    std::vector<ledgerbridge::testkit::WrittenDocument> docs;
    for (const auto& file : files) {
        auto read = ledgerbridge::readers::readSieFile(file);
        docs.insert(docs.end(), read.begin(), read.end());
    }
    return docs;
}

[[maybe_unused]] const bool registered = ledgerbridge::testkit::setReadBack(readEverySieFile);
}  // namespace
