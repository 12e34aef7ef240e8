// Idempotency keys: see IdempotencyKey.h.
#include "ledgerbridge/export/IdempotencyKey.h"

#include <Poco/Crypto/DigestEngine.h>

namespace ledgerbridge::exporter {

// OpenSSL's SHA-256 (through Poco::Crypto): every staged item is hashed, and Poco's portable
// SHA2Engine was a visible part of a large export's CPU time.
std::string contentHash(const std::string& itemJson) {
    Poco::Crypto::DigestEngine sha("SHA256");
    sha.update(itemJson);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string idempotencyKey(const std::string& accountingEntryId, const std::string& hash) {
    Poco::Crypto::DigestEngine sha("SHA256");
    sha.update(accountingEntryId);
    sha.update('\n');
    sha.update(hash);
    return "lb1-" + Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 40);
}

}  // namespace ledgerbridge::exporter
