// WebhookVerifier: the Standard Webhooks reference vector, signatures computed independently
// with OpenSSL, the timestamp window both ways, replays, malformed headers and the bounded cache.
#include "ledgerbridge/service/WebhookVerifier.h"

#include <gtest/gtest.h>
#include <sstream>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "TestSupport.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

using namespace ledgerbridge::service;

namespace {

// The Standard Webhooks specification's published example (also used by the Svix libraries).
const std::string kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string kSpecTimestamp = "1614265330";
const std::string kSpecBody = "{\"test\": 2432232314}";
const std::string kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string b64(const std::string& raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// The expected header entry, computed with OpenSSL directly (not through the verifier).
std::string opensslSign(const std::string& key, const std::string& id, const std::string& ts, const std::string& body) {
    const std::string msg = id + "." + ts + "." + body;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), mac, &len);
    return "v1," + b64(std::string(reinterpret_cast<const char*>(mac), len));
}

const std::string kKey = "0123456789abcdef0123456789abcdef-webhook-key";
const std::string kSecret = "whsec_" + b64(kKey);

}  // namespace

TEST(WebhookVerifier, AcceptsTheStandardWebhooksReferenceExample) {
    ManualClock clock(lbtest::TimePoint(std::chrono::seconds(1614265330 + 10)));
    WebhookVerifier v(kSpecSecret, clock);
    EXPECT_EQ(v.sign(kSpecId, kSpecTimestamp, kSpecBody), kSpecSignature);
    const auto r = v.verify(kSpecId, kSpecTimestamp, kSpecSignature, kSpecBody);
    EXPECT_TRUE(r.ok()) << r.detail;
}

TEST(WebhookVerifier, AcceptsSignaturesComputedWithOpenSsl) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier v(kSecret, clock);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    const std::string body = R"({"type":"v1.export-job.created","data":{"companyId":"c-1"}})";
    const std::string good = opensslSign(kKey, "msg_1", ts, body);
    EXPECT_EQ(v.sign("msg_1", ts, body), good);
    // A rotated secret: several signatures, one of which matches.
    const auto r = v.verify("msg_1", ts, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1a,xyz " + good, body);
    EXPECT_EQ(r.status, WebhookStatus::Ok) << r.detail;
}

TEST(WebhookVerifier, RefusesBadSignatures) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier v(kSecret, clock);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    const std::string sig = opensslSign(kKey, "msg_1", ts, "{\"a\":1}");
    EXPECT_EQ(v.verify("msg_1", ts, sig, "{\"a\":2}").status, WebhookStatus::BadSignature);  // body changed
    EXPECT_EQ(v.verify("msg_2", ts, sig, "{\"a\":1}").status, WebhookStatus::BadSignature);  // id changed
    EXPECT_EQ(v.verify("msg_1", ts, opensslSign("another key", "msg_1", ts, "{\"a\":1}"), "{\"a\":1}").status,
              WebhookStatus::BadSignature);
    EXPECT_EQ(v.verify("msg_1", ts, "v1,not*base64", "{\"a\":1}").status, WebhookStatus::BadSignature);
    // Refused deliveries do not enter the replay cache: the genuine one still passes.
    EXPECT_EQ(v.verify("msg_1", ts, sig, "{\"a\":1}").status, WebhookStatus::Ok);
}

TEST(WebhookVerifier, EnforcesTheFiveMinuteWindowBothWays) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier v(kSecret, clock);
    const std::int64_t now = lbtest::secondsOf(clock.now());
    for (const std::int64_t ts : {now - 301, now + 301}) {
        const std::string t = std::to_string(ts);
        EXPECT_EQ(v.verify("m" + t, t, opensslSign(kKey, "m" + t, t, "{}"), "{}").status, WebhookStatus::StaleTimestamp);
    }
    for (const std::int64_t ts : {now - 300, now + 300}) {
        const std::string t = std::to_string(ts);
        EXPECT_EQ(v.verify("m" + t, t, opensslSign(kKey, "m" + t, t, "{}"), "{}").status, WebhookStatus::Ok);
    }
}

TEST(WebhookVerifier, RefusesReplayedIds) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier v(kSecret, clock);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    const std::string sig = opensslSign(kKey, "msg_r", ts, "{}");
    EXPECT_EQ(v.verify("msg_r", ts, sig, "{}").status, WebhookStatus::Ok);
    clock.advance(std::chrono::seconds(200));
    EXPECT_EQ(v.verify("msg_r", ts, sig, "{}").status, WebhookStatus::ReplayedId);
    clock.advance(std::chrono::seconds(200));  // the delivery is now outside the window anyway
    EXPECT_EQ(v.verify("msg_r", ts, sig, "{}").status, WebhookStatus::StaleTimestamp);
}

