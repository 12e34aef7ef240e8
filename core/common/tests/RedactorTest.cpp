// Redaction: every registered secret disappears from text in all the forms it can take.
#include <gtest/gtest.h>

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
