// The Xero plugin's manifest and settings parsing.
#include "XeroSettings.hpp"

#include <cctype>
#include <utility>
#include <vector>

namespace ledgerbridge::xero {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c == ',') {
            if (!trim(item).empty()) out.push_back(trim(item));
            item.clear();
        } else {
            item += c;
        }
    }
    return out;
}

/// "A:B,C:D" -> {A: B, C: D}; adds a problem for `key` when a pair is malformed.
std::map<std::string, std::string> parsePairs(const std::string& key, const std::string& text,
                                              sdk::SettingsError::Problems& problems) {
    std::map<std::string, std::string> out;
    for (const std::string& item : splitList(text)) {
        const auto colon = item.find(':');
        const std::string from = colon == std::string::npos ? "" : trim(item.substr(0, colon));
        const std::string to = colon == std::string::npos ? "" : trim(item.substr(colon + 1));
        if (from.empty() || to.empty()) {
            problems.emplace_back(key, "expected PLEO:XERO pairs separated by commas, found '" + item + "'");
            return {};
        }
        if (!out.emplace(from, to).second) {
            problems.emplace_back(key, "'" + from + "' is mapped twice");
            return {};
        }
    }
    return out;
}

bool oneOf(const std::string& v, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed)
        if (v == a) return true;
    return false;
}

/// No control characters (the value goes into JSON or a header).
bool printable(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}
}  // namespace

bool isGuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

sdk::Manifest xeroManifest() {
    sdk::Manifest m;
    m.name = "xero";
    m.version = "1.0.0";
    m.targetSystem = "Xero Accounting API 2.0";
    m.description = "Posts Pleo card expenses as SPEND bank transactions and reimbursable expenses as ACCPAY bills "
                    "(or manual journals) in Xero, with receipts attached; reads Xero's accounts, tax rates, tracking "
                    "categories and supplier contacts as master data.";
    m.maturity = sdk::Maturity::Alpha;
    // Master data: every kind; changed_since narrows accounts and contacts (If-Modified-Since),
    // tax rates and tracking come back whole (Xero cannot filter them): a superset is safe for a
    // host that diffs. README.md, "Master data", says per kind.
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_ATTACHMENTS | LB_CAP_MASTER_DATA |
                     LB_CAP_MASTER_DATA_CHANGED_SINCE;
    using sdk::SettingType;
    m.settings = {
        {"tenant_id", SettingType::String, std::nullopt, false,
         "Xero organisation (tenant) id, a GUID from the connections endpoint; sent as xero-tenant-id."},
        {"bank_account_code", SettingType::String, std::nullopt, false,
         "Code of the Xero bank account card expenses are spent from (the Pleo card clearing account)."},
        {"base_url", SettingType::String, "https://api.xero.com/api.xro/2.0", false, "Xero Accounting API base URL."},
        {"reimbursable_mode", SettingType::String, "bill", false,
         "bill: reimbursable expenses become ACCPAY bills to the employee; journal: manual journals."},
        {"reimbursable_types", SettingType::String, "out_of_pocket,mileage,per_diem", false,
         "Pleo entry types the employee paid (everything else is a card expense)."},
        {"tax_types", SettingType::String, "", false,
         "Pleo tax code -> Xero TaxType, e.g. S25:INPUT2,Z0:ZERORATEDINPUT; others are rejected. "
         "Empty: Pleo's tax codes are Xero TaxTypes already."},
        {"no_tax_type", SettingType::String, "NONE", false, "Xero TaxType of lines without a tax code."},
        {"region", SettingType::String, "GLOBAL", false,
         "The Xero organisation's tax region: UK, AU, NZ, US or GLOBAL. Decides the TaxType of reverse-charge "
         "lines not in reverse_charge_tax_types (UK: REVERSECHARGES; the others have none: map them)."},
        {"reverse_charge_tax_types", SettingType::String, "", false,
         "Pleo tax code of reverse-charge lines -> Xero TaxType, e.g. RC25:REVERSECHARGES,EU25:ECACQUISITIONS,"
         "DRC20:DRCHARGE20 (or a custom rate TAX003 whose tax type is a reverse charge)."},
        {"tracking_categories", SettingType::String, "", false,
         "Pleo tag group -> Xero tracking category name, e.g. PROJECT:Project,DEPT:Region; tags of other groups "
         "are not sent. Empty: the tag group code is the category name."},
        {"tracking_option", SettingType::String, "name", false, "Tracking option from the tag's name or code."},
        {"line_amount_types", SettingType::String, "Inclusive", false,
         "Inclusive (line amounts are gross) or Exclusive (net, tax on top)."},
        {"bill_status", SettingType::String, "AUTHORISED", false, "Status of new bills: DRAFT, SUBMITTED or AUTHORISED."},
        {"bill_due_days", SettingType::Int, "0", false, "Bill due date = expense date + this many days (0-365)."},
        {"journal_status", SettingType::String, "POSTED", false, "Status of new manual journals: DRAFT or POSTED."},
        {"payable_account_code", SettingType::String, "", false,
         "Journal mode: the employee payable account credited when an entry carries no contra account."},
        {"fallback_contact_name", SettingType::String, "Pleo", false,
         "Contact of a card expense without a merchant name."},
        {"batch_size", SettingType::Int, "50", false, "Documents per create call (1-50; Xero allows 50)."},
        {"attach_receipts", SettingType::Bool, "true", false, "Upload the receipts as attachments."},
        {"lookup_before_create", SettingType::Bool, "true", false,
         "Look documents up by the Pleo entry id before creating them (one GET per 25 entries), so nothing is "
         "ever created twice, even after the state directory was lost. Must be true (false is refused)."},
        {"max_retry_wait_seconds", SettingType::Int, "60", false,
         "Longest Retry-After waited for inside one push (0-600); longer waits end the push as retryable."},
        {"timeout_seconds", SettingType::Int, "60", false, "Timeout of one request (1-600)."},
        {"short_code", SettingType::String, "", false,
         "Xero organisation short code (e.g. !k3Xyz) for deep links that open the right organisation."},
    };
    m.oauth = sdk::OAuthSpec{"https://login.xero.com/identity/connect/authorize",
                             "https://identity.xero.com/connect/token",
                             "offline_access accounting.banktransactions accounting.invoices accounting.manualjournals "
                             "accounting.attachments accounting.contacts accounting.settings.read"};
    // The Accounting API and GET /connections: the only host the host sends Xero's token to.
    m.tokenHosts = {"api.xero.com"};
    return m;
}

