// Test plugin: push() throws inside the C++ wrapper (caught there), and check() is replaced by
// a raw C slot that lets an exception cross the C boundary (the host must still survive).
#include <stdexcept>

#include "TestPlugin.hpp"

struct Throws : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() { return manifestFor("lbtest_throws"); }
    ledgerbridge::sdk::Outcome pushOne(const ledgerbridge::sdk::Entry&) override {
        throw std::runtime_error("boom in push");
    }
};

static lb_status rawCheck(lb_instance*, lb_call*) { throw std::logic_error("raw throw from check"); }

extern "C" const lb_plugin_api* lbtest_throws_entry(std::uint32_t major, std::uint32_t minor) {
    static lb_plugin_api table = [&] {
        lb_plugin_api t = *ledgerbridge::sdk::detail_exporter<Throws>::entry(major, minor);
        t.check = &rawCheck;
        return t;
    }();
    return &table;
}
BOOST_DLL_ALIAS(lbtest_throws_entry, LB_PLUGIN_ENTRY_NAME)
