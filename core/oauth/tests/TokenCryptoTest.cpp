// Tokens at rest: AES-256-GCM round trips, binding to the grant, tamper detection, key files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <fstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/oauth/TokenCrypto.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;

namespace {
const SealContext kCtx{"acme", "0123456789abcdef0123456789abcdef", "pleo"};
}

TEST(TokenCrypto, SealsAndOpensWithoutTheTokenInTheCiphertext) {
    TokenCrypto c(randomBytes(32));
    std::string token = "access-token-value-1234567890";
    std::string sealed = c.seal(token, kCtx);
    EXPECT_EQ(sealed.find(token), std::string::npos);
    EXPECT_EQ(sealed.size(), 1 + 12 + token.size() + 16);
    EXPECT_EQ(c.open(sealed, kCtx), token);
    EXPECT_NE(c.seal(token, kCtx), sealed) << "every seal uses a fresh nonce";
}

TEST(TokenCrypto, ASealedTokenDoesNotOpenForAnotherConnectionEnvironmentOrKey) {
    std::string key = randomBytes(32);
    TokenCrypto c(key);
    std::string sealed = c.seal("refresh-token-value", kCtx);
    EXPECT_THROW(c.open(sealed, {"other", kCtx.fingerprint, "pleo"}), AuthError);
    EXPECT_THROW(c.open(sealed, {"acme", "ffffffffffffffffffffffffffffffff", "pleo"}), AuthError);
    EXPECT_THROW(TokenCrypto(randomBytes(32)).open(sealed, kCtx), AuthError);
    std::string tampered = sealed;
    tampered[20] = static_cast<char>(tampered[20] ^ 1);
    try {
        c.open(tampered, kCtx);
        FAIL() << "tampering must be detected";
    } catch (const AuthError& e) {
        EXPECT_NE(std::string(e.what()).find("ledgerbridge auth login --connection acme"), std::string::npos) << e.what();
    }
}

TEST(TokenCrypto, KeysAreReadAsBase64OrHexAndAnythingElseIsRefused) {
    std::string hex(64, 'a');
    EXPECT_EQ(decodeTokenKey(hex, "k"), std::string(32, '\xaa'));
    EXPECT_EQ(decodeTokenKey(std::string(42, 'q') + "o=\n", "k"), std::string(32, '\xaa'));
    EXPECT_THROW(decodeTokenKey("short", "k"), ConfigError);
    EXPECT_THROW(TokenCrypto("sixteen-bytes!!!"), ConfigError);
}

// 44 characters ending in '=' look like base64, but '!' is not a base64 character: the decoder
// fails inside the stream. That must still be the ConfigError naming the key's place, not a
// Poco exception escaping from the decoder.
TEST(TokenCrypto, AKeyThatLooksLikeBase64ButIsNotIsAConfigErrorNamingWhere) {
    const std::string bad = std::string(20, 'q') + "!!!!" + std::string(18, 'q') + "o=";
    ASSERT_EQ(bad.size(), 44u);
    try {
        decodeTokenKey(bad, "lb.ini:7: state.token_key");
        FAIL() << "a key with '!' in it was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("lb.ini:7: state.token_key: the token key must be 32 random bytes"),
                  std::string::npos)
            << e.what();
    }
}

TEST(TokenCrypto, LoginCreatesAMissingKeyFileWithMode0600AndReusesIt) {
    Poco::TemporaryFile dir;
    dir.createDirectories();
    std::string path = dir.path() + "/keys/token.key";
    config::SecretRef ref{"file:" + path, {"test.ini", 3}, "state.token_key"};
    EXPECT_THROW(loadTokenKey(ref, false), ConfigError) << "only login may create the key";
    bool created = false;
    std::string key = loadTokenKey(ref, true, &created);
    EXPECT_TRUE(created);
    EXPECT_EQ(key.size(), 32u);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    bool again = true;
    EXPECT_EQ(loadTokenKey(ref, true, &again), key);
    EXPECT_FALSE(again);
}