std::string reverseChargeTaxType(const XeroConfig& c, const std::string& taxCode) {
    if (const auto it = c.reverseChargeTaxTypes.find(taxCode); it != c.reverseChargeTaxTypes.end()) return it->second;
    // Xero UK: "Reverse Charges" puts the purchase in boxes 1 and 4 (output and reclaimed VAT)
    // at an effective rate of 0 %. AU, NZ and US organisations have no reverse-charge tax type,
    // and GLOBAL ones only custom rates: those need an explicit mapping.
    if (c.region == "UK") return "REVERSECHARGES";
    return {};
}

XeroConfig parseXeroSettings(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    XeroConfig c;
    c.tenantId = s.get("tenant_id");
    if (!isGuid(c.tenantId)) problems.emplace_back("tenant_id", "expected a GUID such as 4f9a5c2e-0000-4000-8000-1b2c3d4e5f60");
    c.bankAccountCode = s.get("bank_account_code");
    if (c.bankAccountCode.empty() || c.bankAccountCode.size() > 10 || !printable(c.bankAccountCode))
        problems.emplace_back("bank_account_code", "expected a Xero account code of 1-10 characters");
    c.baseUrl = s.get("base_url");
    while (!c.baseUrl.empty() && c.baseUrl.back() == '/') c.baseUrl.pop_back();
    if ((c.baseUrl.rfind("https://", 0) != 0 && c.baseUrl.rfind("http://", 0) != 0) || !printable(c.baseUrl) ||
        c.baseUrl.find_first_of(" ?#") != std::string::npos)
        problems.emplace_back("base_url", "expected an http(s):// URL without query, e.g. https://api.xero.com/api.xro/2.0");

    const std::string mode = s.get("reimbursable_mode");
    if (mode == "bill") c.reimbursableMode = ReimbursableMode::Bill;
    else if (mode == "journal") c.reimbursableMode = ReimbursableMode::Journal;
    else problems.emplace_back("reimbursable_mode", "expected bill or journal, got '" + mode + "'");
    for (const std::string& t : splitList(s.get("reimbursable_types"))) c.reimbursableTypes.insert(t);

    c.taxTypes = parsePairs("tax_types", s.get("tax_types"), problems);
    c.noTaxType = s.get("no_tax_type");
    if (c.noTaxType.empty() || !printable(c.noTaxType)) problems.emplace_back("no_tax_type", "expected a Xero TaxType");
    c.region = s.get("region");
    if (!oneOf(c.region, {"UK", "AU", "NZ", "US", "GLOBAL"}))
        problems.emplace_back("region", "expected UK, AU, NZ, US or GLOBAL, got '" + c.region + "'");
    c.reverseChargeTaxTypes = parsePairs("reverse_charge_tax_types", s.get("reverse_charge_tax_types"), problems);
    for (const auto& [code, type] : c.reverseChargeTaxTypes)
        if (!printable(type) || type.size() > 50)
            problems.emplace_back("reverse_charge_tax_types", "'" + type + "' is not a Xero TaxType");
    c.trackingNames = parsePairs("tracking_categories", s.get("tracking_categories"), problems);
    for (const auto& [group, name] : c.trackingNames)
        if (name.size() > 100) problems.emplace_back("tracking_categories", "Xero category names have at most 100 characters: " + name);
    const std::string option = s.get("tracking_option");
    if (!oneOf(option, {"name", "code"})) problems.emplace_back("tracking_option", "expected name or code, got '" + option + "'");
    c.trackingOptionFromCode = option == "code";
    const std::string amounts = s.get("line_amount_types");
    if (!oneOf(amounts, {"Inclusive", "Exclusive"}))
        problems.emplace_back("line_amount_types", "expected Inclusive or Exclusive, got '" + amounts + "'");
    c.exclusive = amounts == "Exclusive";

    c.billStatus = s.get("bill_status");
    if (!oneOf(c.billStatus, {"DRAFT", "SUBMITTED", "AUTHORISED"}))
        problems.emplace_back("bill_status", "expected DRAFT, SUBMITTED or AUTHORISED, got '" + c.billStatus + "'");
    const std::int64_t due = s.getInt("bill_due_days");
    if (due < 0 || due > 365) problems.emplace_back("bill_due_days", "expected 0-365 days");
    else c.billDueDays = static_cast<int>(due);
    c.journalStatus = s.get("journal_status");
    if (!oneOf(c.journalStatus, {"DRAFT", "POSTED"}))
        problems.emplace_back("journal_status", "expected DRAFT or POSTED, got '" + c.journalStatus + "'");
    c.payableAccountCode = s.get("payable_account_code");
    if (c.payableAccountCode.size() > 10 || !printable(c.payableAccountCode))
        problems.emplace_back("payable_account_code", "expected a Xero account code of at most 10 characters");
    c.fallbackContactName = s.get("fallback_contact_name");
    if (c.fallbackContactName.empty() || c.fallbackContactName.size() > 255 || !printable(c.fallbackContactName))
        problems.emplace_back("fallback_contact_name", "expected a contact name of 1-255 characters");

    const std::int64_t batch = s.getInt("batch_size");
    if (batch < 1 || batch > 50) problems.emplace_back("batch_size", "expected 1-50 (Xero accepts at most 50 per call)");
    else c.batchSize = static_cast<std::size_t>(batch);
    c.attachReceipts = s.getBool("attach_receipts");
    c.lookupBeforeCreate = s.getBool("lookup_before_create");
    if (!c.lookupBeforeCreate)
        problems.emplace_back("lookup_before_create",
                              "can no longer be false: finding documents by the Pleo entry id before creating is what "
                              "keeps a restart with an empty state directory, or an entry with a new idempotency "
                              "key, from creating a second document");
    const std::int64_t wait = s.getInt("max_retry_wait_seconds");
    if (wait < 0 || wait > 600) problems.emplace_back("max_retry_wait_seconds", "expected 0-600 seconds");
    else c.maxRetryWaitMs = wait * 1000;
    const std::int64_t timeout = s.getInt("timeout_seconds");
    if (timeout < 1 || timeout > 600) problems.emplace_back("timeout_seconds", "expected 1-600 seconds");
    else c.timeoutMs = static_cast<std::uint32_t>(timeout * 1000);
    c.shortCode = s.get("short_code");
    if (c.shortCode.size() > 20 || c.shortCode.find_first_not_of("!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                 "0123456789") != std::string::npos)
        problems.emplace_back("short_code", "expected Xero's organisation short code, e.g. !k3Xyz");

    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::xero
