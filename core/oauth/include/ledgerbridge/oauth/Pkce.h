// PKCE (RFC 7636) and the OAuth `state` parameter: unguessable values from the operating
// system's CSPRNG (OpenSSL RAND_bytes), the S256 code challenge derived from a verifier, and
// the two Base64 encodings OAuth uses.
#pragma once

#include <string>

namespace ledgerbridge::oauth {

/// `bytes` random bytes from OpenSSL's CSPRNG. Throws ledgerbridge::Exception when the
/// generator fails (never falls back to a weaker source).
std::string randomBytes(std::size_t bytes);

/// Base64url without padding (RFC 4648 section 5), the encoding PKCE and `state` use.
std::string base64UrlEncode(const std::string& bytes);

/// Standard Base64 with padding and no line breaks (RFC 4648 section 4): HTTP Basic
/// credentials, token keys.
std::string base64Encode(const std::string& bytes);

/// A fresh code verifier: 86 characters from the RFC 7636 unreserved alphabet (64 random bytes
/// base64url-encoded), inside the required 43..128 range.
std::string makeCodeVerifier();

/// The S256 challenge of `verifier`: BASE64URL(SHA256(ASCII(verifier))).
std::string codeChallengeS256(const std::string& verifier);

/// A fresh `state` value: 32 random bytes, base64url (43 characters).
std::string makeState();

/// True when `verifier` is 43..128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.1).
bool isValidCodeVerifier(const std::string& verifier);

}  // namespace ledgerbridge::oauth
