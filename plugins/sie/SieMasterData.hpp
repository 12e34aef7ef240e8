// Master data from an SIE 4 file the accountant exported from their bookkeeping program: the
// chart of accounts (#KONTO, #KTYP), dimensions (#DIM, #UNDERDIM) and their objects (#OBJEKT).
// A reader of its own (tokenizer, quoting, CP437), not the writer's: the file comes from
// another program. What is read and what is not: README.md, "Master data".
#pragma once

#include <string>

#include "ledgerbridge/master_data_files.hpp"

namespace ledgerbridge::sie {

/// Every account, dimension and dimension value of the SIE file `bytes` (named `file` in
/// errors). Throws sdk::masterDataFileError ("<file>:<line>: <record> <field>: <problem>") for
/// a malformed record; unknown labels and #VER blocks are passed over, as SIE readers must.
sdk::MasterRecordsByKind parseSieMasterData(const std::string& file, const std::string& bytes);

}  // namespace ledgerbridge::sie
