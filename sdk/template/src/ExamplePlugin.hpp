// The example plugin: a stand-in target system, a ledger file in a directory (one line per
// document, see LedgerFile.hpp). Shows the whole contract: manifest, settings, check, a dry run
// that rejects what push rejects (one code path, prepare()), push that finds what it already
// wrote by the accounting entry id — in the target, not in host state, so a restart with an
// empty state directory or a new idempotency key never writes an entry twice — a balance check
// just before writing, and lookup. Optionally, master data: the accounts of a chart file.
#pragma once

#include <set>
#include <string>
#include <variant>
#include <vector>

#include <ledgerbridge/plugin.hpp>

namespace example {

class ExamplePlugin : public ledgerbridge::sdk::Plugin {
public:
    /// Name, version, capabilities and settings, as data the host validates and prints.
    static ledgerbridge::sdk::Manifest manifest();

    void configure(const ledgerbridge::sdk::Settings& settings) override;
    void check() override;
    void planBatch(const std::vector<ledgerbridge::sdk::Entry>& batch, ledgerbridge::sdk::PlanSink& sink) override;
    /// Called once per entry by the SDK's default push(), which checks cancellation between entries.
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& entry) override;
    ledgerbridge::sdk::Outcome lookup(const ledgerbridge::sdk::Entry& entry) override;
    /// Optional (ABI 1.1, LB_CAP_MASTER_DATA): the ledger's chart of accounts, page by page.
    ledgerbridge::sdk::MasterDataPage readMasterData(const ledgerbridge::sdk::MasterDataRequest& request) override;

private:
    /// The ledger line the entry becomes, or why it is rejected. Used by planBatch and pushOne.
    std::variant<ledgerbridge::sdk::Outcome, std::string> prepare(const ledgerbridge::sdk::Entry& entry) const;
    std::string ledgerPath() const;

    std::string outputDir_, inputVat_, outputVat_, chartFile_;
    std::set<std::string> taxCodes_;
};

}  // namespace example
