// Test plugin: well-formed.
#include "TestPlugin.hpp"

struct Good : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_good"); }
};

LEDGERBRIDGE_PLUGIN(Good)
