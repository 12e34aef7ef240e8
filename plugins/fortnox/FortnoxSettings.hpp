// The Fortnox plugin's manifest (settings, OAuth, token host) and its parsed settings.
#pragma once

#include <map>
#include <set>
#include <string>

#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::fortnox {

/// Where a Pleo tag group goes on a Fortnox voucher row (Fortnox rows have exactly these two).
enum class RowDimension { CostCenter, Project };

struct FortnoxConfig {
    std::string baseUrl;        ///< e.g. https://api.fortnox.se/3 (no trailing slash)
    std::string voucherSeries;  ///< VoucherSeries of every voucher
    std::string currency;       ///< the company's accounting currency; other wallet currencies are rejected
    std::string inputVatAccount, reverseInputVatAccount, reverseOutputVatAccount;
    std::map<std::string, std::string> reverseOutputVatByRate;  ///< normalised rate -> account
    std::map<std::string, RowDimension> dimensions;             ///< Pleo tag group -> row field
    std::set<std::string> taxCodes;                              ///< empty: any
    bool attachReceipts = true;
    int maxRetryWaitSeconds = 30;
    int requestsPerWindow = 25;  ///< own pacing: at most this many requests per 5 s
    int timeoutSeconds = 60;
};

sdk::Manifest fortnoxManifest();

/// Parses and checks the settings; throws SettingsError naming every bad key.
FortnoxConfig parseFortnoxSettings(const sdk::Settings& settings);

/// "25.00" -> "25", "12.5" -> "12.5"; "" when not a plain decimal.
std::string normalRate(const std::string& rate);

}  // namespace ledgerbridge::fortnox
