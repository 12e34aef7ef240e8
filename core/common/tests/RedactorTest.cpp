// Redaction: every registered secret disappears from text in all the forms it can take.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "ledgerbridge/common/Redactor.h"

using ledgerbridge::Redactor;

class RedactorTest : public ::testing::Test {
protected:
    void SetUp() override { Redactor::global().clearForTesting(); }
    void TearDown() override { Redactor::global().clearForTesting(); }
};

TEST_F(RedactorTest, ReplacesRawUrlEncodedAndJsonEscapedForms) {
    Redactor::global().add("s3cr3t/with+plus&amp");
    EXPECT_EQ(ledgerbridge::redact("secret=s3cr3t/with+plus&amp end"), "secret=*** end");
    EXPECT_EQ(ledgerbridge::redact("https://x/?client_secret=s3cr3t%2Fwith%2Bplus%26amp"),
              "https://x/?client_secret=***");
    EXPECT_EQ(ledgerbridge::redact(R"({"secret":"s3cr3t\/with+plus&amp"})"), R"({"secret":"***"})");
}

TEST_F(RedactorTest, ReplacesEveryOccurrenceAndLongestSecretFirst) {
    Redactor::global().add("token-abc");
    Redactor::global().add("token-abcdef");
    EXPECT_EQ(ledgerbridge::redact("token-abcdef token-abc token-abc"), "*** *** ***");
    EXPECT_EQ(Redactor::global().size(), 2u);
}

TEST_F(RedactorTest, RefusesValuesTooShortToRedactSafely) {
    EXPECT_THROW(Redactor::global().add("abc"), std::invalid_argument);
    EXPECT_EQ(ledgerbridge::redact("abc stays"), "abc stays");
}

TEST_F(RedactorTest, LeavesTextWithoutSecretsUntouched) {
    Redactor::global().add("verysecretvalue");
    EXPECT_EQ(ledgerbridge::redact("nothing to hide here"), "nothing to hide here");
}

// Expiry: a token that can no longer appear is forgotten, so the registry is the size of what
// is live. The clock is the registry's (replaced here), not the wall clock.
class RedactorExpiryTest : public RedactorTest {
protected:
    Redactor::Clock::time_point now_ = Redactor::Clock::time_point(std::chrono::hours(24 * 365 * 50));
    void SetUp() override {
        RedactorTest::SetUp();
        Redactor::global().setClockForTesting([this] { return now_; });
    }
    void TearDown() override {
        Redactor::global().setClockForTesting({});
        RedactorTest::TearDown();
    }
};

TEST_F(RedactorExpiryTest, ATokenIsRedactedInEveryFormUntilItExpiresThenForgotten) {
    Redactor::global().addUntil("tok/en+with&chars", now_ + std::chrono::minutes(10));
    EXPECT_EQ(ledgerbridge::redact("a tok/en+with&chars b"), "a *** b");
    EXPECT_EQ(ledgerbridge::redact("q=tok%2Fen%2Bwith%26chars"), "q=***");
    EXPECT_EQ(ledgerbridge::redact(R"({"t":"tok\/en+with&chars"})"), R"({"t":"***"})");
    EXPECT_EQ(Redactor::global().size(), 1u);
    now_ += std::chrono::minutes(11);
    EXPECT_EQ(Redactor::global().size(), 0u) << "expired: forgotten";
    EXPECT_EQ(ledgerbridge::redact("a tok/en+with&chars b"), "a tok/en+with&chars b");
}

TEST_F(RedactorExpiryTest, RegisteringAgainExtendsAndPermanentWins) {
    Redactor::global().addUntil("extended-token", now_ + std::chrono::minutes(5));
    Redactor::global().addUntil("extended-token", now_ + std::chrono::minutes(30));
    Redactor::global().addUntil("extended-token", now_ + std::chrono::minutes(1));  // shorter: ignored
    Redactor::global().addUntil("became-permanent", now_ + std::chrono::minutes(5));
    Redactor::global().add("became-permanent");
    now_ += std::chrono::minutes(10);
    EXPECT_EQ(Redactor::global().size(), 2u);
    EXPECT_EQ(ledgerbridge::redact("extended-token became-permanent"), "*** ***");
    now_ += std::chrono::hours(1);
    EXPECT_EQ(Redactor::global().size(), 1u);
    EXPECT_EQ(ledgerbridge::redact("extended-token became-permanent"), "extended-token ***");
}

