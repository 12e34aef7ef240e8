// The example plugin's operations.
#include "ExamplePlugin.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <ledgerbridge/validation.hpp>

#include "LedgerFile.hpp"

namespace example {

namespace sdk = ledgerbridge::sdk;

sdk::Manifest ExamplePlugin::manifest() {
    sdk::Manifest m;
    m.name = "example";
    m.version = "0.2.0";
    m.targetSystem = "Example ledger file";
    m.description = "Template plugin: books entries into a ledger file in a directory.";
    m.maturity = sdk::Maturity::Alpha;
    // LB_CAP_MASTER_DATA is optional: drop it (and readMasterData) if your target has no chart to read.
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_MASTER_DATA;
    m.settings = {
        {"output_dir", sdk::SettingType::Path, std::nullopt, false, "Directory of example-ledger.tsv."},
        {"tax_codes", sdk::SettingType::String, "S25,S12,Z0", false, "Comma-separated tax codes the ledger knows."},
        {"input_vat_account", sdk::SettingType::String, "2640", false, "Account of deductible input VAT."},
        {"output_vat_account", sdk::SettingType::String, "2614", false,
         "Account of output VAT self-assessed on reverse-charge purchases."},
        {"chart_file", sdk::SettingType::String, "", false,
         "Chart of accounts (tab-separated: id, code, name, type, archived 0/1; a header line first). "
         "Empty: the plugin reads no master data."},
    };
    return m;
}

void ExamplePlugin::configure(const sdk::Settings& settings) {
    outputDir_ = settings.get("output_dir");
    struct stat st {};
    if (::stat(outputDir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw sdk::SettingsError("output_dir", "not an existing directory: " + outputDir_);
    taxCodes_.clear();
    std::string code;
    for (char c : settings.get("tax_codes") + ",") {
        if (c != ',') code += c;
        else if (!code.empty()) taxCodes_.insert(code), code.clear();
    }
    inputVat_ = settings.get("input_vat_account");
    outputVat_ = settings.get("output_vat_account");
    if (inputVat_.empty()) throw sdk::SettingsError("input_vat_account", "must not be empty");
    if (outputVat_.empty()) throw sdk::SettingsError("output_vat_account", "must not be empty");
    chartFile_ = settings.get("chart_file");
    if (!chartFile_.empty() && ::access(chartFile_.c_str(), R_OK) != 0)
        throw sdk::SettingsError("chart_file", "cannot read " + chartFile_);
}

void ExamplePlugin::check() {
    if (::access(outputDir_.c_str(), W_OK) != 0)
        throw sdk::Error(LB_ERR_TARGET, "cannot write to " + outputDir_);
}

std::string ExamplePlugin::ledgerPath() const { return outputDir_ + "/example-ledger.tsv"; }

std::variant<sdk::Outcome, std::string> ExamplePlugin::prepare(const sdk::Entry& e) const {
    if (auto rejected = sdk::validateEntry(e, taxCodes_)) return *rejected;
    if (e.contraAccountCode.empty())
        return sdk::Outcome::rejected("missing_configuration", "entry " + e.accountingEntryId + " has no contra account");
    for (const std::string* field : {&e.accountingEntryId, &e.idempotencyKey, &e.contraAccountCode})
        if (field->find_first_of("\t\r\n=;") != std::string::npos)
            return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId +
                                                                    ": a tab, line break, '=' or ';' in an id or account");
    // Debit each line's net to its account and its tax to input VAT; a reverse-charge line's tax
    // is self-assessed, so it is also credited to output VAT. The contra account takes the total.
    std::string postings;
    std::int64_t sum = 0;
    bool overflow = false, unstorable = false;
    auto post = [&](const std::string& account, std::int64_t minor) {
        unstorable = unstorable || account.find_first_of("\t\r\n=;") != std::string::npos;
        postings += (postings.empty() ? "" : ";") + account + "=" + std::to_string(minor);
        overflow = overflow || __builtin_add_overflow(sum, minor, &sum);
    };
    for (const sdk::Line& l : e.lines) {
        post(l.accountCode, l.netAmount.minor);
        if (l.taxAmount.minor == 0) continue;
        post(inputVat_, l.taxAmount.minor);
        if (l.taxType == "reverse") post(outputVat_, -l.taxAmount.minor);
    }
    post(e.contraAccountCode, -e.totalWallet.minor);
    if (unstorable)
        return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId +
                                                                ": an account code holds a tab, line break, '=' or ';'");
    // Checked just before writing: a mapping defect costs one rejected entry, never a wrong ledger.
    if (overflow || sum != 0)
        return sdk::Outcome::rejected("validation_failure", "entry " + e.accountingEntryId +
                                                                " would not balance: postings sum to " +
                                                                std::to_string(sum) + " minor units (" + postings + ")");
    return e.accountingEntryId + "\t" + e.idempotencyKey + "\tEX-" + e.accountingEntryId + "\t" +
           e.totalWallet.currency + "\t" + std::to_string(e.totalWallet.exponent) + "\t" + postings;
}

void ExamplePlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto prepared = prepare(batch[i]);
        if (auto* rejected = std::get_if<sdk::Outcome>(&prepared)) sink.reject(i, *rejected);
        else sink.document({i, "append to " + ledgerPath(), "text/tab-separated-values", std::get<std::string>(prepared)});
    }
}

