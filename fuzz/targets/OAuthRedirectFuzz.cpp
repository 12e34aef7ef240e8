// The OAuth redirect on the loopback listener (core/oauth LoopbackReceiver): the request target
// the browser sends (path and query, parsed exactly as the listener does, without a socket)
// and a redirect URL pasted by a person. Malformed text is a UsageError, nothing else.
#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/LoopbackReceiver.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    const std::string text = fuzz::bytes(data, size);
    try {
        (void)oauth::parseRedirectTarget(text, "/callback");
    } catch (const UsageError&) {
    }
    try {
        oauth::RedirectParameters p = oauth::parseRedirectUrl(text);
        if (!p.has("code") && !p.has("error")) std::abort();  // documented: refused with UsageError
    } catch (const UsageError&) {
    }
    return 0;
}
