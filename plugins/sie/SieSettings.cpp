// The SIE plugin's manifest and settings parsing.
#include "SieSettings.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <algorithm>
#include <filesystem>

namespace ledgerbridge::sie {

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

bool isAccount(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

bool isDate(const std::string& s) {
    if (s.size() != 8) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    const int month = std::stoi(s.substr(4, 2)), day = std::stoi(s.substr(6, 2));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
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

sdk::Manifest sieManifest() {
    sdk::Manifest m;
    m.name = "sie";
    m.version = "1.0.0";
    m.targetSystem = "SIE 4 import file (type 4I)";
    m.description = "Writes one SIE 4I file per export job (PC8/CP437), one #VER per entry, with #KSUMMA.";
    m.maturity = sdk::Maturity::Alpha;
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_MASTER_DATA;
    using sdk::SettingType;
    m.settings = {
        {"output_dir", SettingType::Path, std::nullopt, false, "Existing directory the .se files are written to."},
        sdk::fileModeSetting(),
        {"file_prefix", SettingType::String, "pleo-", false, "File name prefix before the export job id."},
        {"company_name", SettingType::String, std::nullopt, false, "#FNAMN: the company's name."},
        {"org_nr", SettingType::String, std::nullopt, false, "#ORGNR: organisationsnummer, e.g. 556677-8899."},
        {"fiscal_year_start", SettingType::String, std::nullopt, false, "#RAR 0 start, YYYYMMDD."},
        {"fiscal_year_end", SettingType::String, std::nullopt, false, "#RAR 0 end, YYYYMMDD."},
        {"kptyp", SettingType::String, "", false, "#KPTYP chart type (e.g. BAS2014); empty = not written."},
        {"currency", SettingType::String, "SEK", false, "#VALUTA; entries in other wallet currencies are rejected."},
        {"series", SettingType::String, "A", false, "Verification series of every #VER."},
        {"input_vat_account", SettingType::String, "2640", false, "Account of the VAT rows (ingående moms, BAS 2640)."},
        {"reverse_charge_input_vat_account", SettingType::String, "2645", false,
         "Reverse charge: account of the self-assessed input VAT (BAS 2645, beräknad ingående moms)."},
        {"reverse_charge_output_vat_account", SettingType::String, "2614", false,
         "Reverse charge: account of the self-assessed output VAT (BAS 2614, utgående moms omvänd "
         "skattskyldighet 25 %), for every rate not in reverse_charge_output_vat_by_rate."},
        {"reverse_charge_output_vat_by_rate", SettingType::String, "", false,
         "Reverse charge: output VAT account per tax rate in percent, e.g. 25:2614,12:2624,6:2634."},
        {"dimensions", SettingType::String, "", false,
         "Pleo tag group -> SIE dimension number, e.g. COSTCENTRE:1,PROJECT:6."},
        {"tax_codes", SettingType::String, "", false, "Known tax codes; others are rejected (empty: any)."},
        {"checksum", SettingType::Bool, "true", false, "Write #KSUMMA (CRC-32) records."},
        {"master_data_file", SettingType::Path, "", false,
         "SIE 4 file exported by the bookkeeping program: accounts, dimensions and objects are read from it "
         "(empty: no master data)."},
    };
    return m;
}

SieConfig parseSieSettings(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    SieConfig c;
    c.outputDir = s.get("output_dir");
    std::string modeProblem;
    if (!sdk::parseFileMode(s.get("file_mode"), c.fileMode, modeProblem)) problems.emplace_back("file_mode", modeProblem);
    std::error_code ec;
    if (!std::filesystem::is_directory(c.outputDir, ec))
        problems.emplace_back("output_dir", "not an existing directory: " + c.outputDir);
    c.filePrefix = s.get("file_prefix");
    if (c.filePrefix.find('/') != std::string::npos) problems.emplace_back("file_prefix", "must not contain '/'");
    c.companyName = s.get("company_name");
    c.orgNr = s.get("org_nr");
    if (c.orgNr.empty() || c.orgNr.find_first_not_of("0123456789-") != std::string::npos)
        problems.emplace_back("org_nr", "expected digits and '-', e.g. 556677-8899");
    c.yearStart = s.get("fiscal_year_start");
    c.yearEnd = s.get("fiscal_year_end");
    if (!isDate(c.yearStart)) problems.emplace_back("fiscal_year_start", "expected YYYYMMDD, got '" + c.yearStart + "'");
    if (!isDate(c.yearEnd) || c.yearEnd < c.yearStart)
        problems.emplace_back("fiscal_year_end", "expected YYYYMMDD after the start, got '" + c.yearEnd + "'");
    c.kptyp = s.get("kptyp");
    if (c.kptyp.find_first_of(" \"{}") != std::string::npos) problems.emplace_back("kptyp", "must be one word");
    c.currency = s.get("currency");
    if (c.currency.size() != 3) problems.emplace_back("currency", "expected an ISO 4217 code such as SEK");
    c.series = s.get("series");
    auto account = [&](const char* key) {
        const std::string value = s.get(key);
        if (!isAccount(value)) problems.emplace_back(key, "expected an account number (digits), got '" + value + "'");
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
            problems.emplace_back("reverse_charge_output_vat_by_rate", "expected RATE:ACCOUNT such as 25:2614, got '" + pair + "'");
        else
            c.reverseOutputVatByRate[rate] = acc;
    }
    for (const auto& pair : splitList(s.get("dimensions"))) {
        const auto colon = pair.find(':');
        const std::string num = colon == std::string::npos ? "" : pair.substr(colon + 1);
        if (colon == 0 || num.empty() || num.size() > 4 || num.find_first_not_of("0123456789") != std::string::npos)
            problems.emplace_back("dimensions", "expected TAGGROUP:NUMBER, got '" + pair + "'");
        else
            c.dimensions[pair.substr(0, colon)] = std::stoi(num);
    }
    for (const auto& code : splitList(s.get("tax_codes"))) c.taxCodes.insert(code);
    c.checksum = s.getBool("checksum");
    c.masterDataFile = s.get("master_data_file");
    if (!c.masterDataFile.empty() && !std::filesystem::is_regular_file(c.masterDataFile, ec))
        problems.emplace_back("master_data_file", "not an existing file: " + c.masterDataFile);
    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::sie
