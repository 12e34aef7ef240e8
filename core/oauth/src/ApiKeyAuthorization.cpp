// The API-key authorization source: see AuthorizationSource.h.
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"
#include "ledgerbridge/oauth/Pkce.h"

namespace ledgerbridge::oauth {

ApiKeyAuthorization::ApiKeyAuthorization(std::string connection, const std::string& apiKey)
    : connection_(std::move(connection)) {
    if (apiKey.size() >= 6) Redactor::global().add(apiKey);
    std::string encoded = base64Encode(apiKey + ":");
    header_ = "Basic " + encoded;
    if (encoded.size() >= 6) Redactor::global().add(encoded);
}

std::string ApiKeyAuthorization::onUnauthorized(const std::string&) {
    throw AuthError("Pleo refused the API key of connection '" + connection_ +
                    "' (HTTP 401). Check that api_key in [connection." + connection_ +
                    "] names the company's current key and that the key has not been revoked.");
}

}  // namespace ledgerbridge::oauth
