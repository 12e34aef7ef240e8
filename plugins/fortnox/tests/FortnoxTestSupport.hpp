// Shared pieces of the Fortnox plugin's tests: the real fortnox.so, sample entries in SEK
// (BAS accounts, normal VAT and reverse charge, cost centre and project tags), receipts, and
// settings against a base URL.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/library.hpp"

namespace ledgerbridge::fortnoxtest {

/// The fortnox.so the build made ($LEDGERBRIDGE_FORTNOX_PLUGIN, set by CTest, else the build's).
inline const lb_plugin_api* fortnoxApi() {
    static const lb_plugin_api* api = [] {
        const char* env = std::getenv("LEDGERBRIDGE_FORTNOX_PLUGIN");
        const char* path = env ? env : FORTNOX_PLUGIN_FILE;
        sdk::inspectLibrary(path);
        return sdk::openLibrary(path);
    }();
    return api;
}

inline sdk::Money sek(std::int64_t minor) { return sdk::Money{minor, "SEK", 2}; }

/// One line: `gross` on `account`, `tax` of it VAT (normal) at 25 %.
inline sdk::Line line(const std::string& id, const std::string& account, std::int64_t gross, std::int64_t tax,
                      const std::string& taxType = "normal") {
    sdk::Line l;
    l.lineId = id;
    l.walletAmount = l.supplierAmount = sek(gross);
    l.netAmount = sek(taxType == "reverse" ? gross : gross - tax);
    l.taxAmount = sek(tax);
    l.accountCode = account;
    l.taxCode = taxType == "reverse" ? "RC25" : "S25";
    l.taxRate = "25";
    l.taxType = taxType;
    return l;
}

/// A balanced entry of `lines` dated 2026-03-14, contra account 2890.
inline sdk::Entry entry(const std::string& id, std::vector<sdk::Line> lines) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-f1";
    e.idempotencyKey = "lb-" + id;
    e.type = "card_purchase";
    e.date = "2026-03-14";
    e.note = "Kontorsmaterial \"Q1\"";
    e.supplier = sdk::Party{"sup-1", "", "Kontorsgrossisten AB"};
    std::int64_t total = 0;
    for (const auto& l : lines) total += l.walletAmount.minor;
    e.lines = std::move(lines);
    e.totalWallet = e.totalSupplier = sek(total);
    e.contraAccountCode = "2890";
    return e;
}

/// An entry of one 125.00 line on 6110 with 25.00 VAT.
inline sdk::Entry simple(const std::string& id) { return entry(id, {line(id + "-1", "6110", 12500, 2500)}); }

inline sdk::Receipt receipt(const std::filesystem::path& dir, const std::string& name, const std::string& bytes,
                            const std::string& mime) {
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return sdk::Receipt{path.string(), name, mime};
}

/// Settings for the double at `baseUrl`; `extra` adds or replaces keys.
inline std::vector<std::pair<std::string, std::string>> settings(
    const std::string& baseUrl, const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    std::map<std::string, std::string> s{{"base_url", baseUrl},
                                         {"voucher_series", "A"},
                                         {"dimensions", "DEPARTMENT:1,PROJECT:6"},
                                         {"tax_codes", "S25,RC25"},
                                         {"max_retry_wait_seconds", "5"}};
    for (const auto& [k, v] : extra) s[k] = v;
    return {s.begin(), s.end()};
}

}  // namespace ledgerbridge::fortnoxtest
