// Test plugin: push() takes a minute, long enough to be killed from outside while inside it.
#include <chrono>
#include <thread>

#include "TestPlugin.hpp"

struct Sleepy : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_sleepy"); }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& e) override {
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return ledgerbridge::sdk::Outcome::posted("T-" + e.accountingEntryId);
    }
};

LEDGERBRIDGE_PLUGIN(Sleepy)
