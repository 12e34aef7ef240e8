// The Xero plugin's manifest (settings declared as data, OAuth needs) and the parsing of
// validated settings into a XeroConfig.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::xero {

/// Where reimbursable (employee-paid) expenses go.
enum class ReimbursableMode { Bill, Journal };

struct XeroConfig {
    std::string tenantId;         ///< xero-tenant-id header
    std::string baseUrl;          ///< no trailing slash
    std::string bankAccountCode;  ///< BankAccount.Code of SPEND/RECEIVE bank transactions
    ReimbursableMode reimbursableMode = ReimbursableMode::Bill;
    std::set<std::string> reimbursableTypes;            ///< Pleo entry types paid by the employee
    std::map<std::string, std::string> taxTypes;        ///< Pleo tax code -> Xero TaxType; empty = same
    std::string noTaxType;                              ///< TaxType of lines without a tax code
    std::string region;                                 ///< UK | AU | NZ | US | GLOBAL (the organisation's)
    std::map<std::string, std::string> reverseChargeTaxTypes;  ///< Pleo tax code -> TaxType of reverse-charge lines
    std::map<std::string, std::string> trackingNames;   ///< Pleo tag group -> tracking category; empty = same
    bool trackingOptionFromCode = false;                ///< Option = tag code instead of tag name
    bool exclusive = false;                             ///< LineAmountTypes Exclusive (else Inclusive)
    std::string billStatus;                             ///< DRAFT | SUBMITTED | AUTHORISED
    int billDueDays = 0;
    std::string journalStatus;                          ///< DRAFT | POSTED
    std::string payableAccountCode;                     ///< journal credit when the entry has no contra
    std::string fallbackContactName;
    std::size_t batchSize = 50;
    bool attachReceipts = true;
    bool lookupBeforeCreate = true;
    std::int64_t maxRetryWaitMs = 60000;
    std::uint32_t timeoutMs = 60000;
    std::string shortCode;  ///< organisation short code for deep links; empty = plain links
};

/// Settings: tenant_id, bank_account_code, base_url, reimbursable_mode, reimbursable_types,
/// tax_types, no_tax_type, region, reverse_charge_tax_types, tracking_categories, tracking_option, line_amount_types, bill_status,
/// bill_due_days, journal_status, payable_account_code, fallback_contact_name, batch_size,
/// attach_receipts, lookup_before_create, max_retry_wait_seconds, timeout_seconds, short_code.
/// None is secret: the Xero tokens are the host's (see the manifest's OAuth needs).
sdk::Manifest xeroManifest();

/// Throws sdk::SettingsError naming each bad key.
XeroConfig parseXeroSettings(const sdk::Settings& settings);

/// The Xero TaxType a reverse-charge line with Pleo tax code `taxCode` is sent with:
/// reverse_charge_tax_types[taxCode], else the region's reverse-charge TaxType (UK:
/// REVERSECHARGES), else "" (no reverse-charge tax type known: the entry is rejected).
std::string reverseChargeTaxType(const XeroConfig& config, const std::string& taxCode);

/// True for a GUID written 8-4-4-4-12 in hex digits.
bool isGuid(const std::string& s);

}  // namespace ledgerbridge::xero
