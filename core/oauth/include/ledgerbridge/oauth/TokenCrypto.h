// Tokens at rest: AES-256-GCM sealing of access and refresh tokens before they reach the state
// store, with a random 96-bit nonce per seal and the grant's identity (connection, environment
// fingerprint, kind) as associated data, so a sealed token copied to another connection or
// environment does not open. The key comes from `[state] token_key` (32 bytes, base64 or hex).
#pragma once

#include <string>

#include "ledgerbridge/config/Secret.h"

namespace ledgerbridge::oauth {

/// Who a sealed value belongs to; bound into the ciphertext as associated data.
struct SealContext {
    std::string connection;
    std::string fingerprint;
    std::string kind = "pleo";
};

class TokenCrypto {
public:
    /// `key` must be exactly 32 raw bytes; throws ConfigError otherwise. Copies the key.
    explicit TokenCrypto(std::string key);

    /// Encrypts `plaintext`. The result is binary: version byte, nonce, ciphertext, tag.
    std::string seal(const std::string& plaintext, const SealContext& context) const;

    /// Decrypts what seal() produced for the same context. Throws AuthError (with the fix:
    /// `auth login` again) when the value was sealed with another key or for another grant, or
    /// was altered. An empty input gives an empty output.
    std::string open(const std::string& sealed, const SealContext& context) const;

private:
    std::string key_;
};

/// Decodes a token key written as base64 (44 characters) or hex (64 characters) into 32 bytes.
/// Throws ConfigError naming `where` when it is neither.
std::string decodeTokenKey(const std::string& text, const std::string& where);

/// Reads the key `ref` names. When `createIfMissing` is set and `ref` is a `file:` reference to
/// a file that does not exist, creates it (and its folder, 0700) with 32 random bytes in
/// base64, mode 0600, and sets `created`. Throws ConfigError when the reference cannot be
/// resolved or does not hold a valid key. The key is registered for redaction.
std::string loadTokenKey(const config::SecretRef& ref, bool createIfMissing, bool* created = nullptr);

}  // namespace ledgerbridge::oauth
