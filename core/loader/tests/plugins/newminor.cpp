// Test plugin: right major, but built against a newer minor than the host has.
#include "TestPlugin.hpp"

struct NewMinor : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_newminor"); }
};

extern "C" const lb_plugin_api* lbtest_newminor_entry(std::uint32_t major, std::uint32_t minor) {
    static lb_plugin_api table = [&] {
        lb_plugin_api t = *ledgerbridge::sdk::detail_exporter<NewMinor>::entry(major, minor);
        t.abi_minor = LB_ABI_MINOR + 1;
        return t;
    }();
    return &table;
}
BOOST_DLL_ALIAS(lbtest_newminor_entry, LB_PLUGIN_ENTRY_NAME)
