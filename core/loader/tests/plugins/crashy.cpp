// Test plugin: push() kills the process with SIGSEGV (the crash-quarantine path), or with
// SIGABRT (std::abort, as a failed assertion would) for an entry named "ABORT".
#include <csignal>
#include <cstdlib>

#include "TestPlugin.hpp"

struct Crashy : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_crashy"); }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& e) override {
        if (e.accountingEntryId == "ABORT") std::abort();
        std::raise(SIGSEGV);
        return ledgerbridge::sdk::Outcome::unknown("unreachable");
    }
};

LEDGERBRIDGE_PLUGIN(Crashy)
