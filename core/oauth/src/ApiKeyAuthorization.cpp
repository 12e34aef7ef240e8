// The API-key authorization source: see AuthorizationSource.h.
#include <Poco/Base64Encoder.h>

#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"

namespace ledgerbridge::oauth {

ApiKeyAuthorization::ApiKeyAuthorization(std::string connection, const std::string& apiKey)
    : connection_(std::move(connection)) {
    if (apiKey.size() >= 6) Redactor::global().add(apiKey);
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << apiKey << ':';
    enc.close();
    header_ = "Basic " + out.str();
    if (out.str().size() >= 6) Redactor::global().add(out.str());
}

std::string ApiKeyAuthorization::onUnauthorized(const std::string&) {
    throw AuthError("Pleo refused the API key of connection '" + connection_ +
                    "' (HTTP 401). Check that api_key in [connection." + connection_ +
                    "] names the company's current key and that the key has not been revoked.");
}

}  // namespace ledgerbridge::oauth
