// AES-256-GCM sealing of tokens and token-key loading: see TokenCrypto.h. Uses OpenSSL's EVP
// interface directly (Poco 1.11's Cipher has no convenient way to pass associated data).
#include "ledgerbridge/oauth/TokenCrypto.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/Pkce.h"

namespace ledgerbridge::oauth {
namespace {

constexpr unsigned char kVersion = 1;
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

std::string associatedData(const SealContext& c) {
    return std::string("ledgerbridge-token-v1") + '\0' + c.connection + '\0' + c.fingerprint + '\0' + c.kind;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

TokenCrypto::TokenCrypto(std::string key) : key_(std::move(key)) {
    if (key_.size() != 32) throw ConfigError("The token key must be exactly 32 bytes (AES-256).");
}

std::string TokenCrypto::seal(const std::string& plaintext, const SealContext& context) const {
    std::string nonce = randomBytes(kNonceBytes);
    std::string aad = associatedData(context);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
    out[0] = static_cast<char>(kVersion);
    std::memcpy(&out[1], nonce.data(), kNonceBytes);
    int len = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
              EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), bytes(out) + 1 + kNonceBytes, &len, bytes(plaintext),
                                static_cast<int>(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), bytes(out) + 1 + kNonceBytes + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                  bytes(out) + 1 + kNonceBytes + plaintext.size()) == 1;
    if (!ok) throw Exception("Encrypting a token with AES-256-GCM failed inside OpenSSL; the token was not stored.");
    return out;
}

std::string TokenCrypto::open(const std::string& sealed, const SealContext& context) const {
    if (sealed.empty()) return {};
    const std::string fix = " Run `ledgerbridge auth login --connection " + context.connection + "` to store a new grant.";
    if (sealed.size() < 1 + kNonceBytes + kTagBytes || static_cast<unsigned char>(sealed[0]) != kVersion)
        throw AuthError("The stored token of connection '" + context.connection +
                        "' is not in a format this version can read." + fix);
    std::size_t textLen = sealed.size() - 1 - kNonceBytes - kTagBytes;
    std::string aad = associatedData(context);
    std::string nonce = sealed.substr(1, kNonceBytes);
    std::string tag = sealed.substr(sealed.size() - kTagBytes);
    std::string out(textLen, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
              EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), bytes(out), &len, bytes(sealed) + 1 + kNonceBytes, static_cast<int>(textLen)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes(tag)) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), bytes(out) + len, &len) == 1;
    if (!ok)
        throw AuthError("The stored token of connection '" + context.connection +
                        "' cannot be decrypted: [state] token_key is not the key it was stored with, or the state "
                        "database was altered. Restore the original key, or" +
                        fix.substr(4));
    // A token read back: redacted for a while after each read, then forgotten (TokenManager
    // extends an access token's to its expiry); the registry does not grow with every rotation.
    if (out.size() >= 6) Redactor::global().addUntil(out, Redactor::global().now() + kTransientSecretLifetime);
    return out;
}

std::string decodeTokenKey(const std::string& text, const std::string& where) {
    std::string t;
    for (char c : text)
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') t += c;
    if (t.size() == 64 && t.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
        std::string out;
        for (std::size_t i = 0; i < 64; i += 2) out += static_cast<char>(std::stoi(t.substr(i, 2), nullptr, 16));
        return out;
    }
    if (t.size() == 44 && t.back() == '=') {
        std::istringstream in(t);
        Poco::Base64Decoder dec(in);
        // Read through istream::read (StreamCopier), not istreambuf_iterator: at -O2/-O3 GCC 12
        // reports a false -Wnull-dereference inside libstdc++'s streambuf for the iterator over
        // Poco's decoder, which broke the Release build with -Werror.
        std::string out;
        Poco::StreamCopier::copyToString(dec, out);
        if (out.size() == 32) return out;
    }
    throw ConfigError(where + ": the token key must be 32 random bytes written as base64 (44 characters) or hex (64 "
                      "characters); create one with: openssl rand -base64 32");
}

std::string loadTokenKey(const config::SecretRef& ref, bool createIfMissing, bool* created) {
    if (created) *created = false;
    const std::string where = ref.origin.str() + ": " + (ref.key.empty() ? std::string("state.token_key") : ref.key);
    if (ref.empty())
        throw ConfigError(where + ": is missing; add token_key = file:/path/to/token.key under [state] "
                                  "(ledgerbridge auth login creates the file when it does not exist)");
    if (createIfMissing && ref.reference.rfind("file:", 0) == 0) {
        std::string path = ref.reference.substr(5);
        if (!Poco::File(path).exists()) {
            Poco::Path parent = Poco::Path(path).parent();
            if (!Poco::File(parent).exists()) {
                Poco::File(parent).createDirectories();
                ::chmod(parent.toString().c_str(), 0700);
            }
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd >= 0) {
                std::string text = base64Encode(randomBytes(32)) + "\n";
                bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
                ::close(fd);
                if (!ok) {
                    ::unlink(path.c_str());
                    throw IoError("Could not write the new token key file " + path + ": " + std::strerror(errno) +
                                  ". Check that its folder is writable.");
                }
                if (created) *created = true;
                log::info("Created a new token key (32 random bytes, mode 0600) in " + path +
                          "; keep it with the state directory, tokens cannot be read without it.");
            } else if (errno != EEXIST) {
                throw IoError("Could not create the token key file " + path + ": " + std::strerror(errno) +
                              ". Check that its folder exists and is writable, or point [state] token_key elsewhere.");
            }
        }
    }
    std::string text = config::resolveSecret(ref);
    std::string key = decodeTokenKey(text, where);
    Redactor::global().add(base64Encode(key));
    return key;
}

}  // namespace ledgerbridge::oauth
