// The kit's read-back hook for the example plugin: reads example-ledger.tsv from the format's
// description (src/LedgerFile.hpp) with code of its own — it shares nothing with the writer, so
// a writer bug cannot hide behind the same bug in the reader. Anything outside the format is an
// error naming the file and line. Linked into the kit binary (CMakeLists.txt, SOURCES).
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ledgerbridge/testkit/ReadBack.hpp>

namespace {

using ledgerbridge::testkit::Posting;
using ledgerbridge::testkit::WrittenDocument;

std::vector<std::string> split(const std::string& s, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, separator)) parts.push_back(part);
    if (!s.empty() && s.back() == separator) parts.emplace_back();
    return parts;
}

long long integer(const std::string& text, const std::string& where) {
    std::size_t used = 0;
    long long v = 0;
    try {
        v = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size()) throw std::runtime_error(where + ": '" + text + "' is not an integer");
    return v;
}

std::vector<WrittenDocument> readLedger(const std::string& dir, int /*instance*/) {
    const std::string path = dir + "/example-ledger.tsv";
    std::vector<WrittenDocument> docs;
    std::ifstream in(path, std::ios::binary);
    if (!in) return docs;  // nothing written
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!content.empty() && content.back() != '\n') throw std::runtime_error(path + ": the last line has no LF");
    std::istringstream lines(content);
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
        const std::string where = path + ":" + std::to_string(n);
        const auto fields = split(line, '\t');
        if (fields.size() != 6) throw std::runtime_error(where + ": expected 6 tab-separated fields, found " + std::to_string(fields.size()));
        WrittenDocument d{fields[0], fields[1], where, {}};
        const int exponent = static_cast<int>(integer(fields[4], where));
        for (const std::string& posting : split(fields[5], ';')) {
            const auto eq = posting.find('=');
            if (eq == std::string::npos || eq == 0) throw std::runtime_error(where + ": posting '" + posting + "' is not account=minor");
            d.postings.push_back(Posting{posting.substr(0, eq), integer(posting.substr(eq + 1), where), fields[3], exponent, ""});
        }
        docs.push_back(std::move(d));
    }
    return docs;
}

[[maybe_unused]] const bool registered = ledgerbridge::testkit::setReadBack(readLedger);

}  // namespace
