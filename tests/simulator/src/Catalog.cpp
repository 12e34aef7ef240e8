// Builds each company's master data from the seed, so two runs with one seed agree.
#include "Catalog.h"

#include <algorithm>
#include <cctype>

#include "Ids.h"

namespace lbsim {

namespace {

const char* const kAccounts[][2] = {
    {"4000", "Meals and Entertainment"}, {"4010", "Travel"},          {"4020", "Accommodation"},
    {"4030", "Software Subscriptions"},  {"4040", "Office Supplies"}, {"4050", "Marketing"},
    {"4060", "Fuel and Mileage"},        {"4070", "Per Diem"},        {"4080", "Telephone and Internet"},
    {"4090", "Training"},                {"4100", "Hardware"},        {"4110", "Professional Services"}};
const char* const kVendors[][3] = {{"Nordic Office Supply", "DK", "DKK"}, {"Cloudware Inc.", "US", "USD"},
                                   {"Tokyo Devices KK", "JP", "JPY"},     {"Baltic Hotels", "SE", "SEK"},
                                   {"Euro Rail", "DE", "EUR"},            {"London Print Ltd", "GB", "GBP"},
                                   {"Copenhagen Catering", "DK", "DKK"},  {"Stockholm Consulting", "SE", "SEK"}};
const char* const kPeople[] = {"Alice Andersen", "Bo Berg", "Chiara Conti", "Dai Tanaka", "Emma Eriksson",
                               "Finn Fischer"};
const char* const kWallet[] = {"DKK", "SEK", "EUR"};

}  // namespace

int currencyExponent(const std::string& currency) {
    return (currency == "JPY" || currency == "KRW" || currency == "ISK") ? 0 : 2;
}

Catalog::Catalog(std::uint64_t seed, int companies) : seed_(seed) {
    for (int c = 0; c < companies; ++c) {
        Company co;
        co.index = c;
        std::uint64_t base = mix64(seed ^ (0xC0FFEEULL + static_cast<std::uint64_t>(c) * 0x10001ULL));
        Rng rng(base);
        auto id = [&]() { return nextUuid(rng); };
        co.id = id();
        co.urn = "urn:pleo:company:" + co.id;
        co.name = "Simulated Company " + std::to_string(c + 1);
        co.walletCurrency = kWallet[c % 3];
        co.contra = {id(), "1900", "Pleo " + co.walletCurrency + " Account"};
        for (const auto& a : kAccounts) co.accounts.push_back({id(), a[0], a[1]});
        co.taxCodes = {{id(), "I25", 2500, "inclusive"},
                       {id(), "I12", 1200, "inclusive"},
                       {id(), "I6", 600, "inclusive"},
                       {id(), "RC25", 2500, "reverse"},
                       {id(), "E0", 0, "inclusive"}};
        for (const char* dep : {"SALES", "ENG", "OPS"}) co.tags.push_back({id(), dep, "DEPT"});
        for (const char* prj : {"P100", "P200"}) co.tags.push_back({id(), prj, "PROJECT"});
        int v = 0;
        for (const auto& vd : kVendors) co.vendors.push_back({id(), "V" + std::to_string(1000 + v++), vd[0], vd[1], vd[2]});
        int e = 0;
        for (const char* p : kPeople) {
            std::string user(p);
            user = user.substr(0, user.find(' '));
            std::transform(user.begin(), user.end(), user.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            co.employees.push_back({id(), "E" + std::to_string(100 + e++), p, user});
        }
        co.teams = {{id(), "T-SALES", "Sales"}, {id(), "T-ENG", "Engineering"}, {id(), "T-OPS", "Operations"}};
        byId_.emplace(co.id, c);  // uuidFrom writes lower case
        companies_.push_back(std::move(co));
    }
}

const Company* Catalog::byId(const std::string& id) const {
    // An index, not a scan: every Pleo request names its company, and 10,000 are served.
    std::string lower = id;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = byId_.find(lower);
    return it == byId_.end() ? nullptr : &companies_[static_cast<std::size_t>(it->second)];
}

}  // namespace lbsim
