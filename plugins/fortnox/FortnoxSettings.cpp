// The Fortnox plugin's manifest and settings parsing. Setting names shared with the SIE plugin
// (input_vat_account, reverse_charge_*, dimensions, tax_codes, currency) mean the same there.
#include "FortnoxSettings.hpp"

#include <algorithm>

namespace ledgerbridge::fortnox {

namespace {
std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c == ',') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else if (c != ' ') {
            item += c;
        }
    }
    return out;
}

bool isAccount(const std::string& s) {
    return s.size() == 4 && s.find_first_not_of("0123456789") == std::string::npos;
}

int intIn(const sdk::Settings& s, const char* key, int low, int high, sdk::SettingsError::Problems& problems) {
    const auto v = s.getInt(key);
    if (v < low || v > high) {
        problems.emplace_back(key, "expected " + std::to_string(low) + "-" + std::to_string(high) + ", got " +
                                       std::to_string(v));
        return low;
    }
    return static_cast<int>(v);
}
}  // namespace

std::string normalRate(const std::string& rate) {
    std::string r = rate;
    if (r.empty() || r.find_first_not_of("0123456789.") != std::string::npos || r.front() == '.' ||
        std::count(r.begin(), r.end(), '.') > 1)
        return {};
    if (r.find('.') != std::string::npos) {
        while (r.back() == '0') r.pop_back();
        if (r.back() == '.') r.pop_back();
    }
    while (r.size() > 1 && r.front() == '0' && r[1] != '.') r.erase(0, 1);
    return r;
}

sdk::Manifest fortnoxManifest() {
    sdk::Manifest m;
    m.name = "fortnox";
    m.version = "0.1.0";
    m.targetSystem = "Fortnox API v3";
    m.description = "Books each Pleo entry as a balanced Fortnox voucher (BAS accounts, Swedish reverse charge), "
                    "with its receipts uploaded to the inbox and connected to the voucher; reads accounts, cost centres, "
                    "projects and suppliers as master data.";
    m.maturity = sdk::Maturity::Alpha;
    m.capabilities = LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_ATTACHMENTS | LB_CAP_MASTER_DATA;
    using sdk::SettingType;
    m.settings = {
        {"base_url", SettingType::String, "https://api.fortnox.se/3", false, "Fortnox API v3 base URL."},
        {"voucher_series", SettingType::String, "A", false,
         "VoucherSeries of every voucher (an existing series of the company, e.g. A or a series made for Pleo)."},
        {"currency", SettingType::String, "SEK", false,
         "The company's accounting currency; entries booked in other wallet currencies are rejected."},
        {"input_vat_account", SettingType::String, "2640", false, "Account of the VAT rows (ingående moms, BAS 2640)."},
        {"reverse_charge_input_vat_account", SettingType::String, "2645", false,
         "Reverse charge: account of the self-assessed input VAT (BAS 2645, beräknad ingående moms)."},
        {"reverse_charge_output_vat_account", SettingType::String, "2614", false,
         "Reverse charge: account of the self-assessed output VAT (BAS 2614) for every rate not in "
         "reverse_charge_output_vat_by_rate."},
        {"reverse_charge_output_vat_by_rate", SettingType::String, "", false,
         "Reverse charge: output VAT account per tax rate in percent, e.g. 25:2614,12:2624,6:2634."},
        {"dimensions", SettingType::String, "", false,
         "Pleo tag group -> SIE dimension number as in the SIE plugin: 1 = CostCenter, 6 = Project of the "
         "voucher row, e.g. DEPARTMENT:1,PROJECT:6. Tags of other groups are not sent."},
        {"tax_codes", SettingType::String, "", false, "Known tax codes; others are rejected (empty: any)."},
        {"attach_receipts", SettingType::Bool, "true", false,
         "Upload receipts to the Fortnox inbox and connect them to the voucher."},
        {"max_retry_wait_seconds", SettingType::Int, "30", false,
         "Longest 429 Retry-After waited for inside one push (0-600); longer waits end the push as retryable."},
        {"requests_per_5_seconds", SettingType::Int, "25", false,
         "The plugin's own pacing (1-25): Fortnox allows 25 requests per 5 seconds per tenant. 0: none of its own "
         "(a test double without Fortnox's limit); Fortnox's 429 answers are honoured either way."},
        {"timeout_seconds", SettingType::Int, "60", false, "Timeout of one request (1-600)."},
    };
    m.oauth = sdk::OAuthSpec{"https://apps.fortnox.se/oauth-v1/auth", "https://apps.fortnox.se/oauth-v1/token",
                             "bookkeeping connectfile archive inbox costcenter project supplier"};
    m.tokenHosts = {"api.fortnox.se"};
    return m;
}

