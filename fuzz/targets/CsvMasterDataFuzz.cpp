// The CSV plugin's master-data reader (plugins/csv/CsvMasterData.cpp) on any bytes, as each of
// the five kinds (the first byte chooses): records with ids and names, or an error naming file
// and line (MasterDataFilesFuzz.h).
#include <cstdint>

#include "CsvMasterData.hpp"
#include "MasterDataFilesFuzz.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto& kinds = sdk::allMasterKinds();
    const sdk::MasterKind kind = kinds[data[0] % kinds.size()];
    const std::string input = fuzz::bytes(data + 1, size - 1), file = csv::masterDataFileName(kind);
    fuzz::checkMasterDataParser(file, [&] { return csv::parseCsvMasterData(kind, file, input); });
    return 0;
}
