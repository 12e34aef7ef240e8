// CSPRNG values and the S256 challenge: see Pkce.h.
#include "ledgerbridge/oauth/Pkce.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::oauth {

std::string randomBytes(std::size_t bytes) {
    std::string out(bytes, '\0');
    if (bytes > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1)
        throw Exception("The system's random number generator failed; ledgerbridge will not create keys or "
                        "login parameters without it. Check the machine's entropy source and try again.");
    return out;
}

std::string base64UrlEncode(const std::string& bytes) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        unsigned v = at(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (rest == 2) {
        unsigned v = (at(i) << 16) | (at(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::string base64Encode(const std::string& bytes) {
    std::string out = base64UrlEncode(bytes);
    for (char& c : out) c = c == '-' ? '+' : (c == '_' ? '/' : c);
    while (out.size() % 4 != 0) out += '=';
    return out;
}

std::string makeCodeVerifier() { return base64UrlEncode(randomBytes(64)); }

std::string codeChallengeS256(const std::string& verifier) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
    return base64UrlEncode(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string makeState() { return base64UrlEncode(randomBytes(32)); }

bool isValidCodeVerifier(const std::string& verifier) {
    if (verifier.size() < 43 || verifier.size() > 128) return false;
    for (char c : verifier) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                  c == '_' || c == '~';
        if (!ok) return false;
    }
    return true;
}

}  // namespace ledgerbridge::oauth
