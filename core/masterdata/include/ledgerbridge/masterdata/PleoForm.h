// An ERP master-data record in the form Pleo keeps it, and Pleo's own record in the same form,
// so the two compare field by field and hash the same way. One flat shape for every kind:
//
//   kind             Pleo API     key (how the two are matched)        fields compared
//   tax_code         tax codes    code (Pleo keeps no external id)      name, rate, type, in/outgoing tax account
//   account          accounts v1  externalId = the ERP's id             name, code, taxCodeExternalId
//   dimension        tag groups   code (no external id)                 name
//   dimension_value  tags         "<group code>/<tag code>"            name
//   supplier         vendors      externalId = the ERP's id             name, code, currency, country, reg/VAT numbers
//
// `toPleoForm` refuses, with a reason, what Pleo would refuse (its reference files' rules), so
// the sync names the record instead of sending it.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::masterdata {

/// One record as Pleo holds (or should hold) it.
struct PleoForm {
    sdk::MasterKind kind = sdk::MasterKind::Account;
    std::string key;                            ///< the match key (see the table above)
    std::string code;                           ///< for reports
    std::map<std::string, std::string> fields;  ///< compared and hashed; empty values are "not set"
    bool archived = false;
    std::string pleoId;                         ///< Pleo's id (records read from Pleo only)
    std::string parentPleoId;                   ///< tags: their tag group's Pleo id

    /// Same key, fields and archived flag (what a sync compares; ids are not compared).
    bool sameAs(const PleoForm& o) const { return key == o.key && fields == o.fields && archived == o.archived; }
    /// SHA-256 (hex) of key, fields and archived flag: what the store keeps per ERP id.
    std::string hash() const;
};

/// The ERP's percent as decimal text ("25", "12.5", "0") → Pleo's fraction ("0.25", "0.125",
/// "0"), digit by digit, never through a double. Throws std::invalid_argument naming what is
/// wrong: not a plain decimal, negative, above 100, or more than 4 decimals (Pleo's 6 as a fraction).
std::string percentToFraction(const std::string& percent);

/// A decimal fraction's canonical text ("0.250" → "0.25", "1.0" → "1", ".5" → "0.5"), so
/// Pleo's number read back compares equal to what we wrote.
std::string canonicalDecimal(const std::string& decimal);

/// The ERP's tax type (normal, reverse, exempt; empty = normal) → Pleo's TaxCodeTypeModel
/// (inclusive, reverse). Throws std::invalid_argument for any other value.
std::string pleoTaxType(const std::string& erpType);

/// What the mapping needs from records read earlier in the same sync.
struct MappingContext {
    std::map<std::string, std::string> taxCodeById;    ///< ERP tax code id → its code
    std::map<std::string, std::string> dimensionById;  ///< ERP dimension id → its code
};

/// The record in Pleo's form, or the reason Pleo would refuse it (text for the report).
std::variant<PleoForm, std::string> toPleoForm(const sdk::MasterRecord& record, const MappingContext& context);

}  // namespace ledgerbridge::masterdata
