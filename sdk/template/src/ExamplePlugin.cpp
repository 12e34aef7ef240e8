// The example plugin's operations.
#include "ExamplePlugin.hpp"

#include <ledgerbridge/validation.hpp>

namespace example {

namespace sdk = ledgerbridge::sdk;

sdk::Manifest ExamplePlugin::manifest() {
    sdk::Manifest m;
    m.name = "example";
    m.version = "0.1.0";
    m.targetSystem = "Example ledger (host key-value state)";
    m.description = "Template plugin: remembers posted entries in the host's state.";
    m.maturity = sdk::Maturity::Alpha;
    m.capabilities = LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN;
    m.settings = {
        {"ledger", sdk::SettingType::String, std::nullopt, false, "Name of the ledger to post into."},
        {"tax_codes", sdk::SettingType::String, "S25,Z0", false, "Comma-separated tax codes the ledger knows."},
    };
    return m;
}

void ExamplePlugin::configure(const sdk::Settings& settings) {
    ledger_ = settings.get("ledger");
    if (ledger_.empty()) throw sdk::SettingsError("ledger", "must not be empty");
    taxCodes_.clear();
    std::string code;
    for (char c : settings.get("tax_codes") + ",") {
        if (c != ',') code += c;
        else if (!code.empty()) taxCodes_.insert(code), code.clear();
    }
}

void ExamplePlugin::check() { host().info("ledger " + ledger_ + " is reachable"); }

std::vector<sdk::Document> ExamplePlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (sdk::validateEntry(batch[i], taxCodes_)) continue;
        docs.push_back(sdk::Document{i, "post to ledger " + ledger_, "text/plain",
                                     batch[i].accountingEntryId + " " +
                                         sdk::formatDecimal(batch[i].totalWallet.minor, batch[i].totalWallet.exponent) +
                                         " " + batch[i].totalWallet.currency});
    }
    return docs;
}

sdk::Outcome ExamplePlugin::pushOne(const sdk::Entry& entry) {
    if (auto rejected = sdk::validateEntry(entry, taxCodes_)) return *rejected;
    const std::string key = ledger_ + "/" + entry.idempotencyKey;
    if (auto existing = host().kvGet(key)) return sdk::Outcome::posted(*existing);
    const std::string id = "EX-" + entry.accountingEntryId;
    host().kvPut(key, id);
    return sdk::Outcome::posted(id);
}

sdk::Outcome ExamplePlugin::lookup(const sdk::Entry& entry) {
    if (auto existing = host().kvGet(ledger_ + "/" + entry.idempotencyKey)) return sdk::Outcome::posted(*existing);
    return sdk::Outcome::absent();
}

}  // namespace example
