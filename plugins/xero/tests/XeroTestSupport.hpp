// Shared pieces of the Xero plugin's tests: sample entries (card, reimbursable, with receipts),
// the plugin loaded from its real .so, and a configured client against a given base URL.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "XeroTestHost.hpp"
#include "ledgerbridge/host.hpp"
#include "ledgerbridge/library.hpp"

namespace ledgerbridge::xerotest {

inline const char* kTenant = "8c4e6f2a-1b3d-4c5e-9f70-a1b2c3d4e5f6";

/// The xero.so the build made ($LEDGERBRIDGE_XERO_PLUGIN, set by CTest, else the build's file).
inline const lb_plugin_api* xeroApi() {
    static const lb_plugin_api* api = [] {
        const char* env = std::getenv("LEDGERBRIDGE_XERO_PLUGIN");
        const char* path = env ? env : XERO_PLUGIN_FILE;
        sdk::inspectLibrary(path);
        return sdk::openLibrary(path);
    }();
    return api;
}

inline sdk::Money eur(std::int64_t minor) { return sdk::Money{minor, "EUR", 2}; }

/// A balanced entry: one line per (gross, tax) pair, account 400, tax code S25, tag Region/North.
inline sdk::Entry entry(const std::string& id, const std::string& type,
                        const std::vector<std::pair<std::int64_t, std::int64_t>>& lines = {{12500, 2500}}) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-x1";
    e.idempotencyKey = "lb-" + id;
    e.type = type;
    e.date = "2026-03-14";
    e.note = "Taxi to \"client\"\nsecond line";
    e.supplier = sdk::Party{"sup-1", "", "Cab & Co"};
    e.employee = sdk::Party{"emp-1", "", "Grace Hopper"};
    std::int64_t total = 0;
    int n = 0;
    for (const auto& [gross, tax] : lines) {
        sdk::Line l;
        l.lineId = id + "-" + std::to_string(++n);
        l.walletAmount = l.supplierAmount = eur(gross);
        l.netAmount = eur(gross - tax);
        l.taxAmount = eur(tax);
        l.accountCode = "400";
        l.taxCode = "S25";
        l.taxRate = "25";
        l.taxType = "normal";
        l.tags.push_back(sdk::Tag{"REGION", "N", "North"});
        e.lines.push_back(l);
        total += gross;
    }
    e.totalWallet = e.totalSupplier = eur(total);
    e.contraAccountCode = "814";
    return e;
}

/// A receipt file with `bytes` in a fresh file under `dir`.
inline sdk::Receipt receipt(const std::filesystem::path& dir, const std::string& name, const std::string& bytes,
                            const std::string& mime) {
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return sdk::Receipt{path.string(), name, mime};
}

/// Raw bytes that are certainly not base64 text (a PDF header, NUL and high bytes).
inline std::string binaryBytes() {
    std::string s = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    for (int i = 0; i < 512; ++i) s += static_cast<char>(i % 256);
    return s;
}

/// Settings for a double or mock at `baseUrl`, overridable pair by pair.
inline std::vector<std::pair<std::string, std::string>> settings(
    const std::string& baseUrl, std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> s{{"tenant_id", kTenant},
                                                       {"bank_account_code", "090"},
                                                       {"base_url", baseUrl},
                                                       {"tax_types", "S25:INPUT2,Z0:NONE"},
                                                       {"tracking_categories", "REGION:Region"},
                                                       {"max_retry_wait_seconds", "5"}};
    for (auto& [k, v] : extra) {
        bool replaced = false;
        for (auto& kv : s)
            if (kv.first == k) kv.second = v, replaced = true;
        if (!replaced) s.emplace_back(k, v);
    }
    return s;
}

}  // namespace ledgerbridge::xerotest
