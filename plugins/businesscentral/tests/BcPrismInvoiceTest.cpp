// mode=purchase_invoice through Stoplight Prism (`prism proxy --errors`) in front of the
// stateful double, against the reference description (v1.0) patched as BcPrismSupport.hpp says:
// every request the plugin sends and every answer conforms. The run covers creating, reading
// and deleting a draft, its lines (list, create, delete with If-Match), attachments (list by
// parent, create, content), the post action, the lookup by vendorInvoiceNumber, and $batch: a
// refused line (its 400 is not in the description: that exchange is exempt) and a draft left by
// a lost answer, completed by the next push.
#include <gtest/gtest.h>

#include <set>

#include "BcInvoice.hpp"
#include "BcPrismSupport.hpp"
#include "BcTestSupport.hpp"
#include "PrismProxy.hpp"
#include "ledgerbridge/testsupport/Simulator.h"

namespace ledgerbridge::bctest {
namespace {

namespace fs = std::filesystem;

sdk::Entry invoiceEntry(const std::string& id, const std::string& account) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.date = "2026-02-03";
    e.supplier = sdk::Party{"supplier-1", "V100", "Restaurant"};
    sdk::Line l;
    l.accountCode = account;
    l.netAmount = sdk::Money{10000, "EUR", 2};
    l.taxAmount = sdk::Money{2500, "EUR", 2};
    l.walletAmount = sdk::Money{12500, "EUR", 2};
    l.taxCode = "S25";
    l.taxRate = "25";
    l.taxType = "normal";
    l.description = "Lunch";
    e.lines = {l, l};
    e.totalWallet = sdk::Money{25000, "EUR", 2};
    return e;
}

TEST(BcPrismInvoice, EveryPurchaseInvoiceRequestAndAnswerConformsToTheDescription) {
    const fs::path work = fs::path(BC_TEST_WORK_DIR) / ("prism-invoice-" + std::to_string(::getpid()));
    const std::string patched = patchedDescriptionIn(work, testsupport::referenceDir());
    if (patched.empty())
        GTEST_SKIP() << "reference folder with businesscentral-openapi/openapi.yaml absent (set LEDGERBRIDGE_REFERENCE_DIR)";
    ASSERT_TRUE(fs::exists(BC_PRISM_BIN)) << BC_PRISM_BIN << " is missing: run scripts/setup (npm ci in tests/tooling)";

    BcDouble bc;
    xerotest::PrismProxy prism(BC_PRISM_BIN, patched, bc.baseUrl(), work / "prism.log");
    RawPathHost host;
    auto settings = settingsThroughPrism(settingsFor(bc), prism.baseUrl());
    settings.emplace_back("mode", "purchase_invoice");
    sdk::PluginClient client(bcApi(), host, "businesscentral");
    client.configure(settings);
    client.check();

    // BC refuses the blocked account of the first line: the draft is read and deleted (If-Match).
    const auto refused = client.push({invoiceEntry("b-1", "6999")}).at(0);
    EXPECT_EQ(refused.kind, sdk::OutcomeKind::Rejected) << refused.message;
    std::set<std::size_t> exempt;
    for (std::size_t i = 0; i < host.exchanges.size(); ++i)
        if (host.exchanges[i].status == 400) exempt.insert(i);
    ASSERT_EQ(exempt.size(), 1u) << "BC did not refuse the blocked account once";

    const fs::path receipt = work / "receipt.pdf";
    std::ofstream(receipt, std::ios::binary) << "%PDF-1.4 receipt";
    sdk::Entry withReceipt = invoiceEntry("p-1", "6110");
    withReceipt.receipts = {{receipt.string(), "receipt.pdf", "application/pdf"}};
    try {  // a call Prism refuses throws: the violations below say why
        // The receipt's content is stored but its answer lost: a draft with lines and a receipt
        // stays; the next push lists and deletes its lines, finds the attachment, posts.
        host.loseResponse = [](const sdk::HttpRequest& r) { return r.method == "PATCH"; };
        EXPECT_EQ(client.push({withReceipt}).at(0).kind, sdk::OutcomeKind::Unknown);
        host.loseResponse = nullptr;
        EXPECT_EQ(client.lookup(withReceipt).kind, sdk::OutcomeKind::Absent) << "a draft is not in the books";
        for (const auto& o : client.push({withReceipt, invoiceEntry("p-2", "6120")})) {
            EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
            EXPECT_EQ(o.message, "");
        }
        EXPECT_EQ(client.lookup(withReceipt).kind, sdk::OutcomeKind::Posted);
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    std::set<std::string> calls;
    const std::string company = std::string("companies(") + BcDouble::kCompany + ")";
    for (std::size_t i = 0; i < host.exchanges.size(); ++i) {
        const auto& ex = host.exchanges[i];
        if (exempt.count(i)) continue;
        const std::string v = xerotest::violations(ex);
        EXPECT_TRUE(v.empty()) << ex.method << " " << ex.url << ": " << v;
        const auto at = ex.url.find(company);
        calls.insert(ex.method + " " + (at == std::string::npos ? ex.url.substr(ex.url.rfind('/'))
                                                                : ex.url.substr(0, ex.url.find('?')).substr(at + company.size())));
    }
    for (const std::string call :
         {"GET ", "POST /purchaseInvoices", "GET /purchaseInvoices", "GET /purchaseInvoices({id})",
          "DELETE /purchaseInvoices({id})", "POST /purchaseInvoices({id})/purchaseInvoiceLines",
          "GET /purchaseInvoices({id})/purchaseInvoiceLines", "DELETE /purchaseInvoices({id})/purchaseInvoiceLines({id})",
          "POST /purchaseInvoices({id})/Microsoft.NAV.post", "GET /attachments", "POST /attachments",
          "PATCH /attachments({id})/attachmentContent", "POST /$batch"}) {
        bool seen = false;
        for (std::string c : calls) {
            // GUIDs in the path as {id}
            for (auto p = c.find('('); p != std::string::npos; p = c.find('(', p + 1))
                if (c.size() > p + 37 && c[p + 37] == ')') c.replace(p + 1, 36, "{id}");
            seen = seen || c == call;
        }
        EXPECT_TRUE(seen) << "no " << call << " went through Prism";
    }
    const auto books = bc.company();
    EXPECT_EQ(books.invoicePostings.at(businesscentral::invoiceKeyOf("p-1")), 1);
    EXPECT_EQ(books.purchaseInvoices.size(), 2u) << "b-1's draft deleted, p-1 completed not duplicated";
    EXPECT_EQ(books.deletedDrafts, 1);
}

}  // namespace
}  // namespace ledgerbridge::bctest
