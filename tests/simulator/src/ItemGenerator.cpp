// Deterministic ExportItemV3 generation. Money is integer minor units throughout (JPY has no
// decimals, DKK/SEK/EUR/USD/GBP two); line amounts sum exactly to the item amount in both the
// supplier and the wallet currency, and tax is computed with integer basis points.
#include "ItemGenerator.h"

#include <Poco/JSON/Array.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Clock.h"
#include "Ids.h"
#include "Receipts.h"

namespace lbsim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

const std::int64_t kEpoch2026 = 1767225600;  // 2026-01-01T00:00:00Z

const char* const kTypes[] = {"card_purchase", "card_purchase", "card_purchase", "out_of_pocket", "mileage",
                              "per_diem",      "invoice",       "refund"};
const char* const kForeign[] = {"JPY", "USD", "EUR", "GBP", "SEK"};

// Value of one major unit in EUR millionths: fixed rates keep conversion deterministic.
std::int64_t eurPpm(const std::string& c) {
    if (c == "EUR") return 1000000;
    if (c == "DKK") return 134000;
    if (c == "SEK") return 87000;
    if (c == "JPY") return 6100;
    if (c == "USD") return 920000;
    if (c == "GBP") return 1170000;
    return 1000000;
}

std::int64_t pow10(int e) {
    std::int64_t r = 1;
    while (e-- > 0) r *= 10;
    return r;
}

// Rounds n/d half away from zero (d > 0).
std::int64_t divRound(std::int64_t n, std::int64_t d) { return n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d); }

std::int64_t convert(std::int64_t minor, const std::string& from, const std::string& to) {
    if (from == to) return minor;
    // minor_to = minor_from / 10^ef * rate_from / rate_to * 10^et
    std::int64_t num = minor * eurPpm(from) * pow10(currencyExponent(to));
    std::int64_t den = eurPpm(to) * pow10(currencyExponent(from));
    return divRound(num, den);
}

Object::Ptr money(std::int64_t value, const std::string& currency) {
    Object::Ptr m = new Object;
    m->set("value", value);
    m->set("currency", currency);
    return m;
}

Object::Ptr pair(std::int64_t supplier, const std::string& sc, std::int64_t wallet, const std::string& wc) {
    Object::Ptr p = new Object;
    p->set("inSupplierCurrency", money(supplier, sc));
    p->set("inWalletCurrency", money(wallet, wc));
    return p;
}

Object::Ptr account(const Account& a) {
    Object::Ptr o = new Object;
    o->set("id", a.id);
    o->set("code", a.code);
    o->set("identifier", a.code);
    o->set("name", a.name);
    return o;
}

// Tax rate as a JSON number with exact decimal text (2500 bp -> 0.25).
double rateOf(int bp) { return static_cast<double>(bp) / 10000.0; }

}  // namespace

namespace {
constexpr unsigned kIndexBits = 27;
}  // namespace

ItemGenerator::ItemGenerator(const Catalog& catalog, std::uint64_t itemsPerCompany, double invalidRate)
    : catalog_(catalog), items_(itemsPerCompany), invalidRate_(invalidRate) {}

std::uint64_t ItemGenerator::itemSeed(const ItemRef& ref) const {
    return mix64(catalog_.seed() * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(ref.company) << 48) ^
                 mix64(ref.index));
}

std::string ItemGenerator::accountingEntryId(const ItemRef& ref) const {
    // The last 48 bits carry the company and the index, masked by a hash of the first 64 bits so
    // ids look random but decode in O(1). Layout: bits 36-47 the company's low 12 bits, bits
    // 27-35 its high 9 bits, bits 0-26 the index (--items is at most 100,000,000 < 2^27). The
    // first 4,096 companies therefore keep the ids they had when the company took all 12 upper
    // bits (and the index 36), and up to 2^21 companies fit.
    std::uint64_t h = (itemSeed(ref) & 0xFFFFFFFFFFFF0FFFULL) | 0x4000ULL;
    const auto company = static_cast<std::uint64_t>(ref.company);
    std::uint64_t payload = ((company & 0xFFFULL) << 36) | ((company >> 12) << kIndexBits) | ref.index;
    std::uint64_t lo = (mix64(h) & 0xFFFF000000000000ULL) | ((payload ^ mix64(h ^ 0x5EED)) & 0xFFFFFFFFFFFFULL);
    return uuidFrom(h, lo);
}

std::optional<ItemRef> ItemGenerator::parse(const std::string& id) const {
    if (!isUuid(id)) return std::nullopt;
    std::string hiHex = id.substr(0, 8) + id.substr(9, 4) + id.substr(14, 4);
    std::uint64_t hi = std::strtoull(hiHex.c_str(), nullptr, 16);
    std::uint64_t tail = (std::strtoull(id.substr(24).c_str(), nullptr, 16) ^ mix64(hi ^ 0x5EED)) & 0xFFFFFFFFFFFFULL;
    const std::uint64_t company = (tail >> 36) | (((tail >> kIndexBits) & 0x1FFULL) << 12);
    ItemRef ref{static_cast<int>(company), tail & ((1ULL << kIndexBits) - 1)};
    if (ref.company >= static_cast<int>(catalog_.companies().size()) || ref.index >= items_) return std::nullopt;
    std::string canonical = accountingEntryId(ref);
    for (std::size_t i = 0; i < id.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(id[i])) != canonical[i]) return std::nullopt;
    return ref;
}

