// Test plugin: push() takes a minute, long enough to be killed from outside while inside it;
// lookup() too, so an export left with unknown entries hangs again on the next run.
#include <chrono>
#include <thread>

#include "TestPlugin.hpp"

struct Sleepy : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() {
        ledgerbridge::sdk::Manifest m = manifestFor("lbtest_sleepy");
        m.capabilities = LB_CAP_LOOKUP;
        return m;
    }
    ledgerbridge::sdk::Outcome lookup(const ledgerbridge::sdk::Entry&) override {
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return ledgerbridge::sdk::Outcome::absent();
    }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& e) override {
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return ledgerbridge::sdk::Outcome::posted("T-" + e.accountingEntryId);
    }
};

LEDGERBRIDGE_PLUGIN(Sleepy)
