// The Business Central plugin's manifest and settings parsing (see BcSettings.hpp, README.md).
#include "BcSettings.hpp"

#include <cctype>
#include <vector>

namespace ledgerbridge::businesscentral {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// "A:B, C:D" -> {A: B, C: D}; a malformed or repeated pair is a problem of `key`.
std::map<std::string, std::string> pairsOf(const std::string& key, const std::string& text,
                                           sdk::SettingsError::Problems& problems) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = trim(text.substr(start, comma - start));
        start = comma + 1;
        if (item.empty()) continue;
        const auto colon = item.find(':');
        const std::string from = colon == std::string::npos ? "" : trim(item.substr(0, colon));
        const std::string to = colon == std::string::npos ? "" : trim(item.substr(colon + 1));
        if (from.empty() || to.empty() || to.size() > 20) {
            problems.emplace_back(key, "expected PLEO:BC pairs separated by commas (BC codes of at most 20 "
                                       "characters), found '" + item + "'");
            return {};
        }
        if (!out.emplace(from, to).second) {
            problems.emplace_back(key, "'" + from + "' is mapped twice");
            return {};
        }
    }
    return out;
}

/// A URL path segment: letters, digits, '-', '_', '.' only (it goes into every URL unescaped).
bool segment(const std::string& s) {
    if (s.empty() || s.size() > 100) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}
}  // namespace

bool isGuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

std::string BcConfig::apiUrl() const { return baseUrl + "/" + tenantId + "/" + environment + "/api/v2.0"; }

std::string BcConfig::companyUrl() const { return apiUrl() + "/companies(" + companyId + ")"; }

sdk::Manifest bcManifest() {
    sdk::Manifest m;
    m.name = "businesscentral";
    m.version = "0.1.0";
    m.targetSystem = "Microsoft Dynamics 365 Business Central API v2.0";
    m.description = "Posts each Pleo entry as balanced general-journal lines or as a vendor's purchase invoice in "
                    "Business Central (Microsoft.NAV.post), "
                    "dimensions from Pleo tags, VAT through a tax-code mapping, receipts attached; reads accounts, tax "
                    "groups, dimensions, "
                    "dimension values and vendors as master data.";
    m.maturity = sdk::Maturity::Alpha;
    m.capabilities = LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_ATTACHMENTS | LB_CAP_MASTER_DATA;
    using sdk::SettingType;
    m.settings = {
        {"tenant_id", SettingType::String, std::nullopt, false,
         "Microsoft Entra tenant (GUID or primary domain) of the Business Central customer; part of every URL."},
        {"environment", SettingType::String, std::nullopt, false,
         "Business Central environment name, e.g. production or sandbox."},
        {"company_id", SettingType::String, std::nullopt, false, "Company id (GUID, from GET companies)."},
        {"journal_id", SettingType::String, "", false,
         "Id (GUID) of a general journal batch used by ledgerbridge only: posting posts the whole batch. "
         "Required in journal mode."},
        {"local_currency", SettingType::String, std::nullopt, false,
         "The company's local currency (ISO 4217). Journal lines carry no currency in API v2.0: entries in "
         "another currency are rejected."},
        {"tax_codes", SettingType::String, "", false,
         "Pleo tax code -> BC taxCode (VAT product posting group), e.g. S25:VAT25,S12:VAT12. A taxed line with "
         "an unmapped code is rejected (tax_code_unknown)."},
        {"reverse_charge_tax_codes", SettingType::String, "", false,
         "Pleo tax code of reverse-charge lines -> BC taxCode whose VAT posting setup is Reverse Charge VAT."},
        {"dimensions", SettingType::String, "", false,
         "Pleo tag group -> BC dimension code, e.g. PROJECT:PROJECT,DEPT:DEPARTMENT; other groups are not sent."},
        {"mode", SettingType::String, "journal", false,
         "journal: general-journal lines in journal_id, posted. purchase_invoice: a purchase invoice of the "
         "entry's vendor (see vendors, default_vendor), posted; lines net with the mapped tax code."},
        {"vendors", SettingType::String, "", false,
         "purchase_invoice mode: Pleo supplier code -> BC vendor number, e.g. SUP-1:V100. Without a mapping the "
         "supplier's own code is taken as the vendor number (what BC's vendors master data gives it), else "
         "default_vendor."},
        {"default_vendor", SettingType::String, "", false,
         "purchase_invoice mode: BC vendor number for entries whose supplier has no code or mapping; empty: such "
         "entries are rejected (vendor_unknown)."},
        {"batch_writes", SettingType::Bool, "true", false,
         "Journal mode: create an entry's lines in one OData $batch, then its dimension set lines in another, "
         "instead of one POST each (fewer requests against BC's limits)."},
        {"attach_receipts", SettingType::Bool, "true", false,
         "Attach each receipt to the entry's first journal line (an incoming document; posting carries it to "
         "the posted document)."},
        {"base_url", SettingType::String, "https://api.businesscentral.dynamics.com/v2.0", false,
         "Business Central API base URL (before the tenant segment)."},
        {"max_retry_wait_seconds", SettingType::Int, "30", false,
         "Longest Retry-After wait after a 429 (0-300); longer: the entries are retryable later."},
        {"timeout_seconds", SettingType::Int, "60", false, "HTTP timeout per request (1-600)."},
        {"requests_per_window", SettingType::Int, "6000", false,
         "Own pacing: at most this many requests in any request_window_seconds (0-100000; 0: none, only 429 is "
         "honoured). Microsoft's published limit is 6,000 per 5 minutes per user or service principal; lower it "
         "when several connections share one Entra app."},
        {"request_window_seconds", SettingType::Int, "300", false,
         "The sliding window of requests_per_window in seconds (1-3600; BC: 300). Change it only in tests."},
    };
    m.oauth = sdk::OAuthSpec{"https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
                             "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
                             "https://api.businesscentral.dynamics.com/.default offline_access"};
    m.tokenHosts = {"api.businesscentral.dynamics.com"};
    // The books a connection writes to: another environment or company of the same tenant is
    // another target, with its own ledger, state and grant in the host.
    m.targetIdentity = {"tenant_id", "environment", "company_id"};
    return m;
}

