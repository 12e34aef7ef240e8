// Master data from DATEV's own export files: Kontenbeschriftungen (EXTF Datenkategorie 20) for
// accounts and Debitoren/Kreditoren (EXTF Datenkategorie 16) for suppliers (the Kreditoren).
// Windows-1252, `;`, quoted text, the EXTF header line and the column header line; columns
// are found by their names. What is read: README.md, "Master data".
#pragma once

#include <string>

#include "ledgerbridge/master_data_files.hpp"

namespace ledgerbridge::datev {

/// How the files are read: the Sachkontenlänge when the file's header has none (the
/// connection's setting), the chart (SKR "03", "04" or "") that gives accounts their type, and
/// the Sprach-ID whose Kontenbeschriftungen are read.
struct MasterDataOptions {
    int sachkontenlaenge = 4;
    std::string skr = "03";
    std::string language = "de-DE";
    /// The Mandant's base currency (the wkz setting): every Kreditor's currency, since the
    /// Debitoren/Kreditoren columns read here carry none and Pleo needs one per vendor.
    std::string currency = "EUR";
};

/// The accounts of a Kontenbeschriftungen file. Throws sdk::masterDataFileError naming file,
/// line and column.
sdk::MasterRecordsByKind parseKontenbeschriftungen(const std::string& file, const std::string& bytes,
                                                   const MasterDataOptions& options);

/// The suppliers (Kreditoren) of a Debitoren/Kreditoren file; Debitoren (customers) are not
/// suppliers and are passed over. Throws sdk::masterDataFileError naming file, line and column.
sdk::MasterRecordsByKind parseDebitorenKreditoren(const std::string& file, const std::string& bytes,
                                                  const MasterDataOptions& options);

}  // namespace ledgerbridge::datev
