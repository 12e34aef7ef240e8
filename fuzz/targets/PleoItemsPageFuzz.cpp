// A page of Pleo's export items (GET /v3/export-items) through ExportsClient's simdjson path,
// then every item it accepted through the mapper the engine uses (summary and mapping). The
// whole body is the page; a refused page or item is a ProtocolError, a refused mapping a
// MappingResult with a failure reason — nothing else.
#include <cstdint>

#include "FuzzSupport.h"
#include "PleoFake.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/ItemMapper.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    static fuzz::ScriptedTransport transport;
    static fuzz::StaticAuth auth;
    static pleo::ExportsClient client("https://pleo.invalid", transport, auth, fuzz::noWaiting());
    transport.status = 200;
    transport.body = fuzz::bytes(data, size);
    exporter::ItemPage page;
    try {
        page = client.exportItems("job-1", "", 100);
    } catch (const ProtocolError&) {
        return 0;
    } catch (const NetworkError&) {  // JSON that ends before its document closes: a cut-off answer, retried
        return 0;
    }
    if (page.items.size() != page.summaries.size()) std::abort();
    for (const std::string& item : page.items) {
        exporter::MappingResult m = exporter::mapItem(item, "job-1", "lb1:fuzz");
        // Exactly one of the two: an entry, or a failure naming what is wrong.
        if (m.entry.has_value() == !m.failureReason.empty()) std::abort();
        if (!m.entry && m.message.empty()) std::abort();
    }
    return 0;
}
