// The SIE plugin's master-data reader (plugins/sie/SieMasterData.cpp) on any bytes: records
// with ids and names, or an error naming file and line (MasterDataFilesFuzz.h).
#include <cstdint>

#include "MasterDataFilesFuzz.h"
#include "SieMasterData.hpp"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::bytes(data, size);
    fuzz::checkMasterDataParser("export.se", [&] { return sie::parseSieMasterData("export.se", input); });
    return 0;
}
