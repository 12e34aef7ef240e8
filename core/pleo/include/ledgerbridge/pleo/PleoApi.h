// What every Pleo API client of one connection shares: the API base, the host's
// ResilientClient (so the rate budget, retries, Retry-After and backoff are the ones the export
// engine's ExportsClient uses — pass it `ExportsClient::http()`), and the credential with its
// one refresh on 401. The per-area clients (AccountingEntriesClient, InstallationsClient,
// ChartOfAccountsClient, TaxCodesClient, TagsClient, VendorsClient) are thin and typed on top.
//
// Errors: a 401 after one refresh and any 403 are AuthError; other unexpected statuses are
// HttpStatusError naming the endpoint, the status and Pleo's own error type and message
// (redacted, cut short); answers that are not the spec's shape are ProtocolError.
#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <vector>

#include "ledgerbridge/http/ResilientClient.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"

namespace ledgerbridge::pleo {

class PleoApi {
public:
    /// Nothing is owned: `client` and `auth` must outlive this object.
    PleoApi(std::string apiBase, http::ResilientClient& client, oauth::AuthorizationSource& auth);

    /// Sends one request (body only for methods other than GET/DELETE), refreshing the
    /// credential once on 401. Returns the response whatever its status, except 401 twice and
    /// 403, which throw AuthError.
    http::HttpResponse call(const std::string& method, const std::string& pathAndQuery, const std::string& body = {},
                            bool idempotent = true);

    /// call() and require one of `ok` statuses; anything else throws HttpStatusError naming
    /// `what`. Returns the body parsed as an object (an empty object for an empty body).
    Poco::JSON::Object::Ptr expect(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                                   std::initializer_list<int> ok, bool idempotent = true);

    /// Follows Pleo's cursor pagination (`after=endCursor` while `hasNextPage`), calling
    /// `page(cursor)` for the answer of each page and `each` for every object of its `data`
    /// array, until the last page or until `each` returns false. Refuses a repeated cursor.
    static void paginate(const std::string& what, const std::function<Poco::JSON::Object::Ptr(const std::string&)>& page,
                         const std::function<bool(const Poco::JSON::Object::Ptr&)>& each);

    std::int64_t requestCount() const { return client_.stats().requests; }

private:
    std::string apiBase_;
    http::ResilientClient& client_;
    oauth::AuthorizationSource& auth_;
};

/// "urn:pleo:company:<uuid>" or "<uuid>" → "<uuid>" lives in ExportsClient.h (companyUuid).

/// Reading Pleo's JSON by the spec: a missing required field or a wrong type is a
/// ProtocolError naming the endpoint (`what`) and the field.
namespace json {
std::string errorSummary(const std::string& body);
std::string enc(const std::string& queryValue);
Poco::JSON::Object::Ptr parse(const std::string& body, const std::string& what);
Poco::JSON::Object::Ptr data(const Poco::JSON::Object::Ptr& o, const std::string& what);
std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& what);
std::string optStr(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& what);
bool boolean(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& what);
std::int64_t integer(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& what);
/// A JSON number kept as its decimal text (tax rates: never through a binary double on our side
/// when we write it; see TaxCodesClient.h).
std::string number(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& what);
std::vector<Poco::JSON::Object::Ptr> objects(const Poco::JSON::Object::Ptr& o, const std::string& key,
                                             const std::string& what);
std::string stringify(const Poco::JSON::Object& o);
}  // namespace json

}  // namespace ledgerbridge::pleo
