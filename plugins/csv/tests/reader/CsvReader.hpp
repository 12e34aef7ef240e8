// An independent reader of the CSV plugin's files, for tests: it shares no code with the
// plugin (its own RFC 4180 parser, its own amount parsing) and follows only the published
// format (plugins/csv/README.md): one header record, one record per entry line, CRLF record
// ends, UTF-8 without BOM, a hidden `.<name>.committed` sidecar giving the file's committed
// length when present.
//
// Each contiguous group of rows with the same entry_id becomes one document, its postings built
// from the columns (debit positive, credit negative, minor units as written):
//   account                        +net
//   tax_account                    +tax                        (when tax is not zero)
//   reverse_charge_input_account   +reverse_charge_input_vat   (when not zero)
//   reverse_charge_output_account  -reverse_charge_output_vat  (when not zero)
//   contra_account                 -gross
// Accounts are reported exactly as written (an empty tax account column gives account "").
// Balance is not checked here; callers do that (so the reader can find unbalanced documents).
// An entry whose rows appear in two separate places gives two documents (callers count them).
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::readers {

/// Reads one CSV file written by the plugin. Throws std::runtime_error "<path>:<line>: <rule>"
/// for anything that breaks the format: invalid UTF-8 or a BOM, a record not ended by CRLF, a
/// stray or unterminated quote, a record with another number of fields than the header, a
/// header without a booking column or with a duplicate name, an empty entry_id, an amount that
/// is not a plain decimal or whose decimals differ within a row or from the file's separator,
/// a currency that is not three capital letters, a date that is not YYYY-MM-DD, a line_id
/// repeated within an entry.
std::vector<testkit::WrittenDocument> readCsvFile(const std::string& path);

}  // namespace ledgerbridge::readers
