// What the Business Central plugin's tests share: the double, a real-HTTP host, the real .so
// through the SDK's PluginClient, configured against the double's default company.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "BcDouble.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/host.hpp"
#include "ledgerbridge/library.hpp"

namespace ledgerbridge::bctest {

using SettingList = std::vector<std::pair<std::string, std::string>>;

inline SettingList settingsFor(const BcDouble& d) {
    return {{"tenant_id", BcDouble::kTenant},
            {"environment", BcDouble::kEnvironment},
            {"company_id", BcDouble::kCompany},
            {"journal_id", BcDouble::kJournal},
            {"local_currency", "EUR"},
            {"base_url", d.baseUrl()},
            {"tax_codes", "S25:VAT25,S12:VAT12"},
            {"reverse_charge_tax_codes", "RC25:EUREV25"},
            {"dimensions", "PROJECT:PROJECT"},
            {"max_retry_wait_seconds", "5"},
            // One POST per journal line, so a test can lose the answer to one of them; the
            // $batch of writes (the default) has tests of its own (BcBatchWritesTest).
            {"batch_writes", "false"}};
}

inline const lb_plugin_api* bcApi() {
    static const lb_plugin_api* api = sdk::openLibrary(BC_PLUGIN_FILE);
    return api;
}

class BcPluginFixture : public ::testing::Test {
protected:
    void SetUp() override { client = connect(host); }
    /// A new instance (its own host state when `h` is another host), configured.
    std::unique_ptr<sdk::PluginClient> connect(xerotest::XeroTestHost& h) {
        auto c = std::make_unique<sdk::PluginClient>(bcApi(), h, "businesscentral");
        c->configure(settings());
        return c;
    }
    /// `e` pushed again under another idempotency key by a new instance with empty plugin state
    /// (a lost state directory); `freshHost` records its requests.
    sdk::Outcome pushAgainFromEmptyState(const sdk::Entry& e, xerotest::XeroTestHost& freshHost) {
        auto fresh = connect(freshHost);
        sdk::Entry again = e;
        again.idempotencyKey = "another-key";
        return fresh->push({again}).at(0);
    }
    /// The settings every instance of the test gets.
    virtual SettingList settings() { return settingsFor(bc); }
    BcDouble bc;
    xerotest::XeroTestHost host;
    std::unique_ptr<sdk::PluginClient> client;
};

}  // namespace ledgerbridge::bctest
