// Xero's master data as the SDK's records, with no I/O: one Account, TaxRate, TrackingCategory
// (and its Options) or Contact object of a Xero answer becomes one sdk::MasterRecord. Numbers
// are read as the text Xero sent (parseKeepingNumbers), so a tax rate is exact decimal text and
// never passes through a double. What maps where: README.md, "Master data".
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::xero {

/// A Xero answer that breaks what its OpenAPI promises (a record without its id, a rate that is
/// not a number). what() names the record and the field.
class BadRecord : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a JSON object with every number turned into a string holding its exact text (so
/// 12.5000 arrives as "12.5000"). Throws Poco::Exception on bad JSON.
Poco::JSON::Object::Ptr parseKeepingNumbers(const std::string& json);

/// A JSON number's text as a plain decimal without redundant zeros: "15.0000" -> "15",
/// "12.5000" -> "12.5", "1.25E1" -> "12.5", "-0.0" -> "0". Throws BadRecord when `text` is not a
/// JSON number.
std::string exactDecimal(const std::string& text);

/// Xero's "/Date(1573755038314+0000)/" as ISO-8601 UTC ("2019-11-14T18:10:38.314Z"; no fraction
/// when the milliseconds are 0). "" for "". Throws BadRecord on anything else.
std::string isoFromXeroDate(const std::string& xeroDate);

/// The value of an If-Modified-Since header (RFC 3339, as Xero's OpenAPI declares it) for the
/// host's changed_since: "2026-03-01" -> "2026-03-01T00:00:00Z", a date-time without a zone
/// gets "Z", one with Z or an offset is kept. Throws std::invalid_argument otherwise.
std::string ifModifiedSince(const std::string& changedSince);

/// Xero AccountType -> expense|asset|liability|equity|revenue|other; an unknown type falls
/// back to the account's Class, then "other".
std::string accountType(const std::string& xeroType, const std::string& xeroClass);

/// TaxRate -> "reverse" (the buyer self-assesses: REVERSECHARGES, ECACQUISITIONS, DRCHARGE...,
/// Singapore's TXRC...), "exempt" (EXEMPT..., NONE, BASEXCLUDED) or "normal", decided by
/// ReportTaxType, else by TaxType (custom TAX001 rates carry only the ReportTaxType).
std::string taxCodeType(const std::string& taxType, const std::string& reportTaxType);

sdk::MasterRecord accountRecord(const Poco::JSON::Object::Ptr& account);
sdk::MasterRecord taxCodeRecord(const Poco::JSON::Object::Ptr& taxRate);
/// The category itself (DIMENSION).
sdk::MasterRecord dimensionRecord(const Poco::JSON::Object::Ptr& category);
/// Its Options (DIMENSION_VALUE, parentId = the category's id).
std::vector<sdk::MasterRecord> dimensionValueRecords(const Poco::JSON::Object::Ptr& category);
/// A supplier contact. `countryProblem` is set (and country left empty) when an address names
/// a country this plugin cannot turn into ISO 3166-1 alpha-2.
sdk::MasterRecord supplierRecord(const Poco::JSON::Object::Ptr& contact, std::string& countryProblem);

}  // namespace ledgerbridge::xero
