// Inside the Xero test double (not for tests to include): Xero's `where` filter as the plugin
// writes it, and the master-data GETs (Accounts, TaxRates, TrackingCategories, Contacts).
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "XeroDouble.hpp"

namespace ledgerbridge::xerotest::doubledetail {

/// One term of a where filter: Field=="v", Field==true (a bare literal) or Field.StartsWith("v").
struct Term {
    std::string field, value;
    bool prefix = false;
};
/// Terms joined by " OR " (one term alone is the common case). Throws on anything else.
std::vector<Term> parseWhere(const std::string& where);
/// True when there is no term or any term matches.
bool matchesWhere(const Poco::JSON::Object::Ptr& doc, const std::vector<Term>& terms);

/// Makes the checks and the master-data lists of `org` agree (see XeroDouble::Organisation).
void completeOrganisation(XeroDouble::Organisation& org);

using Answer = std::pair<int, std::string>;
/// The answer to a master-data GET, nullopt when `segments` name none. `ifModifiedSince` is the
/// header's value ("" when absent); Accounts and Contacts honour it, as Xero's OpenAPI says.
std::optional<Answer> serveMasterData(const XeroDouble::Organisation& org, const std::vector<std::string>& segments,
                                      const std::map<std::string, std::string>& query, const std::string& ifModifiedSince);

}  // namespace ledgerbridge::xerotest::doubledetail
