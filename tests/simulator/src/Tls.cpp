// CA and server certificate generation with OpenSSL's X509 API (Poco::Crypto cannot issue).
#include "Tls.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>

namespace lbsim {

namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

bool exists(const std::string& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0;
}

KeyPtr newKey() {
    EVP_PKEY* k = EVP_EC_gen("P-256");
    if (!k) throw std::runtime_error("OpenSSL could not generate an EC P-256 key.");
    return KeyPtr(k, EVP_PKEY_free);
}

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error(std::string("OpenSSL rejected the certificate extension ") + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

CertPtr makeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, long days) {
    CertPtr cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7F;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ledgerbridge-sim"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
    if (X509_sign(cert, key, EVP_sha256()) == 0) throw std::runtime_error("OpenSSL could not sign a certificate.");
}

void writeAtomically(const std::string& path, const std::function<int(FILE*)>& writer) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) throw std::runtime_error("Cannot write " + tmp + "; check the --tls-dir permissions.");
    ::fchmod(fileno(f), 0600);
    int ok = writer(f);
    std::fclose(f);
    if (ok != 1 || std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("Cannot write " + path + "; check the --tls-dir permissions.");
}

KeyPtr readKey(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) throw std::runtime_error("Cannot read " + path + ".");
    EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!k) throw std::runtime_error(path + " is not a PEM private key; delete the TLS folder to start over.");
    return KeyPtr(k, EVP_PKEY_free);
}

CertPtr readCert(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) throw std::runtime_error("Cannot read " + path + ".");
    X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!c) throw std::runtime_error(path + " is not a PEM certificate; delete the TLS folder to start over.");
    return CertPtr(c, X509_free);
}

}  // namespace

std::string defaultTlsDir() {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/ledgerbridge-sim-tls";
}

TlsFiles prepareTls(const std::string& dir, const std::vector<std::string>& hostnames) {
    ::mkdir(dir.c_str(), 0700);
    TlsFiles files{dir, dir + "/ca.pem", dir + "/server-" + std::to_string(::getpid()) + ".pem",
                   dir + "/server-" + std::to_string(::getpid()) + ".key"};
    // One simulator at a time creates the CA; the others wait and then reuse it.
    int lockFd = ::open((dir + "/.lock").c_str(), O_CREAT | O_RDWR, 0600);
    if (lockFd < 0) throw std::runtime_error("Cannot create " + dir + "/.lock; check the --tls-dir permissions.");
    ::flock(lockFd, LOCK_EX);
    struct Unlock {
        int fd;
        ~Unlock() {
            ::flock(fd, LOCK_UN);
            ::close(fd);
        }
    } unlock{lockFd};

    const std::string caKeyPath = dir + "/ca.key";
    if (!exists(files.caCert) || !exists(caKeyPath)) {
        KeyPtr caKey = newKey();
        CertPtr ca = makeCert(caKey.get(), "ledgerbridge-sim local CA", nullptr, 3650);
        addExt(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
        addExt(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
        addExt(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
        sign(ca.get(), caKey.get());
        writeAtomically(caKeyPath, [&](FILE* f) {
            return PEM_write_PrivateKey(f, caKey.get(), nullptr, nullptr, 0, nullptr, nullptr);
        });
        writeAtomically(files.caCert, [&](FILE* f) { return PEM_write_X509(f, ca.get()); });
    }
    KeyPtr caKey = readKey(caKeyPath);
    CertPtr ca = readCert(files.caCert);

    // A fresh server certificate per process: host names may differ between runs.
    KeyPtr key = newKey();
    CertPtr cert = makeCert(key.get(), "localhost", ca.get(), 825);
    std::string san = "DNS:localhost,IP:127.0.0.1";
    for (const auto& h : hostnames) san += ",DNS:" + h;
    addExt(cert.get(), ca.get(), NID_subject_alt_name, san.c_str());
    addExt(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExt(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    addExt(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    addExt(cert.get(), ca.get(), NID_authority_key_identifier, "keyid");
    sign(cert.get(), caKey.get());
    writeAtomically(files.serverKey, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    writeAtomically(files.serverCert, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
    return files;
}

}  // namespace lbsim
