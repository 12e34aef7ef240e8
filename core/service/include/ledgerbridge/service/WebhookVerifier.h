// Verifies webhook deliveries signed per the Standard Webhooks specification, as Pleo signs
// `v1.export-job.created`: headers webhook-id, webhook-timestamp and webhook-signature (a
// space-separated list of "v1,<base64 HMAC-SHA256>"), the MAC computed over
// "<id>.<timestamp>.<body>" with the base64-decoded secret that follows "whsec_". Signatures are
// compared in constant time, timestamps must lie within a window (default 5 minutes) either
// way, and an id seen before within the window is refused as a replay.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ledgerbridge/service/Clock.h"

namespace ledgerbridge::service {

enum class WebhookStatus { Ok, Malformed, StaleTimestamp, BadSignature, ReplayedId };

/// "ok", "malformed", "stale_timestamp", "bad_signature", "replayed_id" (metric labels, logs).
const char* toString(WebhookStatus status);

struct WebhookResult {
    WebhookStatus status = WebhookStatus::Malformed;
    std::string detail;  ///< a sentence safe to log: never contains the body or the secret
    bool ok() const { return status == WebhookStatus::Ok; }
};

class WebhookVerifier {
public:
    struct Options {
        std::chrono::seconds tolerance{300};  ///< allowed clock difference, both ways
        std::size_t maxRememberedIds = 10000; ///< bound on the replay cache
    };

    /// `secret` is "whsec_<base64>" (the prefix may be omitted). Registers it with the Redactor.
    /// Throws ConfigError when it is empty or not base64. `clock` is not owned and must outlive
    /// the verifier.
    WebhookVerifier(const std::string& secret, const Clock& clock, Options options);
    WebhookVerifier(const std::string& secret, const Clock& clock) : WebhookVerifier(secret, clock, Options{}) {}

    /// Checks one delivery; thread-safe. A verified id is remembered, so the same delivery
    /// verified twice yields ReplayedId the second time. Unauthenticated deliveries never
    /// enter the replay cache.
    WebhookResult verify(const std::string& id, const std::string& timestamp, const std::string& signatureHeader,
                         const std::string& body);

    /// "v1,<base64>" for the given parts with this verifier's key (for tests and tools).
    std::string sign(const std::string& id, const std::string& timestamp, const std::string& body) const;

private:
    std::string key_;  ///< the decoded secret
    const Clock& clock_;
    Options options_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::int64_t> seen_;   ///< id -> forget-after (unix seconds)
    std::multimap<std::int64_t, std::string> expiries_;    ///< forget-after -> id
};

}  // namespace ledgerbridge::service
