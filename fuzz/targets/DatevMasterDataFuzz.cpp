// The DATEV plugin's master-data readers (plugins/datev/DatevMasterData.cpp) on any bytes: the
// first byte chooses Kontenbeschriftungen or Debitoren/Kreditoren and SKR 03 or 04; records
// with ids and names, or an error naming file and line (MasterDataFilesFuzz.h).
#include <cstdint>

#include "DatevMasterData.hpp"
#include "MasterDataFilesFuzz.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string input = fuzz::bytes(data + 1, size - 1), file = "EXTF_Stammdaten.csv";
    datev::MasterDataOptions options;
    options.skr = data[0] & 2 ? "04" : "03";
    options.sachkontenlaenge = 4 + (data[0] >> 2) % 5;
    if (data[0] & 1)
        fuzz::checkMasterDataParser(file, [&] { return datev::parseDebitorenKreditoren(file, input, options); });
    else
        fuzz::checkMasterDataParser(file, [&] { return datev::parseKontenbeschriftungen(file, input, options); });
    return 0;
}
