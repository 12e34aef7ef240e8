// Test plugin: exports the entry symbol of a future ABI major (ledgerbridge_plugin_abi_2).
#include "TestPlugin.hpp"

struct Major2 : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_major2"); }
};

extern "C" const lb_plugin_api* lbtest_major2_entry(std::uint32_t major, std::uint32_t minor) {
    return ledgerbridge::sdk::detail_exporter<Major2>::entry(major, minor);
}
BOOST_DLL_ALIAS(lbtest_major2_entry, ledgerbridge_plugin_abi_2)