sdk::Outcome ExamplePlugin::pushOne(const sdk::Entry& entry) {
    // Found by the accounting entry id in the target itself: a re-push, a restart with an empty
    // state directory and the same entry under a new idempotency key all find the first document.
    if (auto existing = findDocument(ledgerPath(), entry.accountingEntryId)) return sdk::Outcome::posted(*existing);
    auto prepared = prepare(entry);
    if (auto* rejected = std::get_if<sdk::Outcome>(&prepared)) return *rejected;
    try {
        appendDocument(ledgerPath(), std::get<std::string>(prepared));
    } catch (const std::exception& e) {
        // The line may or may not be on disk: the host looks it up before trying again.
        return sdk::Outcome::unknown(e.what());
    }
    return sdk::Outcome::posted("EX-" + entry.accountingEntryId);
}

sdk::Outcome ExamplePlugin::lookup(const sdk::Entry& entry) {
    if (auto existing = findDocument(ledgerPath(), entry.accountingEntryId)) return sdk::Outcome::posted(*existing);
    return sdk::Outcome::absent();
}

// Master data (optional). The rules: read, never write; ids the target's own and stable; archived
// records returned with archived = true, not left out; a kind you do not have is
// LB_ERR_UNSUPPORTED (an empty page would make the host archive Pleo's records of that kind),
// while a chart with no accounts is an empty page. The cursor is yours: here the offset of the
// next record, as text; the host hands it back verbatim and may ask for the same page again.
sdk::MasterDataPage ExamplePlugin::readMasterData(const sdk::MasterDataRequest& request) {
    if (request.kind != sdk::MasterKind::Account || chartFile_.empty())
        throw sdk::Error(LB_ERR_UNSUPPORTED, "the example ledger has no " + sdk::masterKindName(request.kind) +
                                                 " master data" + (chartFile_.empty() ? " (no chart_file)" : ""));
    std::ifstream in(chartFile_);
    if (!in) throw sdk::Error(LB_ERR_TARGET, "cannot read " + chartFile_);
    std::vector<sdk::MasterRecord> accounts;
    std::string line;
    std::getline(in, line);  // the header
    for (int number = 2; std::getline(in, line); ++number) {
        std::vector<std::string> f;
        std::stringstream cells(line);
        for (std::string cell; std::getline(cells, cell, '\t');) f.push_back(cell);
        if (f.size() != 5 || f[0].empty() || f[2].empty() || (f[4] != "0" && f[4] != "1"))
            throw sdk::Error(LB_ERR_TARGET, chartFile_ + ":" + std::to_string(number) +
                                                ": expected id, code, name, type, archived (0/1) separated by tabs");
        sdk::MasterRecord a;
        a.kind = sdk::MasterKind::Account;
        a.id = f[0];
        a.code = f[1];
        a.name = f[2];
        a.type = f[3];
        a.archived = f[4] == "1";
        accounts.push_back(a);
    }
    if (request.cursor.size() > 9 || request.cursor.find_first_not_of("0123456789") != std::string::npos)
        throw sdk::Error(LB_ERR_INVALID_ARGUMENT, "cursor '" + request.cursor + "' is not one this plugin gave");
    const std::size_t from = request.cursor.empty() ? 0 : std::stoul(request.cursor);
    const std::size_t size = request.pageSize == 0 ? 1 : request.pageSize;
    sdk::MasterDataPage page;
    for (std::size_t n = from; n < accounts.size() && n < from + size; ++n) page.records.push_back(accounts[n]);
    if (from + size < accounts.size()) page.nextCursor = std::to_string(from + size);  // empty: the last page
    return page;
}

}  // namespace example
