// The DATEV plugin's manifest (settings declared as data) and the parsing of validated
// settings into a DatevConfig.
#pragma once

#include "DatevFormat.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::datev {

/// Settings: output_dir, beraternummer, mandantennummer, wj_beginn, sachkontenlaenge, skr,
/// bezeichnung, wkz, bu_keys, automatic_vat_accounts, kost1_tag_group, kost2_tag_group,
/// kontenbeschriftungen_file, debitoren_kreditoren_file, kontenbeschriftungen_language. None is
/// secret.
sdk::Manifest datevManifest();

/// Throws sdk::SettingsError naming each bad key.
DatevConfig parseDatevSettings(const sdk::Settings& settings);

}  // namespace ledgerbridge::datev
