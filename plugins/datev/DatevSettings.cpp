// The DATEV plugin's manifest and settings parsing.
#include "DatevSettings.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <filesystem>

namespace ledgerbridge::datev {

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

bool digitsOnly(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
}  // namespace

sdk::Manifest datevManifest() {
    sdk::Manifest m;
    m.name = "datev";
    m.version = "1.0.0";
    m.targetSystem = "DATEV (EXTF Buchungsstapel, Formatversion 13)";
    m.description = "Writes one DATEV Buchungsstapel file per export job and month, Windows-1252, one booking per line.";
    m.maturity = sdk::Maturity::Alpha;
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_MASTER_DATA;
    using sdk::SettingType;
    m.settings = {
        {"output_dir", SettingType::Path, std::nullopt, false, "Existing directory the EXTF files are written to."},
        sdk::fileModeSetting(),
        {"beraternummer", SettingType::Int, std::nullopt, false, "DATEV Beraternummer (1001..9999999)."},
        {"mandantennummer", SettingType::Int, std::nullopt, false, "DATEV Mandantennummer (1..99999)."},
        {"wj_beginn", SettingType::String, "0101", false, "Start of the fiscal year as MMDD; DD must be 01."},
        {"sachkontenlaenge", SettingType::Int, "4", false, "Length of G/L account numbers (4..8)."},
        {"skr", SettingType::String, "03", false, "Chart of accounts: 03, 04 or empty."},
        {"bezeichnung", SettingType::String, "Pleo", false, "Batch description (header field 17, <= 30 characters)."},
        {"wkz", SettingType::String, "EUR", false, "The Mandant's base currency; entries in others are rejected."},
        {"bu_keys", SettingType::String, "", false,
         "Pleo tax code -> BU-Schlüssel, e.g. I19:9,I7:8,Z0: (empty key allowed); unmapped codes are rejected."},
        {"automatic_vat_accounts", SettingType::String, "", false,
         "Comma-separated Automatikkonten: their rows get no BU-Schlüssel."},
        {"kost1_tag_group", SettingType::String, "", false, "Pleo tag group whose code goes to KOST1."},
        {"kost2_tag_group", SettingType::String, "", false, "Pleo tag group whose code goes to KOST2."},
        {"kontenbeschriftungen_file", SettingType::Path, "", false,
         "DATEV export of the Kontenbeschriftungen (EXTF, Datenkategorie 20): master data accounts (empty: none)."},
        {"debitoren_kreditoren_file", SettingType::Path, "", false,
         "DATEV export of the Debitoren/Kreditoren (EXTF, Datenkategorie 16): master data suppliers, the "
         "Kreditoren (empty: none)."},
        {"kontenbeschriftungen_language", SettingType::String, "de-DE", false,
         "Sprach-ID of the Kontenbeschriftungen read (rows in other languages are not read)."},
    };
    return m;
}

DatevConfig parseDatevSettings(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    DatevConfig c;
    c.outputDir = s.get("output_dir");
    std::string modeProblem;
    if (!sdk::parseFileMode(s.get("file_mode"), c.fileMode, modeProblem)) problems.emplace_back("file_mode", modeProblem);
    std::error_code ec;
    if (!std::filesystem::is_directory(c.outputDir, ec))
        problems.emplace_back("output_dir", "not an existing directory: " + c.outputDir);
    c.beraternummer = s.getInt("beraternummer");
    if (c.beraternummer < 1001 || c.beraternummer > 9999999)
        problems.emplace_back("beraternummer", "must be 1001..9999999");
    c.mandantennummer = s.getInt("mandantennummer");
    if (c.mandantennummer < 1 || c.mandantennummer > 99999)
        problems.emplace_back("mandantennummer", "must be 1..99999");
    const std::string wj = s.get("wj_beginn");
    if (wj.size() != 4 || !digitsOnly(wj) || wj.substr(2) != "01" || std::stoi(wj.substr(0, 2)) < 1 ||
        std::stoi(wj.substr(0, 2)) > 12)
        problems.emplace_back("wj_beginn", "expected MM01 (e.g. 0101), got '" + wj + "'");
    else
        c.fiscalYearStartMonth = std::stoi(wj.substr(0, 2));
    const auto len = s.getInt("sachkontenlaenge");
    if (len < 4 || len > 8) problems.emplace_back("sachkontenlaenge", "must be 4..8");
    c.sachkontenlaenge = static_cast<int>(len);
    c.skr = s.get("skr");
    if (!c.skr.empty() && c.skr != "03" && c.skr != "04") problems.emplace_back("skr", "expected 03, 04 or empty");
    c.bezeichnung = s.get("bezeichnung");
    c.wkz = s.get("wkz");
    if (c.wkz.size() != 3) problems.emplace_back("wkz", "expected an ISO 4217 code such as EUR");
    for (const auto& pair : splitList(s.get("bu_keys"))) {
        const auto colon = pair.find(':');
        const std::string key = colon == std::string::npos ? "" : pair.substr(colon + 1);
        if (colon == std::string::npos || colon == 0 || (!key.empty() && (!digitsOnly(key) || key.size() > 4)))
            problems.emplace_back("bu_keys", "expected TAXCODE:KEY with a numeric key of up to 4 digits, got '" + pair + "'");
        else
            c.buKeys[pair.substr(0, colon)] = key;
    }
    for (const auto& account : splitList(s.get("automatic_vat_accounts"))) c.automaticVatAccounts.insert(account);
    c.kost1Group = s.get("kost1_tag_group");
    c.kost2Group = s.get("kost2_tag_group");
    for (auto [key, file] : {std::pair{"kontenbeschriftungen_file", &c.kontenbeschriftungenFile},
                             std::pair{"debitoren_kreditoren_file", &c.debitorenKreditorenFile}}) {
        *file = s.get(key);
        if (!file->empty() && !std::filesystem::is_regular_file(*file, ec))
            problems.emplace_back(key, "not an existing file: " + *file);
    }
    c.kontenbeschriftungenLanguage = s.get("kontenbeschriftungen_language");
    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::datev
