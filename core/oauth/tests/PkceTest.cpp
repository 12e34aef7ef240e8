// PKCE values and the S256 challenge against RFC 7636's own example.
#include <gtest/gtest.h>

#include <set>

#include "ledgerbridge/oauth/Pkce.h"

using namespace ledgerbridge::oauth;

TEST(Pkce, ChallengeMatchesRfc7636AppendixB) {
    EXPECT_EQ(codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, VerifierHasTheRfcLengthAndAlphabetAndIsFreshEachTime) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string v = makeCodeVerifier();
        EXPECT_TRUE(isValidCodeVerifier(v)) << v;
        EXPECT_GE(v.size(), 43u);
        EXPECT_LE(v.size(), 128u);
        EXPECT_EQ(codeChallengeS256(v).size(), 43u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(Pkce, StateIsUnguessableAndUrlSafe) {
    std::string a = makeState(), b = makeState();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.size(), 43u);
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST(Pkce, Base64UrlHasNoPaddingAndUsesTheUrlAlphabet) {
    EXPECT_EQ(base64UrlEncode(""), "");
    EXPECT_EQ(base64UrlEncode("f"), "Zg");
    EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
    EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
    EXPECT_EQ(base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
}

TEST(Pkce, StandardBase64HasPaddingAndThePlusSlashAlphabet) {
    EXPECT_EQ(base64Encode("f"), "Zg==");
    EXPECT_EQ(base64Encode("fo"), "Zm8=");
    EXPECT_EQ(base64Encode("foo"), "Zm9v");
    EXPECT_EQ(base64Encode(std::string("\xfb\xff", 2)), "+/8=");
    EXPECT_EQ(base64Encode("ledgerbridge-demo:secret"), "bGVkZ2VyYnJpZGdlLWRlbW86c2VjcmV0");
}

TEST(Pkce, VerifierValidationRejectsShortLongAndForeignCharacters) {
    EXPECT_FALSE(isValidCodeVerifier(std::string(42, 'a')));
    EXPECT_TRUE(isValidCodeVerifier(std::string(43, 'a')));
    EXPECT_TRUE(isValidCodeVerifier(std::string(128, '~')));
    EXPECT_FALSE(isValidCodeVerifier(std::string(129, 'a')));
    EXPECT_FALSE(isValidCodeVerifier(std::string(42, 'a') + "+"));
}
