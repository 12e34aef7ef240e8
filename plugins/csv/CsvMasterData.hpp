// Master data from one CSV file per kind in a settings-named directory (accounts.csv,
// tax_codes.csv, dimensions.csv, dimension_values.csv, suppliers.csv): UTF-8, a header row,
// RFC 4180 quoting. The columns of each kind are documented in README.md, "Master data".
#pragma once

#include <string>

#include "ledgerbridge/master_data_files.hpp"

namespace ledgerbridge::csv {

/// "accounts.csv", "tax_codes.csv", "dimensions.csv", "dimension_values.csv", "suppliers.csv".
std::string masterDataFileName(sdk::MasterKind kind);

/// The records of `kind` in the CSV `bytes` (named `file` in errors). Throws
/// sdk::masterDataFileError ("<file>:<line>: <column>: <problem>") for a malformed file: bad
/// quoting, invalid UTF-8, a row with another number of fields than the header, an unknown or
/// missing column, a required value empty, a value outside its column's rule, an id twice.
sdk::MasterRecordsByKind parseCsvMasterData(sdk::MasterKind kind, const std::string& file, const std::string& bytes);

}  // namespace ledgerbridge::csv
