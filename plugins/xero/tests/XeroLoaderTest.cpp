// The Xero plugin as the host loads it: xero.so from the plugin directory through the host's
// PluginLoader (file checks, library_info, rtld_now|rtld_local, ABI negotiation, manifest name
// = file name), configured by key, checked, pushed and looked up against the test double with
// host services that really speak HTTP.
#include <gtest/gtest.h>

#include <unistd.h>

#include "XeroDouble.hpp"
#include "XeroTestSupport.hpp"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using namespace ledgerbridge::xerotest;

TEST(XeroLoader, TheHostLoadsTheRealLibraryAndExportsThroughIt) {
    const char* env = std::getenv("LEDGERBRIDGE_XERO_PLUGIN");
    const fs::path so = env ? env : XERO_PLUGIN_FILE;
    const fs::path health = fs::temp_directory_path() / ("lb-xero-health-" + std::to_string(::getpid()));
    XeroDouble xero;
    XeroTestHost host;
    loader::FilePluginHealthStore store(health.string());
    loader::PluginLoader plugins({{so.parent_path().string()}, {}}, host, store);
    const auto plugin = plugins.load(so.string());
    EXPECT_EQ(plugin->name(), "xero");
    EXPECT_EQ(plugin->manifest().capabilities, LB_CAP_IDEMPOTENCY_KEYS | LB_CAP_LOOKUP | LB_CAP_DRY_RUN | LB_CAP_ATTACHMENTS |
                                                   LB_CAP_MASTER_DATA | LB_CAP_MASTER_DATA_CHANGED_SINCE);
    ASSERT_TRUE(plugin->manifest().oauth);
    EXPECT_EQ(plugin->manifest().oauth->tokenUrl, "https://identity.xero.com/connect/token");
    EXPECT_EQ(plugin->manifest().tokenHosts, std::vector<std::string>{"api.xero.com"}) << "read through the C ABI (1.1)";

    auto session = plugin->open();
    try {
        session->configure({{"tenant_id", "not-a-guid"}, {"bank_account_code", "090"}, {"reimbursable_mode", "cheque"}});
        FAIL() << "bad settings accepted";
    } catch (const PluginError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("tenant_id"), std::string::npos) << m;
        EXPECT_NE(m.find("reimbursable_mode"), std::string::npos) << m;
    }
    session->configure(settings(xero.baseUrl()));
    session->check();

    const std::vector<sdk::Entry> batch{entry("L-1", "card_purchase"), entry("L-2", "out_of_pocket")};
    const auto docs = session->plan(batch).documents;
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].action, "PUT " + xero.baseUrl() + "/BankTransactions?summarizeErrors=false&unitdp=4");
    EXPECT_EQ(docs[1].action, "PUT " + xero.baseUrl() + "/Invoices?summarizeErrors=false&unitdp=4");
    EXPECT_EQ(xero.created(), 0) << "plan wrote";

    const loader::PushResult r = session->push(batch);
    ASSERT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.outcomes.size(), 2u);
    for (const auto& o : r.outcomes) EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    EXPECT_EQ(session->lookup(batch[1]).externalId, r.outcomes[1].externalId);
    EXPECT_EQ(xero.created(), 2);

    // Master data through the host's session: the double's default chart, archived included.
    ASSERT_TRUE(session->hasMasterData());
    sdk::MasterDataRequest accounts;
    accounts.kind = sdk::MasterKind::Account;
    const auto page = session->readMasterData(accounts);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->records.size(), xero.organisation().chart.size());
    EXPECT_EQ(page->nextCursor, "");
    session.reset();
    fs::remove_all(health);
}
