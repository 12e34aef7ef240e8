// Test plugin: push() kills the process with SIGSEGV (the crash-quarantine path), with
// SIGABRT (std::abort, as a failed assertion would) for an entry named "ABORT", or by
// overflowing its stack for an entry named "OVERFLOW". lookup() segfaults too, so an export
// left with unknown entries crashes it again on the next run (IsolationEndToEndTest).
#include <csignal>
#include <cstdlib>
#include <string>

#include "TestPlugin.hpp"

namespace {
volatile int gStop = -1;  // never reached: the recursion runs until the stack is gone
int deep(int n) {
    volatile char frame[4096];
    frame[0] = static_cast<char>(n);
    if (n == gStop) return 0;
    return deep(n + 1) + frame[0];
}
}  // namespace

struct Crashy : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() {
        ledgerbridge::sdk::Manifest m = manifestFor("lbtest_crashy");
        m.capabilities = LB_CAP_LOOKUP;
        return m;
    }
    ledgerbridge::sdk::Outcome lookup(const ledgerbridge::sdk::Entry&) override {
        std::raise(SIGSEGV);
        return ledgerbridge::sdk::Outcome::unknown("unreachable");
    }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry& e) override {
        if (e.accountingEntryId == "ABORT") std::abort();
        if (e.accountingEntryId == "OVERFLOW") return ledgerbridge::sdk::Outcome::unknown(std::to_string(deep(0)));
        std::raise(SIGSEGV);
        return ledgerbridge::sdk::Outcome::unknown("unreachable");
    }
};

LEDGERBRIDGE_PLUGIN(Crashy)
