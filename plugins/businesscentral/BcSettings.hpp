// The Business Central plugin's manifest and its settings, parsed once in configure().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::businesscentral {

struct BcConfig {
    std::string baseUrl;      ///< "https://api.businesscentral.dynamics.com/v2.0", no trailing slash
    std::string tenantId;     ///< Entra tenant (GUID or domain): the URL's {tenant} segment
    std::string environment;  ///< BC environment name (production, sandbox, ...)
    std::string companyId;    ///< company GUID
    std::string journalId;    ///< the general journal batch (GUID) reserved for ledgerbridge
    std::string currency;     ///< the company's local currency (journal lines carry no currency in API v2.0)
    std::map<std::string, std::string> taxCodes;         ///< Pleo tax code -> BC taxCode (VAT prod. posting group)
    std::map<std::string, std::string> reverseTaxCodes;  ///< Pleo tax code of reverse-charge lines -> BC taxCode
    std::map<std::string, std::string> dimensions;       ///< Pleo tag group -> BC dimension code
    /// mode=purchase_invoice: each entry a purchase invoice of a vendor, posted; else journal lines.
    bool purchaseInvoices = false;
    std::map<std::string, std::string> vendors;  ///< Pleo supplier code -> BC vendor number
    std::string defaultVendor;                   ///< BC vendor number of entries whose supplier maps to none
    bool batchWrites = true;     ///< journal lines (and their dimension set lines) created in one $batch each
    bool attachReceipts = true;  ///< receipts as attachments (incoming documents) on the document
    std::int64_t maxRetryWaitMs = 30000;
    /// Own pacing: at most requestsPerWindow requests in any requestWindowMs (BC: 6,000 per 5 min
    /// per user or service principal); 0 requests: no pacing of its own.
    std::size_t requestsPerWindow = 6000;
    std::int64_t requestWindowMs = 300000;
    std::uint32_t timeoutMs = 60000;

    /// base/{tenant}/{environment}/api/v2.0: where $batch goes.
    std::string apiUrl() const;
    /// apiUrl()/companies({id}): every other call's prefix.
    std::string companyUrl() const;
};

sdk::Manifest bcManifest();

/// Throws sdk::SettingsError naming every bad key.
BcConfig parseBcConfig(const sdk::Settings& settings);

bool isGuid(const std::string& text);

}  // namespace ledgerbridge::businesscentral