TEST_F(RedactorExpiryTest, ASecretSharingAFormWithAnExpiredOneStaysRedacted) {
    // "abcdef-123" has no characters to encode: its three forms are one string, and a second
    // secret that is a prefix-sibling shares the index slot.
    Redactor::global().add("abcdef-123");
    Redactor::global().addUntil("abcdef-123456", now_ + std::chrono::minutes(1));
    EXPECT_EQ(ledgerbridge::redact("abcdef-123456 abcdef-123"), "*** ***");
    now_ += std::chrono::minutes(2);
    EXPECT_EQ(Redactor::global().size(), 1u);
    EXPECT_EQ(ledgerbridge::redact("abcdef-123456 abcdef-123"), "***456 ***");
}

TEST_F(RedactorTest, OverlappingSecretsAreReplacedAsOne) {
    Redactor::global().add("first-half-AB");
    Redactor::global().add("AB-second-half");
    EXPECT_EQ(ledgerbridge::redact("x first-half-AB-second-half y"), "x *** y");
}

TEST_F(RedactorTest, TokensSharingALongPrefixOrSuffixAreEachFound) {
    // JWTs share their header; URL-encoded padded base64 shares "%3D%3D". Both kinds, many of
    // each, are found exactly.
    const std::string jwtHead = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGgifQ.";
    for (int i = 0; i < 2000; ++i) {
        Redactor::global().add(jwtHead + "sig" + std::to_string(500000 + i));
        Redactor::global().add("pad" + std::to_string(700000 + i) + "Q==");
    }
    EXPECT_EQ(ledgerbridge::redact("Bearer " + jwtHead + "sig501234 end"), "Bearer *** end");
    EXPECT_EQ(ledgerbridge::redact("k=pad701999Q%3D%3D&x=1"), "k=***&x=1");
    EXPECT_EQ(ledgerbridge::redact("Bearer " + jwtHead + "sig409999 end"), "Bearer " + jwtHead + "sig409999 end");
}

TEST_F(RedactorExpiryTest, RotatingTokensThousandsOfTimesKeepsTheRegistryBounded) {
    Redactor::global().add("client-secret-for-all");
    std::size_t largest = 0;
    for (int i = 0; i < 5000; ++i) {
        // Like a connection refreshing every 15 minutes: a new access token (valid 15 min,
        // redacted 15 min more) and a rotated refresh token (redacted for the transient life).
        Redactor::global().addUntil("access-" + std::to_string(i) + "-xyz",
                                    now_ + std::chrono::minutes(15) + ledgerbridge::kExpiredTokenMargin);
        Redactor::global().addUntil("refresh-" + std::to_string(i) + "-xyz", now_ + ledgerbridge::kTransientSecretLifetime);
        largest = std::max(largest, Redactor::global().size());
        now_ += std::chrono::minutes(15);
    }
    // Live at any time: 1 permanent + ~2 access + ~8 refresh tokens.
    EXPECT_LE(largest, 1u + 3u + 9u);
    EXPECT_EQ(ledgerbridge::redact("access-4999-xyz refresh-4999-xyz client-secret-for-all"), "*** *** ***");
    EXPECT_EQ(ledgerbridge::redact("access-10-xyz"), "access-10-xyz") << "long expired, forgotten";
}

TEST_F(RedactorTest, ManySecretsAreAllFoundWhateverTheirNumber) {
    // The index finds each of 20,000 secrets in a line among ordinary text.
    for (int i = 0; i < 20000; ++i) Redactor::global().add("key-" + std::to_string(100000 + i) + "-secret");
    EXPECT_EQ(Redactor::global().size(), 20000u);
    EXPECT_EQ(ledgerbridge::redact("x key-100000-secret y key-119999-secret z key-099999-secret"),
              "x *** y *** z key-099999-secret");
    EXPECT_EQ(ledgerbridge::redact("key-1"), "key-1");
    EXPECT_EQ(ledgerbridge::redact(""), "");
}
