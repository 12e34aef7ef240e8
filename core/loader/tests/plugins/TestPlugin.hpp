// Shared base of the loader's test-only plugins: a plugin that accepts any settings and posts
// every entry as "T-<entry id>". Each broken plugin changes one thing.
#pragma once

#include <ledgerbridge/plugin.hpp>

namespace lbtest {

struct TestPlugin : ledgerbridge::sdk::Plugin {
    static ledgerbridge::sdk::Manifest manifestFor(const char* name) {
        ledgerbridge::sdk::Manifest m;
        m.name = name;
        m.version = "0.0.1";
        m.targetSystem = "loader tests";
        m.description = "Test-only plugin.";
        m.settings = {{"api_key", ledgerbridge::sdk::SettingType::String, "", true, "A secret, for redaction tests."}};
        return m;
    }
    void configure(const ledgerbridge::sdk::Settings&) override {}
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& e) override {
        return ledgerbridge::sdk::Outcome::posted("T-" + e.accountingEntryId);
    }
};

}  // namespace lbtest
