// The SIE plugin's manifest (settings declared as data) and the parsing of validated settings
// into a SieConfig.
#pragma once

#include "SieFormat.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sie {

/// Settings: output_dir, file_prefix, company_name, org_nr, fiscal_year_start,
/// fiscal_year_end, kptyp, currency, series, input_vat_account, dimensions, tax_codes,
/// checksum. None is secret.
sdk::Manifest sieManifest();

/// Throws sdk::SettingsError naming each bad key.
SieConfig parseSieSettings(const sdk::Settings& settings);

}  // namespace ledgerbridge::sie
