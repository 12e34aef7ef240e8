// Every request the Business Central plugin sends where the reference OpenAPI description
// (API v1.0) covers the call, checked by Stoplight Prism (`prism proxy --errors`, from
// tests/tooling) in front of the stateful double, answers validated too. The description is
// patched at test time into the build folder, never copied into the repository: every path gets
// the v2.0 prefix /{tenant}/{environment}/api/v2.0 (Prism ignores the servers' base path), and
// postingDate is a date and a G/L entry's id a GUID, as v2.0 documents them (v1.0: date-time,
// and the entry number as id); attachments({id})/attachmentContent (v2.0) is added. Not covered: the
// dimensionSetLines navigation (v2.0 only), so this run maps no dimensions.
#include <gtest/gtest.h>

#include <set>

#include "BcPrismSupport.hpp"
#include "BcTestSupport.hpp"
#include "PrismProxy.hpp"
#include "ledgerbridge/testkit/MasterDataPages.hpp"
#include "ledgerbridge/testsupport/Simulator.h"

namespace ledgerbridge::bctest {
namespace {

namespace fs = std::filesystem;

sdk::Entry entry(const std::string& id) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.date = "2026-02-03";
    sdk::Line l;
    l.accountCode = "6110";
    l.netAmount = sdk::Money{10000, "EUR", 2};
    l.taxAmount = sdk::Money{2500, "EUR", 2};
    l.walletAmount = sdk::Money{12500, "EUR", 2};
    l.taxCode = "S25";
    l.taxRate = "25";
    l.taxType = "normal";
    l.description = "Lunch";
    e.lines = {l};
    e.totalWallet = sdk::Money{12500, "EUR", 2};
    e.contraAccountCode = "2900";
    return e;
}

TEST(BcPrism, EveryCoveredRequestAndAnswerConformsToTheDescription) {
    const fs::path work = fs::path(BC_TEST_WORK_DIR) / ("prism-" + std::to_string(::getpid()));
    const std::string patched = patchedDescriptionIn(work, testsupport::referenceDir());
    if (patched.empty())
        GTEST_SKIP() << "reference folder with businesscentral-openapi/openapi.yaml absent (set LEDGERBRIDGE_REFERENCE_DIR)";
    ASSERT_TRUE(fs::exists(BC_PRISM_BIN)) << BC_PRISM_BIN << " is missing: run scripts/setup (npm ci in tests/tooling)";

    BcDouble bc;
    xerotest::PrismProxy prism(BC_PRISM_BIN, patched, bc.baseUrl(), work / "prism.log");

    // Negative control: the proxy refuses a line the description forbids.
    sdk::HttpRequest bad;
    bad.method = "POST";
    bad.url = prism.baseUrl() + "/" + BcDouble::kTenant + "/" + BcDouble::kEnvironment + "/api/v2.0/companies(" +
              BcDouble::kCompany + ")/journals(" + BcDouble::kJournal + ")/journalLines";
    bad.headers = {{"Content-Type", "application/json"}};
    bad.body = R"({"accountNumber":"123456789012345678901","amount":"ten"})";
    bad.useTargetToken = true;
    std::string error;
    const auto refused = xerotest::sendHttp(bad, "t", error);
    ASSERT_TRUE(refused) << error;
    EXPECT_EQ(refused->status, 422) << refused->body;

    RawPathHost host;
    const auto settings = settingsThroughPrism(settingsFor(bc), prism.baseUrl());
    sdk::PluginClient client(bcApi(), host, "businesscentral");
    client.configure(settings);
    client.check();
    // BC refuses the contra line (unknown account) after the first line was created: the line is
    // left or deleted at once, and the next push finds the batch to clear (DELETE with If-Match).
    // An error answer is not in the description, so Prism reports that one exchange: exempt.
    sdk::Entry unknownContra = entry("p-1");
    unknownContra.contraAccountCode = "7777";
    const std::size_t before = host.exchanges.size();
    EXPECT_NE(client.push({unknownContra}).at(0).kind, sdk::OutcomeKind::Posted);
    std::size_t exempt = host.exchanges.size();
    for (std::size_t i = before; i < host.exchanges.size(); ++i)
        if (host.exchanges[i].method == "POST" && host.exchanges[i].status != 201) exempt = i;
    ASSERT_LT(exempt, host.exchanges.size()) << "BC did not refuse the unknown contra account";
    try {  // a call Prism refuses throws: the violations below say why
        EXPECT_EQ(client.lookup(entry("p-1")).kind, sdk::OutcomeKind::Absent);
        sdk::Entry withReceipt = entry("p-2");
        const fs::path receipt = work / "receipt.pdf";
        std::ofstream(receipt, std::ios::binary) << "%PDF-1.4 receipt";
        withReceipt.receipts = {{receipt.string(), "receipt.pdf", "application/pdf"}};
        for (const auto& o : client.push({entry("p-1"), withReceipt})) {
            EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
            EXPECT_EQ(o.message, "") << "the receipt went through Prism";
        }
        EXPECT_EQ(client.lookup(entry("p-2")).kind, sdk::OutcomeKind::Posted);
        for (auto kind : sdk::allMasterKinds()) EXPECT_FALSE(testkit::readAllMasterData(client, kind, 2).records.empty());
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    std::set<std::string> calls;
    for (std::size_t i = 0; i < host.exchanges.size(); ++i) {
        const auto& ex = host.exchanges[i];
        if (i == exempt) continue;
        const std::string v = xerotest::violations(ex);
        EXPECT_TRUE(v.empty()) << ex.method << " " << ex.url << ": " << v;
        if (ex.url.find("companies(") != std::string::npos)
            calls.insert(ex.method + " " + ex.url.substr(0, ex.url.find('?')).substr(ex.url.find("companies(") + 47));
    }
    const std::vector<std::pair<std::string, std::string>> covered = {
        {"GET", ""}, {"GET", "/journals("}, {"GET", "/journalLines"}, {"POST", "/journalLines"},
        {"DELETE", "/journalLines("}, {"POST", "/Microsoft.NAV.post"}, {"GET", "/generalLedgerEntries"},
        {"GET", "/accounts"}, {"GET", "/taxGroups"}, {"GET", "/dimensions"}, {"GET", "/dimensionValues"},
        {"GET", "/vendors"}, {"POST", "/attachments"}, {"PATCH", "/attachmentContent"}};
    bool batched = false;
    for (const auto& ex : host.exchanges) batched = batched || ex.url.find("/api/v2.0/$batch") != std::string::npos;
    EXPECT_TRUE(batched) << "no $batch went through Prism";
    EXPECT_GT(bc.batchedRequests(), 0);
    for (const auto& [method, fragment] : covered) {
        bool seen = false;
        for (const auto& c : calls) seen = seen || (c.rfind(method + " ", 0) == 0 && c.find(fragment) != std::string::npos);
        EXPECT_TRUE(seen) << "no " << method << " " << fragment << " went through Prism";
    }
    EXPECT_EQ(bc.company().journals.at(BcDouble::kJournal).size(), 0u);
}

}  // namespace
}  // namespace ledgerbridge::bctest
