// The CSV plugin's manifest and settings parsing.
#include "CsvSettings.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace ledgerbridge::csv {

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

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}
}  // namespace

sdk::Manifest csvManifest() {
    sdk::Manifest m;
    m.name = "csv";
    m.version = "1.0.0";
    m.targetSystem = "CSV files";
    m.description = "Writes one RFC 4180 CSV file per export job, one row per entry line.";
    m.maturity = sdk::Maturity::Stable;
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_MASTER_DATA;
    using sdk::SettingType;
    m.settings = {
        {"output_dir", SettingType::Path, std::nullopt, false, "Existing directory the CSV files are written to."},
        {"columns", SettingType::String, join(defaultColumns()), false,
         "Comma-separated column list; must include entry_id. Known: " + join(knownColumns()) + "."},
        {"delimiter", SettingType::String, ",", false, "Field delimiter: \",\", \";\" or \"tab\"."},
        {"decimal_separator", SettingType::String, ".", false, "Decimal separator of amounts: \".\" or \",\"."},
        {"tax_codes", SettingType::String, "", false,
         "Comma-separated tax codes the target accepts; entries with others are rejected (empty: any)."},
        {"file_prefix", SettingType::String, "pleo-export-", false, "File name prefix before the export job id."},
        {"tax_account", SettingType::String, "", false,
         "Account written in tax_account: where the VAT within the gross is booked (empty: by tax_code)."},
        {"reverse_charge_input_account", SettingType::String, "", false,
         "Account written in reverse_charge_input_account: deductible self-assessed VAT (e.g. BAS 2645)."},
        {"reverse_charge_output_account", SettingType::String, "", false,
         "Account written in reverse_charge_output_account: self-assessed VAT owed (e.g. BAS 2614)."},
        {"master_data_dir", SettingType::Path, "", false,
         "Directory of accounts.csv, tax_codes.csv, dimensions.csv, dimension_values.csv and suppliers.csv "
         "(master data; a missing file: that kind is not offered; empty: no master data)."},
        sdk::fileModeSetting(),
    };
    return m;
}

CsvConfig parseCsvSettings(const sdk::Settings& s) {
    sdk::SettingsError::Problems problems;
    CsvConfig c;
    c.outputDir = s.get("output_dir");
    std::string modeProblem;
    if (!sdk::parseFileMode(s.get("file_mode"), c.fileMode, modeProblem)) problems.emplace_back("file_mode", modeProblem);
    std::error_code ec;
    if (!std::filesystem::is_directory(c.outputDir, ec))
        problems.emplace_back("output_dir", "not an existing directory: " + c.outputDir);
    c.format.columns = splitList(s.get("columns"));
    for (const auto& col : c.format.columns)
        if (std::find(knownColumns().begin(), knownColumns().end(), col) == knownColumns().end())
            problems.emplace_back("columns", "unknown column '" + col + "'; known: " + join(knownColumns()));
    if (std::find(c.format.columns.begin(), c.format.columns.end(), "entry_id") == c.format.columns.end())
        problems.emplace_back("columns", "must include entry_id (re-push and lookup find entries by it)");
    std::vector<std::string> missing;
    for (const auto& col : requiredColumns())
        if (col != "entry_id" && std::find(c.format.columns.begin(), c.format.columns.end(), col) == c.format.columns.end())
            missing.push_back(col);
    if (!missing.empty())
        problems.emplace_back("columns", "must include " + join(missing) + " (every row must be bookable from the file alone)");
    std::set<std::string> seen;
    for (const auto& col : c.format.columns)
        if (!seen.insert(col).second) problems.emplace_back("columns", "column '" + col + "' is listed twice");
    const std::string delimiter = s.get("delimiter");
    if (delimiter == "," || delimiter == ";") c.format.delimiter = delimiter[0];
    else if (delimiter == "tab") c.format.delimiter = '\t';
    else problems.emplace_back("delimiter", "expected \",\", \";\" or \"tab\", got '" + delimiter + "'");
    const std::string sep = s.get("decimal_separator");
    if (sep == "." || sep == ",") c.format.decimalSeparator = sep[0];
    else problems.emplace_back("decimal_separator", "expected \".\" or \",\", got '" + sep + "'");
    for (const auto& code : splitList(s.get("tax_codes"))) c.taxCodes.insert(code);
    c.filePrefix = s.get("file_prefix");
    c.format.taxAccount = s.get("tax_account");
    c.format.reverseChargeInputAccount = s.get("reverse_charge_input_account");
    c.format.reverseChargeOutputAccount = s.get("reverse_charge_output_account");
    if (c.filePrefix.find('/') != std::string::npos)
        problems.emplace_back("file_prefix", "must not contain '/', got '" + c.filePrefix + "'");
    c.masterDataDir = s.get("master_data_dir");
    if (!c.masterDataDir.empty() && !std::filesystem::is_directory(c.masterDataDir, ec))
        problems.emplace_back("master_data_dir", "not an existing directory: " + c.masterDataDir);
    if (!problems.empty()) throw sdk::SettingsError(std::move(problems));
    return c;
}

}  // namespace ledgerbridge::csv
