// Talking to the Xero Accounting API through the host: every request goes through the host's
// http() with the target token (the host adds Authorization: Bearer), plus the xero-tenant-id
// header; Xero's rate limits are respected (429 Retry-After waited for when short, the daily
// limit remembered from X-DayLimit-Remaining); responses are read into per-element results
// and Xero's validation messages into Pleo failure reasons.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "XeroDocuments.hpp"
#include "XeroSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::xero {

/// Nothing was written and nothing will be for now (rate limit, Xero unavailable for a read):
/// the entries concerned are retryable. what() says why and when to retry.
class NotSent : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A write got no response (timeout, broken connection): it may or may not have been carried
/// out; the entries concerned are unknown and the host looks them up before any retry.
class NoResponse : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One document in a Xero response (a collection element, or an element of an Error).
struct ElementResult {
    std::string id;                   ///< the document GUID ("" when Xero did not create it)
    std::vector<std::string> errors;  ///< ValidationErrors[].Message
    std::string reference;            ///< the reference field (Reference, InvoiceNumber, Narration)
    std::string status;               ///< document Status (AUTHORISED, DELETED, VOIDED, ...)
    std::string type;                 ///< document Type (SPEND, ACCPAY, ...), "" for journals
    bool hasAttachments = false;
};

/// The elements of a collection response body ({"BankTransactions": [...]}). Throws
/// std::runtime_error when the body is not such JSON.
std::vector<ElementResult> parseCollection(const std::string& body, const Endpoint& endpoint);

/// Xero's Error body: Message and the Elements with their ValidationErrors. nullopt when the
/// body is not one.
struct ApiError {
    std::string type, message;
    std::vector<ElementResult> elements;
};
std::optional<ApiError> parseError(const std::string& body, const Endpoint& endpoint);

/// Pleo failureReasonType for Xero validation messages: account_unknown (AccountCode),
/// tax_code_unknown (TaxType / tax rate), tag_unknown (tracking), else validation_failure.
std::string failureReasonFor(const std::vector<std::string>& messages);

/// "Xero: m1; m2" (or "Xero refused the document" when there is none).
std::string xeroMessage(const std::vector<std::string>& messages);

/// The first header `name` (case-insensitive) or "".
std::string headerOf(const sdk::HttpResponse& response, const std::string& name);

class XeroApi {
public:
    XeroApi(const sdk::Host& host, const XeroConfig& config) : host_(host), config_(config) {}

    /// GET base_url + pathAndQuery (plus `extraHeaders`, e.g. If-Modified-Since). Throws NotSent
    /// (rate limit, no response), CancelledError.
    sdk::HttpResponse get(const std::string& pathAndQuery,
                          const std::vector<std::pair<std::string, std::string>>& extraHeaders = {});
    /// PUT with an Idempotency-Key. Throws NotSent (rate limit before anything was done),
    /// NoResponse (no answer: maybe done), CancelledError.
    sdk::HttpResponse put(const std::string& pathAndQuery, const std::string& body, const std::string& contentType,
                          const std::string& idempotencyKey);

    /// Throws sdk::Error(LB_ERR_TARGET) with a clear sentence for 401 and 403.
    static void throwIfUnauthorised(const sdk::HttpResponse& response, const std::string& what);

private:
    sdk::HttpResponse send(const sdk::HttpRequest& request, bool write);
    /// Waits `ms`, checking for cancellation every 100 ms.
    void pause(std::int64_t ms) const;

    /// Before a call when Xero said X-MinLimit-Remaining: 0: waits until the oldest of this
    /// instance's calls of the last minute is a minute old (Xero's window is rolling), or throws
    /// NotSent when that is longer than max_retry_wait_seconds.
    void waitForMinuteWindow();

    const sdk::Host& host_;
    const XeroConfig& config_;
    std::int64_t dayBlockedUntilMs_ = 0;  ///< host clock; no request before this
    bool minuteUsedUp_ = false;           ///< the last answer said X-MinLimit-Remaining: 0
    std::deque<std::int64_t> recentCallsMs_;  ///< steady-clock times of this instance's calls, last minute
};

}  // namespace ledgerbridge::xero