FortnoxConfig parseFortnoxSettings(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    FortnoxConfig c;
    c.baseUrl = s.get("base_url");
    while (!c.baseUrl.empty() && c.baseUrl.back() == '/') c.baseUrl.pop_back();
    if (c.baseUrl.rfind("https://", 0) != 0 && c.baseUrl.rfind("http://127.0.0.1", 0) != 0 &&
        c.baseUrl.rfind("http://localhost", 0) != 0)
        problems.emplace_back("base_url", "expected an https:// URL (http:// only on loopback), got '" + c.baseUrl + "'");
    c.voucherSeries = s.get("voucher_series");
    if (c.voucherSeries.empty() || c.voucherSeries.size() > 10 ||
        c.voucherSeries.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos)
        problems.emplace_back("voucher_series", "expected a series code of capital letters/digits such as A, got '" +
                                                    c.voucherSeries + "'");
    c.currency = s.get("currency");
    if (c.currency.size() != 3) problems.emplace_back("currency", "expected an ISO 4217 code such as SEK");
    auto account = [&](const char* key) {
        const std::string value = s.get(key);
        if (!isAccount(value)) problems.emplace_back(key, "expected a 4-digit BAS account number, got '" + value + "'");
        return value;
    };
    c.inputVatAccount = account("input_vat_account");
    c.reverseInputVatAccount = account("reverse_charge_input_vat_account");
    c.reverseOutputVatAccount = account("reverse_charge_output_vat_account");
    for (const auto& pair : splitList(s.get("reverse_charge_output_vat_by_rate"))) {
        const auto colon = pair.find(':');
        const std::string rate = colon == std::string::npos ? "" : normalRate(pair.substr(0, colon));
        const std::string acc = colon == std::string::npos ? "" : pair.substr(colon + 1);
        if (rate.empty() || !isAccount(acc))
            problems.emplace_back("reverse_charge_output_vat_by_rate",
                                  "expected RATE:ACCOUNT such as 25:2614, got '" + pair + "'");
        else
            c.reverseOutputVatByRate[rate] = acc;
    }
    for (const auto& pair : splitList(s.get("dimensions"))) {
        const auto colon = pair.find(':');
        const std::string num = colon == std::string::npos ? "" : pair.substr(colon + 1);
        if (colon == 0 || colon == std::string::npos || (num != "1" && num != "6"))
            problems.emplace_back("dimensions", "expected TAGGROUP:1 (cost centre) or TAGGROUP:6 (project), got '" +
                                                    pair + "'");
        else
            c.dimensions[pair.substr(0, colon)] = num == "1" ? RowDimension::CostCenter : RowDimension::Project;
    }
    for (const auto& code : splitList(s.get("tax_codes"))) c.taxCodes.insert(code);
    c.attachReceipts = s.getBool("attach_receipts");
    c.maxRetryWaitSeconds = intIn(s, "max_retry_wait_seconds", 0, 600, problems);
    c.requestsPerWindow = intIn(s, "requests_per_5_seconds", 0, 25, problems);
    c.timeoutSeconds = intIn(s, "timeout_seconds", 1, 600, problems);
    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::fortnox
