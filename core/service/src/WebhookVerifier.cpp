// Standard Webhooks verification: HMAC-SHA256 through OpenSSL, base64 through Poco, and a
// bounded in-memory replay cache.
#include "ledgerbridge/service/WebhookVerifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::service {

namespace {

bool base64Decode(const std::string& in, std::string& out) {
    if (in.empty() || in.size() % 4 != 0) return false;
    for (char c : in)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return false;
    try {
        std::istringstream src(in);
        Poco::Base64Decoder decoder(src);
        // StreamCopier (istream::read), not istreambuf_iterator: at -O2/-O3 GCC 12 reports a
        // false -Wnull-dereference inside libstdc++'s streambuf for the iterator (Release with
        // -Werror). istream::read turns the decoder's exception into badbit.
        out.clear();
        Poco::StreamCopier::copyToString(decoder, out);
        return !decoder.bad();
    } catch (...) {
        return false;
    }
}

std::string base64Encode(const std::string& in) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << in;
    encoder.close();
    return out.str();
}

std::string hmacSha256(const std::string& key, const std::string& message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

/// Compares without an early exit, so the time taken does not reveal where they differ.
bool constantTimeEqual(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
    return diff == 0;
}

}  // namespace

const char* toString(WebhookStatus s) {
    switch (s) {
        case WebhookStatus::Ok: return "ok";
        case WebhookStatus::Malformed: return "malformed";
        case WebhookStatus::StaleTimestamp: return "stale_timestamp";
        case WebhookStatus::BadSignature: return "bad_signature";
        case WebhookStatus::ReplayedId: return "replayed_id";
    }
    return "malformed";
}

WebhookVerifier::WebhookVerifier(const std::string& secret, const Clock& clock, Options options)
    : clock_(clock), options_(options) {
    if (secret.size() >= 6) Redactor::global().add(secret);
    const std::string encoded = secret.rfind("whsec_", 0) == 0 ? secret.substr(6) : secret;
    if (!base64Decode(encoded, key_) || key_.empty())
        throw ConfigError("The webhook secret (service.webhook_secret) is not of the form whsec_<base64>; copy it "
                          "exactly as Pleo shows it when the webhook subscription is created.");
    if (key_.size() >= 6) Redactor::global().add(key_);
}

std::size_t WebhookVerifier::replayCapacityFor(std::size_t connections) {
    return std::max<std::size_t>(10000, 16 * connections);
}

void WebhookVerifier::setMaxRememberedIds(std::size_t maxIds) {
    std::lock_guard<std::mutex> guard(mutex_);
    options_.maxRememberedIds = std::max<std::size_t>(1, maxIds);
}

std::string WebhookVerifier::sign(const std::string& id, const std::string& timestamp, const std::string& body) const {
    return "v1," + base64Encode(hmacSha256(key_, id + "." + timestamp + "." + body));
}

WebhookResult WebhookVerifier::verify(const std::string& id, const std::string& timestamp,
                                      const std::string& signatureHeader, const std::string& body) {
    if (id.empty() || timestamp.empty() || signatureHeader.empty())
        return {WebhookStatus::Malformed, "The webhook-id, webhook-timestamp or webhook-signature header is missing."};
    if (id.size() > 256) return {WebhookStatus::Malformed, "The webhook-id header is longer than 256 characters."};
    if (timestamp.size() > 12 ||
        !std::all_of(timestamp.begin(), timestamp.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return {WebhookStatus::Malformed, "The webhook-timestamp header is not a number of seconds since the epoch."};

    const std::int64_t ts = std::stoll(timestamp);
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
    const std::int64_t tolerance = options_.tolerance.count();
    if (ts < now - tolerance || ts > now + tolerance)
        return {WebhookStatus::StaleTimestamp, "The webhook timestamp " + timestamp + " is more than " +
                                                   std::to_string(tolerance) + " s away from this host's clock (" +
                                                   std::to_string(now) + "); check NTP if this repeats."};

    const std::string expected = hmacSha256(key_, id + "." + timestamp + "." + body);
    bool matched = false;
    bool anyV1 = false;
    std::istringstream entries(signatureHeader);
    for (std::string entry; entries >> entry;) {
        if (entry.rfind("v1,", 0) != 0) continue;  // other schemes (v1a = asymmetric) are not ours
        anyV1 = true;
        std::string mac;
        if (base64Decode(entry.substr(3), mac) && constantTimeEqual(mac, expected)) matched = true;
    }
    if (!anyV1) return {WebhookStatus::Malformed, "The webhook-signature header holds no v1 signature."};
    if (!matched)
        return {WebhookStatus::BadSignature,
                "No v1 signature matches; the webhook secret may be wrong or the body was changed in transit."};

    std::lock_guard<std::mutex> guard(mutex_);
    while (!expiries_.empty() && expiries_.begin()->first < now) {  // forget what can no longer replay
        seen_.erase(expiries_.begin()->second);
        expiries_.erase(expiries_.begin());
    }
    if (seen_.count(id) != 0)
        return {WebhookStatus::ReplayedId, "The webhook id " + id + " was already accepted; the repeat is ignored."};
    if (seen_.size() < options_.maxRememberedIds) warnedFull_ = false;
    while (seen_.size() >= options_.maxRememberedIds && !expiries_.empty()) {
        if (!warnedFull_)
            log::warn("The webhook replay cache is full; forgetting the oldest ids early (warned once until it has "
                      "room again).",
                      {{"limit", options_.maxRememberedIds}});
        warnedFull_ = true;
        seen_.erase(expiries_.begin()->second);
        expiries_.erase(expiries_.begin());
    }
    // A replay needs a timestamp inside the window, so the id can be forgotten once the
    // delivery's own timestamp has left it.
    const std::int64_t forgetAfter = std::max(ts, now) + tolerance;
    seen_.emplace(id, forgetAfter);
    expiries_.emplace(forgetAfter, id);
    return {WebhookStatus::Ok, "The webhook signature is valid."};
}

}  // namespace ledgerbridge::service
