// Pleo entries the Business Central plugin's tests push: amounts in EUR cents, tax codes the
// double's VAT groups are mapped from (S25, S12, RC25), tag group PROJECT a dimension.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::bctest {

inline sdk::Money eur(std::int64_t minor) { return sdk::Money{minor, "EUR", 2}; }

inline sdk::Line line(const std::string& account, std::int64_t net, std::int64_t tax, const std::string& code,
                        const std::string& rate) {
    sdk::Line l;
    l.accountCode = account;
    l.netAmount = eur(net);
    l.taxAmount = eur(tax);
    l.walletAmount = eur(net + tax);
    l.taxCode = code;
    l.taxRate = rate;
    l.taxType = "normal";
    return l;
}

/// 125.00 at 25 % (VAT 25.00) on 6110 tagged PROJECT/P-17, 22.40 at 12 % (2.40) on 6120, from
/// supplier code V100 (a vendor number of the double).
inline sdk::Entry entry(const std::string& id) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.idempotencyKey = "key-" + id;
    e.date = e.bookingDate = "2026-02-03";
    e.note = "Client lunch";
    e.supplier = sdk::Party{"supplier-1", "V100", "Restaurant Æblet"};
    e.lines = {line("6110", 10000, 2500, "S25", "25"), line("6120", 2000, 240, "S12", "12")};
    e.lines[0].tags.push_back(sdk::Tag{"PROJECT", "P-17", "Apollo"});
    e.totalWallet = e.totalSupplier = eur(14740);
    e.contraAccountCode = "2900";
    return e;
}

/// Two receipt files in a folder of their own (removed with this): r.pdf with bytes of every
/// kind (a NUL, non-UTF-8), r.png.
struct TwoReceipts {
    explicit TwoReceipts(const std::string& name)
        : dir(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "r.pdf", std::ios::binary) << pdf;
        std::ofstream(dir / "r.png", std::ios::binary) << png;
        receipts = {{(dir / "r.pdf").string(), "r.pdf", "application/pdf"}, {(dir / "r.png").string(), "r.png", "image/png"}};
    }
    ~TwoReceipts() { std::filesystem::remove_all(dir); }
    TwoReceipts(const TwoReceipts&) = delete;
    TwoReceipts& operator=(const TwoReceipts&) = delete;

    const std::string pdf = std::string("%PDF-1.4\n\xE2\xE3\0\x01 bytes", 20);
    const std::string png = "\x89PNG\r\n";
    std::filesystem::path dir;
    std::vector<sdk::Receipt> receipts;
};

}  // namespace ledgerbridge::bctest
