// The CSV plugin's mapping: which columns exist, how one accounting entry becomes rows (one per
// line), RFC 4180 quoting and parsing (for reading back what was written). Pure functions, no I/O.
// The amounts of a row come from CsvBooking (rowAmounts), the numbers the balance check saw.
#pragma once

#include <string>
#include <vector>

#include "CsvBooking.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::csv {

/// How rows look. Built from validated settings (see CsvSettings.hpp).
struct CsvFormat {
    std::vector<std::string> columns;  ///< names from knownColumns(); always includes "entry_id"
    char delimiter = ',';
    char decimalSeparator = '.';
    /// Accounts written in the tax columns (settings; empty: the receiving system books the
    /// VAT by tax_code).
    std::string taxAccount, reverseChargeInputAccount, reverseChargeOutputAccount;
};

/// Every column name the plugin can write, in documentation order.
const std::vector<std::string>& knownColumns();

/// The default column list.
const std::vector<std::string>& defaultColumns();

/// The columns every file must have so that each row can be booked from the file alone.
const std::vector<std::string>& requiredColumns();

/// Quotes one field per RFC 4180: wrapped in double quotes (inner quotes doubled) when it
/// contains the delimiter, a quote, CR or LF; otherwise unchanged.
std::string quoteField(const std::string& field, char delimiter);

/// One record: quoted fields joined by the delimiter, terminated by CRLF.
std::string formatRecord(const std::vector<std::string>& fields, char delimiter);

/// The header record for `format`.
std::string headerRecord(const CsvFormat& format);

/// The records for one entry, one per line, in line order, with the amounts `rows` (from
/// rowAmounts(entry)). Precondition: every column of `format` is in knownColumns() (unknown
/// names throw std::invalid_argument) and rows.size() == entry.lines.size().
std::string entryRecords(const sdk::Entry& entry, const std::vector<RowAmounts>& rows, const CsvFormat& format);

/// Parses RFC 4180 text into records of fields. Tolerates a missing final CRLF and bare LF.
/// Throws std::runtime_error on an unterminated quoted field.
std::vector<std::vector<std::string>> parse(const std::string& text, char delimiter);

}  // namespace ledgerbridge::csv