bool ItemGenerator::isInvalid(const ItemRef& ref) const {
    if (invalidRate_ <= 0) return false;
    if (anyFixed_.load(std::memory_order_acquire)) {
        std::lock_guard<std::mutex> guard(fixedMutex_);
        if (fixed_.count({ref.company, ref.index}) != 0) return false;
    }
    Rng r(itemSeed(ref) ^ 0x1BADB002ULL);
    return r.unit() < invalidRate_;
}

void ItemGenerator::markFixed(const ItemRef& ref) {
    std::lock_guard<std::mutex> guard(fixedMutex_);
    fixed_.insert({ref.company, ref.index});
    anyFixed_.store(true, std::memory_order_release);
}

void ItemGenerator::clearFixed() {
    std::lock_guard<std::mutex> guard(fixedMutex_);
    fixed_.clear();
    anyFixed_.store(false, std::memory_order_release);
}

std::string ItemGenerator::type(const ItemRef& ref) const {
    Rng rng(itemSeed(ref));  // the first draw of item() below
    return kTypes[rng.below(8)];
}

Object::Ptr ItemGenerator::item(const ItemRef& ref, const std::string& apiBase, const FileUrl& fileUrl) const {
    const Company& co = catalog_.companies().at(static_cast<std::size_t>(ref.company));
    Rng rng(itemSeed(ref));
    const std::string type = kTypes[rng.below(8)];
    const bool refund = type == "refund";
    const std::string& wc = co.walletCurrency;
    std::string sc = wc;
    if (type == "card_purchase" || type == "invoice" || type == "refund") {
        if (rng.below(10) < 3) sc = kForeign[rng.below(5)];
    }
    const int se = currencyExponent(sc);
    std::int64_t total = static_cast<std::int64_t>(500 + rng.below(250000));  // in cents of a 2-decimal currency
    if (se == 0) total = total * 150 / 100;                                    // ~JPY: whole yen
    if (refund) total = -total;
    const std::string entryId = accountingEntryId(ref);
    const bool invalid = isInvalid(ref);
    const bool invalidByAccount = invalid && (rng.below(2) == 0);

    Object::Ptr o = new Object;
    o->set("accountingEntryId", entryId);
    o->set("companyId", co.id);
    o->set("type", type);
    if (type == "refund") o->set("subType", "card_refund");
    if (type == "out_of_pocket") o->set("subType", "reimbursement_to_employee");
    o->set("date", isoTime(kEpoch2026 + static_cast<std::int64_t>(rng.below(300 * 86400))));

    // Lines: 1..3 parts that sum exactly to the total in both currencies.
    int nLines = 1 + static_cast<int>(rng.below(3));
    Array::Ptr lines = new Array;
    std::int64_t remaining = total, walletTotal = 0;
    const Employee& emp = co.employees[rng.below(co.employees.size())];
    for (int l = 0; l < nLines; ++l) {
        std::int64_t part = (l == nLines - 1) ? remaining : total / nLines;
        remaining -= part;
        std::int64_t walletPart = convert(part, sc, wc);
        walletTotal += walletPart;
        Object::Ptr line = new Object;
        line->set("accountingEntryLineId", nextUuid(rng));
        const Account& acc = co.accounts[rng.below(co.accounts.size())];
        if (invalidByAccount && l == 0) line->set("account", Poco::Dynamic::Var());
        else line->set("account", account(acc));
        line->set("lineAmount", pair(part, sc, walletPart, wc));
        TaxCode tc = co.taxCodes[rng.below(co.taxCodes.size())];
        if (invalid && !invalidByAccount && l == 0) tc = TaxCode{nextUuid(rng), "UNKNOWN-99", 2500, "inclusive"};
        std::int64_t taxS = 0, taxW = 0, netS = part, netW = walletPart;
        if (tc.type == "inclusive") {
            taxS = divRound(part * tc.rateBp, 10000 + tc.rateBp);
            taxW = divRound(walletPart * tc.rateBp, 10000 + tc.rateBp);
            netS = part - taxS;
            netW = walletPart - taxW;
        } else {  // reverse charge: tax on top, not paid to the supplier
            taxS = divRound(part * tc.rateBp, 10000);
            taxW = divRound(walletPart * tc.rateBp, 10000);
        }
        line->set("netAmount", pair(netS, sc, netW, wc));
        Object::Ptr tax = new Object;
        tax->set("id", tc.id);
        tax->set("code", tc.code);
        tax->set("rate", rateOf(tc.rateBp));
        tax->set("type", tc.type);
        tax->set("amount", pair(taxS, sc, taxW, wc));
        if (tc.type == "reverse") {
            tax->set("ingoingTaxAccount", "2710");
            tax->set("outgoingTaxAccount", "2720");
        }
        line->set("tax", tax);
        Array::Ptr tags = new Array;
        if (rng.below(2) == 0) {
            const Tag& t = co.tags[rng.below(co.tags.size())];
            Object::Ptr tag = new Object;
            tag->set("id", t.id);
            tag->set("code", t.code);
            tag->set("groupCode", t.groupCode);
            tags->add(tag);
        }
        line->set("tags", tags);
        lines->add(line);
    }
    o->set("accountingEntryLines", lines);
    o->set("amount", pair(total, sc, walletTotal, wc));

    Object::Ptr contra = account(co.contra);
    o->set("contraAccount", contra);
    Object::Ptr bk = new Object;
    bk->set("method", type == "invoice" ? "vendor_based" : "none");
    o->set("bookkeeping", bk);

    Object::Ptr user = new Object;
    user->set("id", emp.id);
    user->set("code", emp.code);
    user->set("name", emp.name);
    o->set("user", user);
    const Team& team = co.teams[rng.below(co.teams.size())];
    Object::Ptr teamObj = new Object;
    teamObj->set("id", team.id);
    teamObj->set("code", team.code);
    teamObj->set("name", team.name);
    o->set("team", teamObj);

    const Vendor& v = co.vendors[rng.below(co.vendors.size())];
    Object::Ptr info = new Object;
    info->set("reconciliationId", "B" + std::to_string(100000 + ref.index) + "-" + std::to_string(ref.company));
    if (type == "card_purchase" || type == "refund" || type == "invoice" || type == "out_of_pocket") {
        Object::Ptr sup = new Object;
        sup->set("name", v.name);
        sup->set("country", v.country);
        sup->set("categoryCode", "5999");
        sup->set("code", v.code);
        sup->set("account", Poco::Dynamic::Var());
        sup->set("taxIdentifier", v.country + std::string("12345678"));
        o->set("supplier", sup);
    }
    if (type == "invoice") {
        Object::Ptr vendor = new Object;
        vendor->set("id", v.id);
        vendor->set("code", v.code);
        vendor->set("externalId", v.code);
        vendor->set("name", v.name);
        vendor->set("country", v.country);
        vendor->set("defaultCurrency", v.currency);
        o->set("vendor", vendor);
        std::int64_t issued = kEpoch2026 + static_cast<std::int64_t>(rng.below(300)) * 86400;
        Object::Ptr inv = new Object;
        inv->set("invoiceNumber", "INV-" + std::to_string(10000 + ref.index));
        inv->set("invoiceDate", isoTime(issued));
        inv->set("dueDate", isoTime(issued + 30 * 86400));
        inv->set("paymentDate", Poco::Dynamic::Var());
        inv->set("status", "pending_approval");
        Object::Ptr bank = new Object;
        bank->set("bankName", "Simulated Bank");
        bank->set("country", v.country);
        bank->set("iban", "DK5000400440116243");
        bank->set("bic", "SIMBDKKK");
        bank->set("accountNumber", Poco::Dynamic::Var());
        bank->set("bankCode", Poco::Dynamic::Var());
        inv->set("supplierBankAccount", bank);
        info->set("invoiceInformation", inv);
        Object::Ptr period = new Object;
        period->set("from", isoTime(issued - 30 * 86400));
        period->set("to", isoTime(issued));
        o->set("servicePeriod", period);
    }
    if (type == "card_purchase" && rng.below(4) == 0) {
        Array::Ptr att = new Array;
        att->add(co.employees[0].name);
        att->add("Guest " + std::to_string(ref.index % 7));
        info->set("attendees", att);
    }
    o->set("additionalInformation", info);
    o->set("note", rng.below(3) == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(std::string("Simulated ") + type + " #" + std::to_string(ref.index)));

    // Receipts: none for mileage/per diem, otherwise a PDF and sometimes a PNG.
    Array::Ptr files = new Array;
    if (type != "mileage" && type != "per_diem") {
        std::vector<std::string> kinds{"pdf"};
        if (rng.below(3) == 0) kinds.push_back("png");
        for (const auto& k : kinds) {
            Object::Ptr f = new Object;
            f->set("url", fileUrl(ref, k));
            f->set("type", k == "png" ? "image/png" : "application/pdf");
            f->set("size", static_cast<int>(Receipts::bytes(ref.company, ref.index, k).size()));
            files->add(f);
        }
    }
    o->set("files", files);

    Object::Ptr links = new Object;
    Object::Ptr web = new Object;
    web->set("exportItem", "https://app.staging.pleo.io/export/" + entryId);
    links->set("web", web);
    Object::Ptr api = new Object;
    api->set("exportItem", apiBase + "/v3/export-job-items?accounting_entry_id=" + entryId);
    links->set("api", api);
    o->set("_links", links);
    return o;
}

}  // namespace lbsim
