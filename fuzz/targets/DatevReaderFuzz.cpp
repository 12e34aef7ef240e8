// The Datev plugin's read-back parser (plugins/datev/tests/reader), which the books check and the
// conformance kit run on files found in output folders: any bytes must give documents or a
// std::runtime_error naming the file, line and rule — never a crash, hang or other exception.
#include <cstdint>
#include <stdexcept>

#include "DatevReader.hpp"
#include "FuzzSupport.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchFile file("EXTF_job-1_202602.csv");
    const std::string& path = file.write(data, size);
    try {
        for (const auto& document : readers::readDatevFile(path)) (void)document;
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find(path) == std::string::npos) fuzz::unexpectedException(e.what());
    }
    return 0;
}
