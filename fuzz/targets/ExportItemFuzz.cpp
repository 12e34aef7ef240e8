// One export item (ExportItemV3) straight into the mapper, without the page around it: the
// mapper reads items the ledger stored, not only items simdjson just minified, so it must take
// any text. summarizeItem may refuse with ProtocolError; mapItem never throws.
#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/ItemMapper.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    const std::string item = fuzz::bytes(data, size);
    try {
        exporter::ItemSummary s = exporter::summarizeItem(item);
        if (s.accountingEntryId.empty()) std::abort();  // documented: no usable id is refused
    } catch (const ProtocolError&) {
    }
    exporter::MappingResult m = exporter::mapItem(item, "job-1", "lb1:fuzz");
    if (m.entry.has_value() == !m.failureReason.empty()) std::abort();
    return 0;
}
