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
        std::size_t maxRememberedIds = 10000; ///< bound on the replay cache (see replayCapacityFor)
    };

    /// The replay cache's bound for a service with `connections` connections: 16 ids per
    /// connection, at least 10,000. An id is remembered for at most twice the tolerance (10
    /// minutes), and Pleo sends one delivery per export job (retries reuse the id), so 16 jobs
    /// per company in 10 minutes is headroom, not a typical load; only authentic deliveries
    /// enter the cache, so the bound is about memory (~100 bytes an id: 16 MB at 10,000
    /// connections), not an attacker. A fixed 10,000 overflowed when 10,000 companies each got
    /// a job at once.
    static std::size_t replayCapacityFor(std::size_t connections);

    /// Changes the bound (on a reload that changes the number of connections). Ids beyond a
    /// smaller bound are forgotten, oldest first, at the next verified delivery.
    void setMaxRememberedIds(std::size_t maxIds);

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
    bool warnedFull_ = false;  ///< one warning per overflow, not one per id it forgets
};

}  // namespace ledgerbridge::service
