// Talking to the Business Central API v2.0 through the host: every request goes through the
// host's http() with the target token (the host adds Authorization: Bearer). The plugin paces
// itself to BC's published limit (requests_per_window in a sliding request_window_seconds:
// 6,000 per 5 minutes per user or principal); 429 answers are still waited out as Retry-After
// asks (up to max_retry_wait_seconds, then NotSent); BC's OData error bodies become readable
// messages and Pleo failure reasons.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "BcSettings.hpp"
#include "ledgerbridge/plugin.hpp"
#include "ledgerbridge/request_pacing.hpp"

namespace ledgerbridge::businesscentral {

/// Nothing was done and nothing will be for now (429 with a long Retry-After, no answer to a
/// read): retryable. what() says why and when.
class NotSent : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A write got no answer (or a 5xx): it may have been carried out. The entry is unknown.
class NoResponse : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// "BC 400 Internal_RecordNotFound: The G/L Account does not exist..." from an error answer.
std::string bcErrorText(const sdk::HttpResponse& response);

/// Pleo failureReasonType for a BC error: account_unknown (G/L Account), tax_code_unknown
/// (VAT/tax posting group, tax code), vendor_unknown (vendor), tag_unknown (dimension), else
/// validation_failure.
std::string failureReasonFor(const std::string& bcError);

/// The JSON object of a 2xx answer; throws sdk::Error(LB_ERR_TARGET) naming `what` otherwise.
Poco::JSON::Object::Ptr jsonObjectOf(const sdk::HttpResponse& response, const std::string& what);

/// `text` as an OData string literal inside a URL query: quotes doubled, then percent-encoded.
std::string odataString(const std::string& text);

class BcApi {
public:
    BcApi(const sdk::Host& host, const BcConfig& config)
        : host_(host), config_(config), window_(config.requestsPerWindow, config.requestWindowMs) {}

    /// GET companyUrl + path. Throws NotSent, CancelledError, sdk::Error on 401/403.
    sdk::HttpResponse get(const std::string& path);
    /// POST companyUrl + path with a JSON body. Throws NotSent (429 before anything was done),
    /// NoResponse (no answer or 5xx), CancelledError, sdk::Error on 401/403.
    sdk::HttpResponse post(const std::string& path, const std::string& jsonBody);
    /// PATCH companyUrl + path with If-Match: etag and a binary body. Throws like post().
    sdk::HttpResponse patchBytes(const std::string& path, const std::string& etag, const std::string& bytes);
    /// POST {base}/{tenant}/{environment}/api/v2.0/$batch (OData JSON batch) of read requests
    /// only: a failure is NotSent, never NoResponse.
    sdk::HttpResponse readBatch(const std::string& jsonBody);
    /// GET of each company path ("/generalLedgerEntries?$filter=…") inside $batches of at most
    /// 100 (BC's limit): the `value` array of each answer, in order. Throws NotSent, or
    /// sdk::Error (LB_ERR_TARGET) naming `what` when an answer is not a 200 with a value array.
    std::vector<Poco::JSON::Array::Ptr> getValues(const std::vector<std::string>& companyPaths, const std::string& what);
    /// One request's answer inside a $batch.
    struct BatchAnswer {
        int status = 0;
        Poco::JSON::Object::Ptr body;  ///< null when the answer had no JSON object
        std::string error;             ///< bcErrorText-style text for a status >= 400
    };
    /// POSTs (company path, JSON body) inside $batches of at most 100, in order; one answer per
    /// request. The batch is a write: no answer is NoResponse (some requests may be done), a 429
    /// before anything ran NotSent. An answer without one response per request: NoResponse.
    std::vector<BatchAnswer> postAll(const std::vector<std::pair<std::string, std::string>>& requests,
                                     const std::string& what);
    /// A record created by createAll(): its id, or BC's refusal.
    struct Created {
        std::string id;     ///< the new record's GUID when created
        std::string error;  ///< BC's text when it refused (4xx); "" otherwise
    };
    /// POSTs each (company path, JSON body): inside $batches when `batched` and more than one,
    /// else one by one, stopping at the first refusal (later ones are not sent: no id, no error).
    /// A 429 or 5xx inside a $batch is NoResponse (some may be done: the caller's clean-up finds
    /// them); `needsId`: a created record without a GUID id is a target error.
    std::vector<Created> createAll(const std::vector<std::pair<std::string, std::string>>& requests, bool batched,
                                   bool needsId, const std::string& what);
    /// DELETE companyUrl + path with If-Match: etag. Throws like post().
    sdk::HttpResponse remove(const std::string& path, const std::string& etag);
    /// remove(), and on 412 (changed since read) GET the record and delete again with its new
    /// ETag, 3 times at most; gone (404) counts as deleted. sdk::Error naming `what` otherwise.
    void removeRecord(const std::string& path, std::string etag, const std::string& what);

private:
    sdk::HttpResponse send(sdk::HttpRequest request, bool write);
    void pause(std::int64_t ms) const;

    const sdk::Host& host_;
    const BcConfig& config_;
    sdk::RequestWindow window_;  ///< this instance's requests in BC's sliding window
};

}  // namespace ledgerbridge::businesscentral
