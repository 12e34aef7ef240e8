// See BookFiles.hpp. Each reader is compiled in only when its plugin's reader target exists
// (CMake defines LB_BOOKS_HAVE_<FORMAT>_READER), so this builds before every reader has landed;
// a missing reader is an error at run time, never a silent pass.
#include "BookFiles.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#ifdef LB_BOOKS_HAVE_SIE_READER
#include "SieReader.hpp"
#endif
#ifdef LB_BOOKS_HAVE_DATEV_READER
#include "DatevReader.hpp"
#endif
#ifdef LB_BOOKS_HAVE_CSV_READER
#include "CsvReader.hpp"
#endif

namespace fs = std::filesystem;

namespace ledgerbridge::books {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The first field of a DATEV file is the quoted Kennzeichen "EXTF" (or "DTVF").
bool startsLikeDatev(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[7] = {};
    in.read(head, sizeof head - 1);
    const std::string s(head, static_cast<std::size_t>(in.gcount()));
    return s.rfind("\"EXTF\"", 0) == 0 || s.rfind("EXTF;", 0) == 0 || s.rfind("\"DTVF\"", 0) == 0;
}

}  // namespace

BookFormat formatOf(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    if (name.empty() || name[0] == '.') return BookFormat::None;
    if (endsWith(name, ".se") || endsWith(name, ".SE")) return BookFormat::Sie;
    if (endsWith(name, ".csv") || endsWith(name, ".CSV"))
        return name.rfind("EXTF_", 0) == 0 || startsLikeDatev(path) ? BookFormat::Datev : BookFormat::Csv;
    return BookFormat::None;
}

std::string formatName(BookFormat format) {
    switch (format) {
    case BookFormat::Sie: return "SIE 4";
    case BookFormat::Datev: return "DATEV";
    case BookFormat::Csv: return "CSV";
    case BookFormat::None: break;
    }
    return "-";
}

bool readerAvailable(BookFormat format) {
    switch (format) {
#ifdef LB_BOOKS_HAVE_SIE_READER
    case BookFormat::Sie: return true;
#endif
#ifdef LB_BOOKS_HAVE_DATEV_READER
    case BookFormat::Datev: return true;
#endif
#ifdef LB_BOOKS_HAVE_CSV_READER
    case BookFormat::Csv: return true;
#endif
    default: return false;
    }
}

std::vector<testkit::WrittenDocument> readBook(BookFormat format, const std::string& path) {
    switch (format) {
#ifdef LB_BOOKS_HAVE_SIE_READER
    case BookFormat::Sie: return readers::readSieFile(path);
#endif
#ifdef LB_BOOKS_HAVE_DATEV_READER
    case BookFormat::Datev: return readers::readDatevFile(path);
#endif
#ifdef LB_BOOKS_HAVE_CSV_READER
    case BookFormat::Csv: return readers::readCsvFile(path);
#endif
    default: break;
    }
    throw std::runtime_error(path + ": no " + formatName(format) +
                             " reader in this build (its plugin's tests/reader target is missing)");
}

std::vector<std::string> bookFilesBelow(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && formatOf(e.path().string()) != BookFormat::None) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t Bookings::duplicated() const {
    std::size_t n = 0;
    for (const auto& [entry, where] : bookings) n += where.size() > 1 ? 1 : 0;
    return n;
}

Bookings readBookings(const std::vector<std::string>& dirs) {
    Bookings out;
    for (const auto& dir : dirs)
        for (const std::string& f : bookFilesBelow(dir)) {
            ++out.files;
            try {
                std::string previous;
                for (const auto& d : readBook(formatOf(f), f)) {
                    if (d.accountingEntryId == previous) continue;
                    previous = d.accountingEntryId;
                    out.bookings[d.accountingEntryId].push_back(d.where);
                }
            } catch (const std::exception& e) {
                out.formatErrors.push_back(e.what());
            }
        }
    return out;
}

}  // namespace ledgerbridge::books
