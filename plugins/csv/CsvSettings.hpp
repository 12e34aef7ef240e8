// The CSV plugin's manifest (name, capabilities, settings declared as data) and the parsing of
// its validated settings into a CsvConfig.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>

#include "CsvFormat.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::csv {

struct CsvConfig {
    std::string outputDir;   ///< existing, writable directory
    std::string filePrefix;  ///< file name = filePrefix + export job id + ".csv"
    CsvFormat format;
    std::set<std::string> taxCodes;  ///< empty = accept any tax code
    std::string masterDataDir;       ///< directory of accounts.csv, tax_codes.csv, …; empty = none
    mode_t fileMode = 0600;          ///< of the job files and their sidecars (file_mode)
};

/// The manifest: settings output_dir, columns, delimiter, decimal_separator, tax_codes,
/// file_prefix, tax_account, reverse_charge_input_account, reverse_charge_output_account,
/// master_data_dir, file_mode.
sdk::Manifest csvManifest();

/// Turns settings (already checked against the manifest) into a CsvConfig. Throws
/// sdk::SettingsError naming each bad key: a missing output directory, unknown columns, a
/// column list without entry_id or another required column (requiredColumns()), a delimiter or separator that is not one allowed character.
CsvConfig parseCsvSettings(const sdk::Settings& settings);

}  // namespace ledgerbridge::csv
