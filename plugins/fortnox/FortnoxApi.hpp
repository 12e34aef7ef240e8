// Talking to the Fortnox API v3 through the host: every request goes through the host's http()
// with the target token (the host adds Authorization: Bearer). The plugin paces itself to
// requests_per_5_seconds in a sliding 5-second window (Fortnox: 25 per 5 s per tenant), waits
// out a 429's Retry-After when it is short, and reads Fortnox's ErrorInformation bodies.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "FortnoxSettings.hpp"
#include "ledgerbridge/plugin.hpp"
#include "ledgerbridge/request_pacing.hpp"

namespace ledgerbridge::fortnox {

/// Nothing was written and nothing will be for now (rate limit, a read failed): retryable.
class NotSent : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A write got no response: it may have been carried out; the entry is unknown.
class NoResponse : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Fortnox's {"ErrorInformation":{"error":1,"message":"...","code":2000423}}.
struct FortnoxError {
    std::string message;
    long long code = 0;
};
/// The error of a Fortnox answer, or a generic one naming the status when the body has none.
FortnoxError parseError(const sdk::HttpResponse& response);

/// Pleo failure reason of a refused voucher: account_unknown (account), tag_unknown (cost
/// centre, project), validation_failure otherwise.
std::string failureReasonFor(const FortnoxError& error);

class FortnoxApi {
public:
    FortnoxApi(const sdk::Host& host, const FortnoxConfig& config);

    /// GET base_url + pathAndQuery. Throws NotSent (rate limit, no response), CancelledError.
    sdk::HttpResponse get(const std::string& pathAndQuery);
    /// POST. Throws NotSent (rate limited before anything was done), NoResponse, CancelledError.
    sdk::HttpResponse post(const std::string& pathAndQuery, const std::string& body, const std::string& contentType);

    /// Throws sdk::Error(LB_ERR_TARGET) with a clear sentence for 401 and 403.
    static void throwIfUnauthorised(const sdk::HttpResponse& response, const std::string& what);

private:
    sdk::HttpResponse send(sdk::HttpRequest request, bool write);
    void pause(std::int64_t ms) const;

    const sdk::Host& host_;
    const FortnoxConfig& config_;
    sdk::RequestWindow window_;  ///< requests_per_5_seconds in a sliding 5 s (0: no pacing of its own)
};

}  // namespace ledgerbridge::fortnox
