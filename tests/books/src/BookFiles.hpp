// Which export files are books (SIE 4, DATEV Buchungsstapel, the CSV plugin's files) and how to
// read one back with the independent reader of its format (plugins/<name>/tests/reader). The
// readers share no code with the writers; this file only dispatches to them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::books {

enum class BookFormat { None, Sie, Datev, Csv };

/// The format of the file at `path`, by its name and first bytes: `*.se` is SIE; a `.csv` whose
/// first field is `EXTF` (DATEV names them `EXTF_*.csv`) is DATEV; any other `.csv` is the CSV
/// plugin's. Hidden files (the CSV plugin's `.…committed` sidecars, temp files) are None.
BookFormat formatOf(const std::string& path);

/// "SIE 4", "DATEV", "CSV" (or "-" for None).
std::string formatName(BookFormat format);

/// False when this build has no reader for `format` (its plugin's reader target is missing).
bool readerAvailable(BookFormat format);

/// Every document of the file, as the format's independent reader sees it. Throws
/// std::runtime_error naming file:line and the rule broken (the reader's own message), or saying
/// that no reader is built for the format.
std::vector<testkit::WrittenDocument> readBook(BookFormat format, const std::string& path);

/// Regular files below `dir` (recursively) that are books, in name order.
std::vector<std::string> bookFilesBelow(const std::string& dir);

/// What the books below some folders hold, as their readers see them.
struct Bookings {
    /// entry id -> where each booking of it is (file:line); adjacent documents of one entry in
    /// one file are one booking (a reader may return DATEV's rows one by one)
    std::map<std::string, std::vector<std::string>> bookings;
    std::vector<std::string> formatErrors;  ///< the readers' messages, one per file that breaks its format
    std::size_t files = 0;
    /// Entries booked more than once.
    std::size_t duplicated() const;
};

/// Reads every book below each of `dirs`.
Bookings readBookings(const std::vector<std::string>& dirs);

}  // namespace ledgerbridge::books
