// The SIE plugin's manifest (settings declared as data) and the parsing of validated settings
// into a SieConfig.
#pragma once

#include "SieFormat.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sie {

/// Settings: output_dir, file_prefix, company_name, org_nr, fiscal_year_start,
/// fiscal_year_end, kptyp, currency, series, input_vat_account,
/// reverse_charge_input_vat_account, reverse_charge_output_vat_account,
/// reverse_charge_output_vat_by_rate, dimensions, tax_codes, checksum, master_data_file. None
/// is secret.
sdk::Manifest sieManifest();

/// A tax rate in percent as written in settings and by the host ("25", "12.5", "25.0"),
/// without insignificant zeros ("25", "12.5"); "" when it is not a decimal number.
std::string normalRate(const std::string& rate);

/// Throws sdk::SettingsError naming each bad key.
SieConfig parseSieSettings(const sdk::Settings& settings);

}  // namespace ledgerbridge::sie
