// The example plugin: a stand-in target system that "posts" an entry by remembering it in the
// host's key-value state. Shows the whole contract: manifest, settings, check, plan, push
// (idempotent on the idempotency key), lookup, and the SDK's standard entry validation.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <ledgerbridge/plugin.hpp>

namespace example {

class ExamplePlugin : public ledgerbridge::sdk::Plugin {
public:
    /// Name, version, capabilities and settings, as data the host validates and prints.
    static ledgerbridge::sdk::Manifest manifest();

    void configure(const ledgerbridge::sdk::Settings& settings) override;
    void check() override;
    std::vector<ledgerbridge::sdk::Document> plan(const std::vector<ledgerbridge::sdk::Entry>& batch) override;
    /// Called once per entry by the SDK's default push(), which checks cancellation between entries.
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& entry) override;
    ledgerbridge::sdk::Outcome lookup(const ledgerbridge::sdk::Entry& entry) override;

private:
    std::string ledger_;
    std::set<std::string> taxCodes_;
};

}  // namespace example
