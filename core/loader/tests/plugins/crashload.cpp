// Test plugin: crashes the process that loads it (SIGSEGV from a static initialiser, which runs
// inside dlopen, before any entry point). Only ever loaded in a plugin host process: `plugins
// list`, `plugins inspect` and the start-up check must report it and carry on.
#include <csignal>

#include "TestPlugin.hpp"

namespace {
const int gCrashOnLoad = [] {
    std::raise(SIGSEGV);
    return 0;
}();
}  // namespace

struct CrashLoad : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_crashload"); }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry&) override {
        return ledgerbridge::sdk::Outcome::unknown(std::to_string(gCrashOnLoad));
    }
};

LEDGERBRIDGE_PLUGIN(CrashLoad)
