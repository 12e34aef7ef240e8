// The seeded master data of each simulated company: ids, chart of accounts, contra account,
// tax codes, tag groups, vendors, employees, teams. Small (tens of records per company), so it
// is built once at start; export items are generated from it on demand (ItemGenerator).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace lbsim {

struct Account {
    std::string id, code, name;
};
struct TaxCode {
    std::string id, code;
    int rateBp;        // basis points: 2500 = 0.25 (decimal rates, never binary floating point)
    std::string type;  // inclusive | reverse
};
struct Tag {
    std::string id, code, groupCode;
};
struct Vendor {
    std::string id, code, name, country, currency;
};
struct Employee {
    std::string id, code, name, username;
};
struct Team {
    std::string id, code, name;
};

struct Company {
    int index = 0;
    std::string id;    // UUID used as companyId in the API
    std::string urn;   // urn:pleo:company:<uuid>, the OAuth subject
    std::string name;
    std::string walletCurrency;
    Account contra;
    std::vector<Account> accounts;
    std::vector<TaxCode> taxCodes;
    std::vector<Tag> tags;
    std::vector<Vendor> vendors;
    std::vector<Employee> employees;
    std::vector<Team> teams;
};

class Catalog {
public:
    Catalog(std::uint64_t seed, int companies);
    const std::vector<Company>& companies() const { return companies_; }
    /// nullptr when no company has this UUID.
    const Company* byId(const std::string& id) const;
    std::uint64_t seed() const { return seed_; }

private:
    std::uint64_t seed_;
    std::vector<Company> companies_;
    std::unordered_map<std::string, int> byId_;  // lower-case id -> index in companies_
};

/// Digits after the decimal point of an ISO 4217 currency (JPY 0, the others here 2).
int currencyExponent(const std::string& currency);

}  // namespace lbsim
