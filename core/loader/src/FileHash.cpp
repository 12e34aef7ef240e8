// A plugin file's SHA-256: see FileHash.h.
#include "ledgerbridge/loader/FileHash.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <fstream>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::loader {

std::string fileSha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw PluginError(path + ": cannot be read to compute its SHA-256");
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) sha.update(buffer, static_cast<unsigned>(in.gcount()));
    if (in.bad()) throw PluginError(path + ": read failed while computing its SHA-256");
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string hashPrefix(const std::string& sha256) { return sha256.substr(0, 12); }

}  // namespace ledgerbridge::loader