BcConfig parseBcConfig(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    BcConfig c;
    c.baseUrl = s.get("base_url");
    while (!c.baseUrl.empty() && c.baseUrl.back() == '/') c.baseUrl.pop_back();
    if (c.baseUrl.rfind("https://", 0) != 0 && c.baseUrl.rfind("http://127.0.0.1", 0) != 0 &&
        c.baseUrl.rfind("http://localhost", 0) != 0)
        problems.emplace_back("base_url", "expected an https:// URL (http only on loopback), got '" + c.baseUrl + "'");
    c.tenantId = s.get("tenant_id");
    if (!segment(c.tenantId)) problems.emplace_back("tenant_id", "expected a GUID or a domain, got '" + c.tenantId + "'");
    c.environment = s.get("environment");
    if (!segment(c.environment))
        problems.emplace_back("environment", "expected an environment name (letters, digits, - _ .), got '" +
                                                 c.environment + "'");
    c.companyId = s.get("company_id");
    if (!isGuid(c.companyId)) problems.emplace_back("company_id", "expected a GUID, got '" + c.companyId + "'");

    c.currency = s.get("local_currency");
    if (c.currency.size() != 3 || !std::isupper(static_cast<unsigned char>(c.currency[0])) ||
        !std::isupper(static_cast<unsigned char>(c.currency[1])) ||
        !std::isupper(static_cast<unsigned char>(c.currency[2])))
        problems.emplace_back("local_currency", "expected an ISO 4217 code like EUR, got '" + c.currency + "'");
    c.taxCodes = pairsOf("tax_codes", s.get("tax_codes"), problems);
    c.reverseTaxCodes = pairsOf("reverse_charge_tax_codes", s.get("reverse_charge_tax_codes"), problems);
    c.dimensions = pairsOf("dimensions", s.get("dimensions"), problems);
    c.attachReceipts = s.getBool("attach_receipts");
    c.batchWrites = s.getBool("batch_writes");
    const std::string mode = s.get("mode");
    c.purchaseInvoices = mode == "purchase_invoice";
    if (mode != "journal" && mode != "purchase_invoice")
        problems.emplace_back("mode", "expected 'journal' or 'purchase_invoice', got '" + mode + "'");
    c.journalId = s.get("journal_id");
    if (!c.purchaseInvoices || !c.journalId.empty())
        if (!isGuid(c.journalId))
            problems.emplace_back("journal_id", "expected a GUID (required in journal mode), got '" + c.journalId + "'");
    c.vendors = pairsOf("vendors", s.get("vendors"), problems);
    c.defaultVendor = trim(s.get("default_vendor"));
    if (c.defaultVendor.size() > 20)
        problems.emplace_back("default_vendor", "a BC vendor number has at most 20 characters, got '" + c.defaultVendor + "'");
    const std::int64_t wait = s.getInt("max_retry_wait_seconds");
    if (wait < 0 || wait > 300) problems.emplace_back("max_retry_wait_seconds", "expected 0-300");
    c.maxRetryWaitMs = wait * 1000;
    const std::int64_t timeout = s.getInt("timeout_seconds");
    if (timeout < 1 || timeout > 600) problems.emplace_back("timeout_seconds", "expected 1-600");
    c.timeoutMs = static_cast<std::uint32_t>(timeout * 1000);
    const std::int64_t perWindow = s.getInt("requests_per_window");
    if (perWindow < 0 || perWindow > 100000) problems.emplace_back("requests_per_window", "expected 0-100000");
    else c.requestsPerWindow = static_cast<std::size_t>(perWindow);
    const std::int64_t window = s.getInt("request_window_seconds");
    if (window < 1 || window > 3600) problems.emplace_back("request_window_seconds", "expected 1-3600");
    else c.requestWindowMs = window * 1000;
    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::businesscentral
