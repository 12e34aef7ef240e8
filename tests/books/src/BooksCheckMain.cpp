// ledgerbridge-books-check DIR: reads every export file below DIR (SIE 4 `*.se`, DATEV
// `EXTF_*.csv`, the CSV plugin's `*.csv`) with the format's independent reader and prints, per
// file, its documents, the unbalanced ones, format errors (the reader's rule, file:line) and
// entries written more than once; then a total. Exit 0 when every file holds, 1 on any problem
// (or when there is nothing to check), 2 on bad usage. Used by scripts/demo on its output.
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "Balance.hpp"
#include "BookFiles.hpp"

using namespace ledgerbridge;

namespace {

constexpr std::size_t kShownPerFile = 5;  // problems printed in full per file

struct FileResult {
    std::size_t documents = 0, unbalanced = 0, formatErrors = 0, repeated = 0;
    std::vector<std::string> problems;
    std::size_t total() const { return unbalanced + formatErrors + repeated; }
};

/// Entry ids seen so far per format, to find an entry booked twice (in one file or across files
/// of one format). Adjacent documents of one entry in one file are one booking (DATEV rows).
using Seen = std::map<books::BookFormat, std::map<std::string, std::string>>;  // id -> first where

FileResult checkFile(books::BookFormat format, const std::string& path, Seen& seen) {
    FileResult r;
    std::vector<testkit::WrittenDocument> docs;
    try {
        docs = books::readBook(format, path);
    } catch (const std::exception& e) {
        r.formatErrors = 1;
        r.problems.push_back(std::string("format: ") + e.what());
        return r;
    }
    r.documents = docs.size();
    std::string previous;
    for (const auto& d : docs) {
        auto off = books::imbalances(d);
        if (!off.empty()) ++r.unbalanced;
        for (auto& m : off) r.problems.push_back("unbalanced: " + m);
        if (d.accountingEntryId == previous) continue;
        previous = d.accountingEntryId;
        auto [it, fresh] = seen[format].emplace(d.accountingEntryId, d.where);
        if (!fresh) {
            ++r.repeated;
            r.problems.push_back("repeated: entry " + d.accountingEntryId + " at " + d.where + ", already at " + it->second);
        }
    }
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cerr << "usage: ledgerbridge-books-check DIR\n"
                     "Reads every SIE 4 (*.se), DATEV (EXTF_*.csv) and CSV export file below DIR with an\n"
                     "independent reader; prints documents, unbalanced documents, format errors and\n"
                     "repeated entries per file. Exit 0 when all hold, 1 on any problem, 2 on bad usage.\n";
        return 2;
    }
    const std::string dir = argv[1];
    std::vector<std::string> files;
    try {
        files = books::bookFilesBelow(dir);
    } catch (const std::exception& e) {
        std::cerr << "ledgerbridge-books-check: cannot read " << dir << ": " << e.what() << "\n";
        return 2;
    }
    Seen seen;
    FileResult sum;
    std::size_t bad = 0;
    for (const std::string& f : files) {
        const books::BookFormat format = books::formatOf(f);
        FileResult r = checkFile(format, f, seen);
        std::string shown = f.rfind(dir, 0) == 0 ? f.substr(dir.size() + (dir.back() == '/' ? 0 : 1)) : f;
        std::printf("%-60s %-6s %6zu documents  %zu unbalanced  %zu format errors  %zu repeated\n", shown.c_str(),
                    books::formatName(format).c_str(), r.documents, r.unbalanced, r.formatErrors, r.repeated);
        for (std::size_t i = 0; i < r.problems.size() && i < kShownPerFile; ++i) std::printf("    %s\n", r.problems[i].c_str());
        if (r.problems.size() > kShownPerFile) std::printf("    ... and %zu more\n", r.problems.size() - kShownPerFile);
        sum.documents += r.documents;
        sum.unbalanced += r.unbalanced;
        sum.formatErrors += r.formatErrors;
        sum.repeated += r.repeated;
        bad += r.total() > 0 ? 1 : 0;
    }
    if (files.empty()) {
        std::printf("no SIE, DATEV or CSV export files below %s: nothing checked\n", dir.c_str());
        return 1;
    }
    std::printf("books: %zu files, %zu documents, %zu unbalanced, %zu format errors, %zu repeated entries: %s\n",
                files.size(), sum.documents, sum.unbalanced, sum.formatErrors, sum.repeated,
                bad == 0 ? "every file holds" : (std::to_string(bad) + " files with problems").c_str());
    return bad == 0 ? 0 : 1;
}
