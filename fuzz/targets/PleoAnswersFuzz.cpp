// Pleo's other answers through ExportsClient: job lists, one job, a created job, events, the
// items of a job, the result PUT's answer, and error bodies (ExceptionInfo) of every status.
// Input: byte 0 picks the call, byte 1 the HTTP status, the rest is the body. Every refusal
// must be one of the client's documented errors, naming what was wrong.
#include <cstdint>

#include "FuzzSupport.h"
#include "PleoFake.h"
#include "ledgerbridge/common/Exception.h"

using namespace ledgerbridge;

namespace {
const int kStatuses[] = {200, 201, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 503};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    fuzz::quietLogs();
    fuzz::freshRedactor();
    static fuzz::ScriptedTransport transport;
    static fuzz::StaticAuth auth;
    static pleo::ExportsClient client("https://pleo.invalid", transport, auth, fuzz::noWaiting());
    const int call = data[0] % 6;
    transport.status = kStatuses[data[1] % (sizeof kStatuses / sizeof kStatuses[0])];
    transport.body = fuzz::bytes(data + 2, size - 2);
    try {
        switch (call) {
            case 0: client.listJobs("urn:pleo:company:c-1", {"pending"}); break;  // a repeated cursor ends it
            case 1: client.getJob("job-1"); break;
            case 2: client.createJob("c-1", {"e-1", "e-2"}); break;
            case 3: client.postEvent("job-1", "failed", "validation_failure", "fuzz"); break;
            case 4: client.jobItems("job-1", "", 100); break;
            default: {
                exporter::ItemResult ok;
                ok.accountingEntryId = "e-1";
                ok.successful = true;
                client.putResults("job-1", {ok});
            }
        }
    } catch (const exporter::JobClosedError&) {
    } catch (const exporter::JobAlreadyActiveError&) {
    } catch (const ProtocolError&) {
    } catch (const HttpStatusError&) {
    } catch (const AuthError&) {
    } catch (const NetworkError&) {
    }
    return 0;
}
