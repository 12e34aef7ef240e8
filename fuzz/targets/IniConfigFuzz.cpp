// The INI configuration reader (core/config): IniDocument::parse, then the whole validation of
// parseConfig (profiles, connections, schedules, secret references, plugin sections) over the
// same text. Both must turn any text into problems with file:line, never throw or crash.
#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/IniDocument.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    fuzz::freshRedactor();
    const std::string text = fuzz::bytes(data, size);
    std::vector<config::Problem> problems;
    config::IniDocument::parse(text, "fuzz.ini", problems);
    for (const auto& p : problems) (void)p.str();
    // Secrets are not resolved (checkSecrets=false): env:/file: references would read the
    // machine's environment and files, which is not parsing.
    config::LoadResult r = config::parseConfig(text, "fuzz.ini", "/nonexistent-lb-fuzz", {}, {}, false);
    for (const auto& p : r.problems) (void)p.str();
    return 0;
}
