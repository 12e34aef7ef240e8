// Idempotency keys: see IdempotencyKey.h.
#include "ledgerbridge/export/IdempotencyKey.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace ledgerbridge::exporter {

std::string contentHash(const std::string& itemJson) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(itemJson);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string idempotencyKey(const std::string& accountingEntryId, const std::string& hash) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(accountingEntryId);
    sha.update('\n');
    sha.update(hash);
    return "lb1-" + Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 40);
}

}  // namespace ledgerbridge::exporter
