// Environment fingerprints: see Fingerprint.h.
#include "ledgerbridge/config/Fingerprint.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>

namespace ledgerbridge::config {
namespace {

std::string normaliseUrl(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return Poco::toLower(url);
    auto hostEnd = url.find('/', scheme + 3);
    std::string head = Poco::toLower(url.substr(0, hostEnd));
    return hostEnd == std::string::npos ? head : head + url.substr(hostEnd);
}

}  // namespace

Fingerprint environmentFingerprint(const EnvironmentProfile& profile, const std::string& companyId,
                                   const std::string& erpTenant) {
    std::string issuer = normaliseUrl(profile.authUrl);
    std::string api = normaliseUrl(profile.apiUrl);
    std::string company = Poco::toLower(companyId);
    std::string canonical = issuer + "\n" + api + "\n" + company + "\n" + erpTenant;
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(canonical);
    std::string hex = Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 32);
    std::string description = "issuer " + issuer + ", API " + api + ", company " + company;
    if (!erpTenant.empty()) description += ", ERP tenant " + erpTenant;
    return {hex, description};
}

}  // namespace ledgerbridge::config
