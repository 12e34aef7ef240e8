// Test plugin: push() kills the process with SIGSEGV (the crash-quarantine path).
#include <csignal>

#include "TestPlugin.hpp"

struct Crashy : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_crashy"); }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry&) override {
        std::raise(SIGSEGV);
        return ledgerbridge::sdk::Outcome::unknown("unreachable");
    }
};

LEDGERBRIDGE_PLUGIN(Crashy)