TEST(WebhookVerifier, ReplayCacheIsBounded) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier::Options options;
    options.maxRememberedIds = 2;
    WebhookVerifier v(kSecret, clock, options);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    for (const char* id : {"m1", "m2", "m3"})
        ASSERT_EQ(v.verify(id, ts, opensslSign(kKey, id, ts, "{}"), "{}").status, WebhookStatus::Ok);
    // m1 was forgotten to make room; m3 is still remembered.
    EXPECT_EQ(v.verify("m3", ts, opensslSign(kKey, "m3", ts, "{}"), "{}").status, WebhookStatus::ReplayedId);
    EXPECT_EQ(v.verify("m1", ts, opensslSign(kKey, "m1", ts, "{}"), "{}").status, WebhookStatus::Ok);
}

// The 10,000-company burst: one delivery per company inside the window must all stay
// remembered (a fixed 10,000 overflowed there with 1,240 warnings), and an overflow warns once,
// not once per id it forgets.
TEST(WebhookVerifier, TheReplayCacheSizedForTheConnectionsHoldsABurstOfOneDeliveryPerCompany) {
    EXPECT_EQ(WebhookVerifier::replayCapacityFor(10), 10000U);
    EXPECT_EQ(WebhookVerifier::replayCapacityFor(10000), 160000U);
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier::Options options;
    options.maxRememberedIds = WebhookVerifier::replayCapacityFor(12000);
    WebhookVerifier v(kSecret, clock, options);
    std::ostringstream logs;
    ledgerbridge::log::setSink(&logs);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    for (int i = 0; i < 12000; ++i) {
        const std::string id = "burst_" + std::to_string(i);
        ASSERT_EQ(v.verify(id, ts, opensslSign(kKey, id, ts, "{}"), "{}").status, WebhookStatus::Ok) << id;
    }
    EXPECT_EQ(v.verify("burst_0", ts, opensslSign(kKey, "burst_0", ts, "{}"), "{}").status, WebhookStatus::ReplayedId)
        << "the first delivery of the burst was forgotten";

    // A reload to fewer connections shrinks the bound: the oldest ids go, with one warning.
    v.setMaxRememberedIds(100);
    for (const char* id : {"after_1", "after_2", "after_3"})
        ASSERT_EQ(v.verify(id, ts, opensslSign(kKey, id, ts, "{}"), "{}").status, WebhookStatus::Ok);
    ledgerbridge::log::setSink(nullptr);
    EXPECT_EQ(v.verify("after_3", ts, opensslSign(kKey, "after_3", ts, "{}"), "{}").status, WebhookStatus::ReplayedId);
    EXPECT_EQ(v.verify("burst_0", ts, opensslSign(kKey, "burst_0", ts, "{}"), "{}").status, WebhookStatus::Ok)
        << "the oldest id should have been forgotten to respect the smaller bound";
    const std::string text = logs.str();
    std::size_t warnings = 0;
    for (auto at = text.find("replay cache is full"); at != std::string::npos; at = text.find("replay cache is full", at + 1))
        ++warnings;
    EXPECT_EQ(warnings, 1U) << text.substr(0, 2000);
}

TEST(WebhookVerifier, MalformedHeaders) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    WebhookVerifier v(kSecret, clock);
    const std::string ts = std::to_string(lbtest::secondsOf(clock.now()));
    const std::string sig = opensslSign(kKey, "m", ts, "{}");
    EXPECT_EQ(v.verify("", ts, sig, "{}").status, WebhookStatus::Malformed);
    EXPECT_EQ(v.verify("m", "", sig, "{}").status, WebhookStatus::Malformed);
    EXPECT_EQ(v.verify("m", ts, "", "{}").status, WebhookStatus::Malformed);
    EXPECT_EQ(v.verify("m", "12:00", sig, "{}").status, WebhookStatus::Malformed);
    EXPECT_EQ(v.verify("m", ts, "v2," + sig.substr(3), "{}").status, WebhookStatus::Malformed);
    EXPECT_EQ(v.verify(std::string(300, 'x'), ts, sig, "{}").status, WebhookStatus::Malformed);
    EXPECT_STREQ(toString(WebhookStatus::ReplayedId), "replayed_id");
}

TEST(WebhookVerifier, SecretIsCheckedAndRedacted) {
    ManualClock clock(lbtest::utc(2025, 5, 1, 12, 0));
    EXPECT_THROW(WebhookVerifier("whsec_***not base64***", clock), ledgerbridge::ConfigError);
    EXPECT_THROW(WebhookVerifier("", clock), ledgerbridge::ConfigError);
    WebhookVerifier v(kSecret, clock);
    EXPECT_EQ(ledgerbridge::redact("secret=" + kSecret).find(kSecret), std::string::npos);
}
