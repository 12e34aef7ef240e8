// A Xero organisation's master data for the tests, and the records the plugin must read from it,
// both written here by hand (the expected records share no code with the plugin's mapping):
// archived and deleted accounts, a reverse-charge tax rate whose document rate is 0, rates that
// a double would print wrongly, tracking categories with archived options, and 263 supplier
// contacts (13 archived) among 30 customers, so several pages of 100.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "XeroDouble.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::xerotest {

constexpr long long kJan5 = 1767605400000;     ///< 2026-01-05T09:30:00Z: most records
constexpr long long kMar5 = 1772712000250;     ///< 2026-03-05T12:00:00.250Z: the changed ones
constexpr const char* kMar1 = "2026-03-01T00:00:00Z";  ///< between the two

struct MasterDataSet {
    XeroDouble::Organisation org;
    std::map<sdk::MasterKind, std::vector<sdk::MasterRecord>> expected;  ///< per kind, any order
    std::vector<std::string> changedSinceMar1;  ///< ids of accounts and contacts updated after kMar1
    std::string unknownCountryContact;          ///< the contact whose country no table knows
};

inline std::string guid(int group, int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-1111-4222-8333-%012d", 0xa0000000u + static_cast<unsigned>(group), n);
    return buf;
}

inline MasterDataSet masterDataSet() {
    using K = sdk::MasterKind;
    MasterDataSet s;
    auto rec = [](K kind, std::string id, std::string code, std::string name) {
        sdk::MasterRecord r;
        r.kind = kind;
        r.id = std::move(id);
        r.code = std::move(code);
        r.name = std::move(name);
        return r;
    };

    // Accounts: Xero Type -> model type; ARCHIVED and DELETED are archived.
    struct A {
        const char *code, *name, *type, *status, *taxType, *model;
        long long updated;
    };
    const A accounts[] = {{"090", "Business Bank Account", "BANK", "ACTIVE", "NONE", "asset", kJan5},
                          {"400", "Advertising", "EXPENSE", "ACTIVE", "INPUT2", "expense", kJan5},
                          {"429", "General Expenses", "OVERHEADS", "ARCHIVED", "INPUT2", "expense", kMar5},
                          {"310", "Cost of Goods Sold", "DIRECTCOSTS", "ACTIVE", "INPUT2", "expense", kJan5},
                          {"620", "Prepayments", "PREPAYMENT", "ACTIVE", "", "asset", kJan5},
                          {"720", "Computer Equipment", "FIXED", "DELETED", "INPUT2", "asset", kMar5},
                          {"800", "Accounts Payable", "CURRLIAB", "ACTIVE", "", "liability", kJan5},
                          {"900", "Loan", "TERMLIAB", "ACTIVE", "", "liability", kJan5},
                          {"970", "Owner A Funds Introduced", "EQUITY", "ACTIVE", "", "equity", kJan5},
                          {"200", "Sales", "REVENUE", "ACTIVE", "OUTPUT2", "revenue", kJan5},
                          {"270", "Interest Income", "OTHERINCOME", "ACTIVE", "", "revenue", kMar5}};
    int n = 0;
    for (const A& a : accounts) {
        const std::string id = guid(1, ++n);
        s.org.chart.push_back({id, a.code, a.name, a.type, a.status, a.taxType, a.updated});
        sdk::MasterRecord r = rec(K::Account, id, a.code, a.name);
        r.archived = std::string(a.status) != "ACTIVE";
        r.type = a.model;
        r.defaultTaxCodeId = a.taxType;
        r.updatedAt = a.updated == kJan5 ? "2026-01-05T09:30:00Z" : "2026-03-05T12:00:00.250Z";
        s.expected[K::Account].push_back(r);
        if (a.updated == kMar5) s.changedSinceMar1.push_back(id);
    }

    // Tax rates: TaxType is the id and the code; rates as exact decimal text.
    struct T {
        const char *taxType, *name, *status, *report, *display, *effective, *model, *rate;
    };
    const T rates[] = {
        {"INPUT2", "20% (VAT on Expenses)", "ACTIVE", "INPUT", "20.0000", "20.0000", "normal", "20"},
        {"REVERSECHARGES", "Reverse Charge Expenses (20%)", "ACTIVE", "REVERSECHARGES", "20.0000", "0.0000", "reverse", "20"},
        {"ECACQUISITIONS", "EC Acquisitions (20%)", "ACTIVE", "ECACQUISITIONS", "20.0000", "0.0000", "reverse", "20"},
        {"TAX001", "Custom 5% (no ReportTaxType)", "ACTIVE", "", "5.0000", "5.0000", "normal", "5"},
        {"TAX002", "Reduced 12.5%", "ACTIVE", "INPUT", "12.5000", "12.5000", "normal", "12.5"},
        {"TAX003", "Odd third", "ACTIVE", "INPUT", "33.333333333333333", "33.333333333333333", "normal", "33.333333333333333"},
        {"TAX004", "Tiny", "ACTIVE", "INPUT", "0.0001", "1E-4", "normal", "0.0001"},
        {"EXEMPTEXPENSES", "Exempt Expenses", "ACTIVE", "EXEMPTEXPENSES", "0.0000", "0.0000", "exempt", "0"},
        {"NONE", "No VAT", "ACTIVE", "NONE", "0.0000", "0.0000", "exempt", "0"},
        {"ZERORATEDINPUT", "Zero Rated Expenses", "ARCHIVED", "ZERORATEDINPUT", "0.0000", "0.0000", "normal", "0"},
        {"OUTPUT2", "20% (VAT on Income)", "ACTIVE", "OUTPUT", "20.0000", "20.0000", "normal", "20"}};
    for (const T& t : rates) {
        s.org.taxRates.push_back({t.taxType, t.name, t.status, t.report, t.display, t.effective});
        sdk::MasterRecord r = rec(K::TaxCode, t.taxType, t.taxType, t.name);
        r.archived = std::string(t.status) != "ACTIVE";
        r.type = t.model;
        r.taxRate = t.rate;
        s.expected[K::TaxCode].push_back(r);
    }

    // Tracking: categories (one archived) and options (some archived).
    struct C {
        const char* name;
        const char* status;
        std::vector<std::pair<const char*, const char*>> options;
    };
    const C categories[] = {{"Region", "ACTIVE", {{"North", "ACTIVE"}, {"South", "ACTIVE"}, {"West", "ARCHIVED"}}},
                            {"Project", "ACTIVE", {{"Apollo", "ACTIVE"}, {"Gemini", "ARCHIVED"}}},
                            {"Old Department", "ARCHIVED", {{"Sales", "ACTIVE"}}}};
    int c = 0, o = 0;
    for (const C& cat : categories) {
        XeroDouble::TrackingCategory tc{guid(3, ++c), cat.name, cat.status, {}};
        sdk::MasterRecord d = rec(K::Dimension, tc.id, cat.name, cat.name);
        d.archived = std::string(cat.status) != "ACTIVE";
        s.expected[K::Dimension].push_back(d);
        for (const auto& [name, status] : cat.options) {
            tc.options.push_back({guid(4, ++o), name, status});
            sdk::MasterRecord v = rec(K::DimensionValue, tc.options.back().id, name, name);
            v.parentId = tc.id;
            v.archived = std::string(status) != "ACTIVE";
            s.expected[K::DimensionValue].push_back(v);
        }
        s.org.trackingCategories.push_back(tc);
    }

    // Contacts: 263 suppliers (every 20th archived) and 30 customers, in an order that is not
    // the ids' order. Code: ContactNumber, else AccountNumber, else none.
    const char* countries[][2] = {{"Denmark", "DK"}, {"United Kingdom", "GB"}, {"DE", "DE"}, {"SWEDEN", "SE"},
                                  {"United States", "US"}, {"Netherlands", "NL"}};
    const char* currencies[] = {"DKK", "GBP", "EUR", "SEK", "USD", ""};
    for (int i = 0; i < 293; ++i) {
        const int k = (i * 37) % 293;  // a permutation: creation order differs from id order
        XeroDouble::Contact ct;
        ct.id = guid(5, k + 1);
        ct.name = "Supplier " + std::to_string(k + 1) + (k % 7 == 0 ? " & Sons" : "");
        ct.supplier = k < 263;
        if (!ct.supplier) ct.name = "Customer " + std::to_string(k + 1);
        ct.status = ct.supplier && k % 20 == 19 ? "ARCHIVED" : "ACTIVE";
        if (k % 3 == 0) ct.contactNumber = "V" + std::to_string(1000 + k);
        if (k % 3 != 2) ct.accountNumber = "AP-" + std::to_string(k);
        ct.companyNumber = k % 2 ? "CVR" + std::to_string(30000000 + k) : "";
        ct.taxNumber = k % 4 ? "VAT-" + std::to_string(k) : "";
        ct.defaultCurrency = currencies[k % 6];
        ct.purchasesAccountCode = k % 5 ? "400" : "";
        const bool unknownCountry = k == 42;
        if (unknownCountry) ct.addresses = {{"STREET", "Atlantis"}};
        else if (k % 6 == 5) ct.addresses = {{"POBOX", countries[k % 6][0]}};                     // postal only
        else ct.addresses = {{"POBOX", "Norway"}, {"STREET", countries[k % 6][0]}};                // street wins
        ct.updatedMs = k % 25 == 0 ? kMar5 : kJan5;
        s.org.contacts.push_back(ct);
        if (!ct.supplier) continue;
        sdk::MasterRecord r = rec(K::Supplier, ct.id, !ct.contactNumber.empty() ? ct.contactNumber : ct.accountNumber, ct.name);
        r.archived = ct.status == "ARCHIVED";
        r.registrationNumber = ct.companyNumber;
        r.vatNumber = ct.taxNumber;
        r.currency = ct.defaultCurrency;
        r.defaultAccountCode = ct.purchasesAccountCode;
        r.country = unknownCountry ? "" : countries[k % 6][1];
        r.updatedAt = ct.updatedMs == kJan5 ? "2026-01-05T09:30:00Z" : "2026-03-05T12:00:00.250Z";
        s.expected[K::Supplier].push_back(r);
        if (ct.updatedMs == kMar5) s.changedSinceMar1.push_back(ct.id);
        if (unknownCountry) s.unknownCountryContact = ct.id;
    }
    return s;
}

}  // namespace ledgerbridge::xerotest
