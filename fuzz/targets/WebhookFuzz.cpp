// Pleo's signed webhook (core/service WebhookVerifier): the three headers and the body as a
// delivery brings them. Input: four fields split by FuzzedDataProvider. Whatever arrives, the
// verdict is a status with a detail sentence that never contains the body or the secret.
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdint>

#include "FuzzSupport.h"
#include "ledgerbridge/service/WebhookVerifier.h"

using namespace ledgerbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::quietLogs();
    static const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static service::ManualClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1767225600)));
    static service::WebhookVerifier verifier(secret, clock);
    FuzzedDataProvider in(data, size);
    const std::string id = in.ConsumeRandomLengthString(128);
    const std::string timestamp = in.ConsumeRandomLengthString(32);
    std::string signature = in.ConsumeRandomLengthString(512);
    const bool signItRight = in.ConsumeBool();
    // A marker no detail sentence contains, so "the detail never echoes the body" is checkable
    // even when the fuzzer makes the body a piece of a detail sentence.
    const std::string body = in.ConsumeRemainingBytesAsString() + "<lb-fuzz-body-end>";
    // Half the inputs carry a valid signature, so the fuzzer also explores past the MAC check
    // (timestamp window, replay cache) instead of stopping at bad_signature every time.
    if (signItRight) signature = verifier.sign(id, timestamp, body) + (signature.empty() ? "" : " " + signature);
    service::WebhookResult r = verifier.verify(id, timestamp, signature, body);
    // The secret in the detail is a leak unless the delivery itself carried that text (a
    // replayed, validly signed id is quoted, and the fuzzer may make it look like the secret).
    const std::string key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const bool suppliedByInput = (id + timestamp + signature + body).find(key) != std::string::npos;
    if (!suppliedByInput && r.detail.find(key) != std::string::npos) std::abort();
    const bool markerInHeaders = (id + timestamp + signature).find("<lb-fuzz-body-end>") != std::string::npos;
    if (!markerInHeaders && r.detail.find("<lb-fuzz-body-end>") != std::string::npos) std::abort();
    (void)service::toString(r.status);
    return 0;
}
