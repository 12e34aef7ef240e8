// Test plugin: ABI 1.1 with LB_CAP_MASTER_DATA declared; built twice. lbtest_mdslot has the
// read_master_data slot (one account); lbtest_nomdslot (LBTEST_NULL_MD_SLOT) hands over a 1.1
// table whose slot is NULL, which the host must take as "no master data", not call.
#include "TestPlugin.hpp"

#ifndef LBTEST_NAME
#error "LBTEST_NAME must name the plugin (its file name)"
#endif

struct MdSlot : lbtest::TestPlugin {
    static ledgerbridge::sdk::Manifest manifest() {
        ledgerbridge::sdk::Manifest m = manifestFor(LBTEST_NAME);
        m.capabilities = LB_CAP_MASTER_DATA;
        return m;
    }
    ledgerbridge::sdk::MasterDataPage readMasterData(const ledgerbridge::sdk::MasterDataRequest& r) override {
        ledgerbridge::sdk::MasterRecord account;
        account.kind = r.kind;
        account.id = "acc-1";
        account.code = "6110";
        account.name = "Travel";
        return {{account}, {}};
    }
};

extern "C" const lb_plugin_api* lbtest_mdslot_entry(std::uint32_t major, std::uint32_t minor) noexcept {
    static const lb_plugin_api table = [&] {
        lb_plugin_api t = *ledgerbridge::sdk::detail_exporter<MdSlot>::entry(major, minor);
#ifdef LBTEST_NULL_MD_SLOT
        t.read_master_data = nullptr;
#endif
        return t;
    }();
    return &table;
}
BOOST_DLL_ALIAS(lbtest_mdslot_entry, LB_PLUGIN_ENTRY_NAME)
