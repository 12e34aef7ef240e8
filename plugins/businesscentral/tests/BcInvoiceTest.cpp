// mode=purchase_invoice through the real .so into the stateful double: each entry one posted
// purchase invoice of its vendor whose G/L entries carry Pleo's amounts (net per account, VAT on
// top, the total on the vendors' payables; summed by this test from the double's ledger); a
// crash at any write leaves a draft the next push completes, never a second invoice; receipts
// on the invoice once; refusals become Pleo's reasons and leave no draft; If-Match on every
// update; the vendor from the supplier's code, a mapping or default_vendor.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>

#include "BcEntries.hpp"
#include "BcInvoice.hpp"
#include "BcJournal.hpp"
#include "BcTestSupport.hpp"

namespace ledgerbridge::bctest {
namespace {

using businesscentral::documentNumberOf;
using businesscentral::invoiceKeyOf;
using sdk::OutcomeKind;

class BcInvoiceTest : public BcPluginFixture {
protected:
    SettingList settings() override {
        SettingList s = settingsFor(bc);
        s.emplace_back("mode", "purchase_invoice");
        for (const auto& extra : extraSettings) s.push_back(extra);
        return s;
    }
    /// Settings added before SetUp configures the instance (or before connect()).
    SettingList extraSettings;

    /// The invoices of `entryId` (by vendorInvoiceNumber), drafts and posted.
    std::vector<BcDouble::PurchaseInvoice> invoicesOf(const std::string& entryId) {
        std::vector<BcDouble::PurchaseInvoice> out;
        for (const auto& inv : bc.company().purchaseInvoices)
            if (inv.vendorInvoiceNumber == invoiceKeyOf(entryId)) out.push_back(inv);
        return out;
    }
    /// account -> cents of the G/L entries the posting of `entryId`'s invoice wrote.
    std::map<std::string, std::int64_t> bookedFor(const std::string& entryId) {
        std::map<std::string, std::int64_t> out;
        for (const auto& g : bc.company().ledger)
            if (g.externalDocumentNumber == invoiceKeyOf(entryId)) out[g.accountNumber] += g.cents;
        return out;
    }
    int postsOf(const std::string& entryId) {
        const auto postings = bc.company().invoicePostings;
        const auto it = postings.find(invoiceKeyOf(entryId));
        return it == postings.end() ? 0 : it->second;
    }
    /// Every DELETE and PATCH the plugin sent carried an If-Match that is not "*".
    void expectIfMatchOnEveryUpdate(xerotest::XeroTestHost& h) {
        for (const auto& ex : h.exchangesSnapshot())
            if (ex.method == "DELETE" || ex.method == "PATCH") {
                const std::string etag = xerotest::header(ex.requestHeaders, "If-Match");
                EXPECT_FALSE(etag.empty() || etag == "*") << ex.method << " " << ex.url;
            }
    }
};

TEST_F(BcInvoiceTest, EachEntryIsOnePostedInvoiceOfItsVendorWithPleosAmountsPerAccount) {
    const auto outcomes = client->push({entry("e-1"), entry("e-2")});
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& o : outcomes) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(outcomes[0].externalId, invoiceKeyOf("e-1"));
    const auto invoices = invoicesOf("e-1");
    ASSERT_EQ(invoices.size(), 1u);
    EXPECT_EQ(invoices[0].status, "Open");
    EXPECT_EQ(invoices[0].vendorNumber, "V100");
    EXPECT_EQ(invoices[0].postingDate, "2026-02-03");
    EXPECT_EQ(invoices[0].currencyCode, "") << "EUR is the company's local currency";
    const auto booked = bookedFor("e-1");
    std::int64_t sum = 0;
    for (const auto& [account, cents] : booked) sum += cents;
    EXPECT_EQ(sum, 0) << "the invoice does not balance";
    EXPECT_EQ(booked.at("6110"), 10000);
    EXPECT_EQ(booked.at("6120"), 2000);
    EXPECT_EQ(booked.at("5610"), 2500 + 240) << "BC's VAT on top of the net equals Pleo's";
    EXPECT_EQ(booked.at("5410"), -14740) << "the vendor is owed Pleo's total";
    EXPECT_EQ(booked.count("2900"), 0u) << "the contra account is not used in this mode";
    bool tagged = false;
    for (const auto& g : bc.company().ledger)
        if (g.accountNumber == "6110" && g.externalDocumentNumber == invoiceKeyOf("e-1"))
            tagged = g.dimensions == std::vector<std::pair<std::string, std::string>>{{"PROJECT", "P-17"}};
    EXPECT_TRUE(tagged) << "the PROJECT tag did not become a dimension set line";
    EXPECT_EQ(postsOf("e-1"), 1);
    EXPECT_EQ(postsOf("e-2"), 1);
    // Requests per entry: the shared $batch of lookups, the invoice, 2 lines, 1 dimension, the post.
    EXPECT_EQ(host.exchangesSnapshot().size(), 1u + 2 * 5);
}

TEST_F(BcInvoiceTest, PushingAgainFindsThePostedInvoiceAndWritesNothing) {
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    xerotest::XeroTestHost freshHost;
    const auto o = pushAgainFromEmptyState(entry("e-1"), freshHost);
    auto fresh = connect(freshHost);
    EXPECT_EQ(o.kind, OutcomeKind::Posted);
    EXPECT_EQ(o.externalId, invoiceKeyOf("e-1"));
    ASSERT_EQ(freshHost.exchangesSnapshot().size(), 1u) << "only the $batch of lookups";
    EXPECT_EQ(fresh->lookup(entry("e-1")).kind, OutcomeKind::Posted);
    EXPECT_EQ(fresh->lookup(entry("never-pushed")).kind, OutcomeKind::Absent);
    EXPECT_EQ(invoicesOf("e-1").size(), 1u);
    EXPECT_EQ(postsOf("e-1"), 1);
}

TEST_F(BcInvoiceTest, ACrashAfterThePostIsFoundByLookupAndNotPostedAgain) {
    host.loseResponse = [](const sdk::HttpRequest& r) { return r.url.find("Microsoft.NAV.post") != std::string::npos; };
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Unknown);
    host.loseResponse = nullptr;
    EXPECT_EQ(client->lookup(entry("e-1")).kind, OutcomeKind::Posted);
    EXPECT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    EXPECT_EQ(invoicesOf("e-1").size(), 1u);
    EXPECT_EQ(postsOf("e-1"), 1);
}

// A crash at every write of the first push in turn (its answer lost, the write done): the
// draft it leaves is not in the books (lookup: absent) and the next push completes and posts
// it. One invoice, posted once, its lines and dimensions once, whatever write the crash hit.
TEST_F(BcInvoiceTest, ADraftLeftByACrashAtAnyWriteIsCompletedNeverDuplicated) {
    for (int crashAt = 1; crashAt <= 4; ++crashAt) {  // invoice, line 1, its dimension, line 2
        const std::string id = "crash-" + std::to_string(crashAt);
        int writes = 0;
        host.loseResponse = [&writes, crashAt](const sdk::HttpRequest& r) { return r.method == "POST" &&
                                                                                   r.url.find("$batch") == std::string::npos &&
                                                                                   ++writes == crashAt; };
        ASSERT_EQ(client->push({entry(id)}).at(0).kind, OutcomeKind::Unknown) << id;
        host.loseResponse = nullptr;
        ASSERT_EQ(invoicesOf(id).size(), 1u) << id;
        EXPECT_EQ(invoicesOf(id)[0].status, "Draft") << id;
        EXPECT_EQ(client->lookup(entry(id)).kind, OutcomeKind::Absent) << "a draft is not in the books";
        const auto o = client->push({entry(id)}).at(0);
        ASSERT_EQ(o.kind, OutcomeKind::Posted) << id << ": " << o.message;
        const auto invoices = invoicesOf(id);
        ASSERT_EQ(invoices.size(), 1u) << id;
        EXPECT_EQ(invoices[0].status, "Open");
        ASSERT_EQ(invoices[0].lines.size(), 2u) << id << ": lines written twice";
        EXPECT_EQ(invoices[0].lines[0].dimensions.size(), 1u) << id;
        EXPECT_EQ(postsOf(id), 1);
        EXPECT_EQ(bookedFor(id).at("5410"), -14740) << id;
    }
    EXPECT_EQ(bc.company().deletedDrafts, 0) << "drafts are completed, not deleted";
    expectIfMatchOnEveryUpdate(host);
}

// Receipts are attachments of the invoice, their content PATCHed with the attachment's own ETag.
// The first push stops right before the post (a 429 beyond max_retry_wait_seconds), the second
// with the second receipt's content lost: completing the draft keeps what is attached, gives the
// content-less attachment its bytes and posts; a re-push attaches nothing.
TEST_F(BcInvoiceTest, ReceiptsAreOnThePostedInvoiceOnceEvenAfterInterruptedPushes) {
    const TwoReceipts files("lb-bc-invoice-receipts");
    const std::string& pdf = files.pdf;
    sdk::Entry e = entry("e-1");
    e.receipts = files.receipts;
    int attachmentPosts = 0;
    host.loseResponse = [&](const sdk::HttpRequest& r) {
        if (r.method == "POST" && r.url.find("/attachments") != std::string::npos && ++attachmentPosts == 2)
            return true;  // the second receipt: created, its answer lost before the content
        return false;
    };
    EXPECT_EQ(client->push({e}).at(0).kind, OutcomeKind::Unknown);
    host.loseResponse = nullptr;
    ASSERT_EQ(invoicesOf("e-1").size(), 1u);
    ASSERT_EQ(invoicesOf("e-1")[0].attachments.size(), 2u);
    EXPECT_FALSE(invoicesOf("e-1")[0].attachments[1].hasContent);
    const auto o = client->push({e}).at(0);
    ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(o.message, "");
    const auto invoice = invoicesOf("e-1").at(0);
    ASSERT_EQ(invoice.attachments.size(), 2u) << "completing the draft attached nothing twice";
    EXPECT_EQ(invoice.attachments[0].fileName, "r.pdf");
    EXPECT_EQ(invoice.attachments[0].bytes, pdf) << "the bytes arrive unchanged";
    EXPECT_EQ(invoice.attachments[1].fileName, "r.png");
    EXPECT_EQ(invoice.attachments[1].bytes, "\x89PNG\r\n");
    EXPECT_EQ(client->push({e}).at(0).kind, OutcomeKind::Posted);
    EXPECT_EQ(invoicesOf("e-1").at(0).attachments.size(), 2u) << "a re-push attaches nothing";
    EXPECT_EQ(postsOf("e-1"), 1);
    expectIfMatchOnEveryUpdate(host);
}

TEST_F(BcInvoiceTest, BcsRefusalsBecomePleosReasonsAndLeaveNoDraftBehind) {
    sdk::Entry blocked = entry("blocked-account");
    blocked.lines[1].accountCode = "6999";
    sdk::Entry unknownVendor = entry("unknown-vendor");
    unknownVendor.supplier.code = "V999";
    sdk::Entry goneVendor = entry("gone-vendor");
    goneVendor.supplier.code = "V300";  // blocked: All
    sdk::Entry badDimension = entry("bad-dimension");
    badDimension.lines[0].tags[0].code = "P-99";
    const auto o = client->push({blocked, unknownVendor, goneVendor, badDimension});
    ASSERT_EQ(o.size(), 4u);
    EXPECT_EQ(o[0].kind, OutcomeKind::Rejected);
    EXPECT_EQ(o[0].failureReason, "account_unknown") << o[0].message;
    EXPECT_NE(o[0].message.find("6999"), std::string::npos) << o[0].message;
    EXPECT_EQ(o[1].failureReason, "vendor_unknown") << o[1].message;
    EXPECT_NE(o[1].message.find("V999"), std::string::npos) << o[1].message;
    EXPECT_EQ(o[2].failureReason, "vendor_unknown") << o[2].message;
    EXPECT_NE(o[2].message.find("blocked"), std::string::npos) << o[2].message;
    EXPECT_EQ(o[3].failureReason, "tag_unknown") << o[3].message;
    EXPECT_TRUE(bc.company().purchaseInvoices.empty()) << "a refused entry left a draft";
    EXPECT_EQ(bc.company().deletedDrafts, 2) << "the two drafts refused after their creation";
    EXPECT_TRUE(bc.company().ledger.empty());
    expectIfMatchOnEveryUpdate(host);
}

TEST_F(BcInvoiceTest, TheVendorIsTheMappedCodeElseTheSuppliersCodeElseTheDefault) {
    sdk::Entry mapped = entry("mapped");
    mapped.supplier.code = "SUP-OFFICE";
    sdk::Entry plain = entry("plain");
    sdk::Entry none = entry("none");
    none.supplier = sdk::Party{};
    // Without default_vendor a supplier without code is rejected before anything is sent.
    const auto refused = client->push({none}).at(0);
    EXPECT_EQ(refused.kind, OutcomeKind::Rejected);
    EXPECT_EQ(refused.failureReason, "vendor_unknown");
    EXPECT_NE(refused.message.find("default_vendor"), std::string::npos) << refused.message;
    extraSettings = {{"vendors", "SUP-OFFICE:V200"}, {"default_vendor", "V100"}};
    xerotest::XeroTestHost other;
    auto configured = connect(other);
    for (const auto& o : configured->push({mapped, plain, none})) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(invoicesOf("mapped").at(0).vendorNumber, "V200");
    EXPECT_EQ(invoicesOf("plain").at(0).vendorNumber, "V100");
    EXPECT_EQ(invoicesOf("none").at(0).vendorNumber, "V100");
}

sdk::Entry refundOf(const std::string& id) {
    sdk::Entry refund = entry(id);
    for (auto& l : refund.lines)
        for (auto* m : {&l.netAmount, &l.taxAmount, &l.walletAmount}) m->minor = -m->minor;
    refund.totalWallet.minor = -refund.totalWallet.minor;
    return refund;
}

TEST_F(BcInvoiceTest, AForeignCurrencyInvoiceNamesItsCurrency) {
    sdk::Entry usd = entry("usd");
    for (auto* m : {&usd.totalWallet, &usd.totalSupplier}) m->currency = "USD";
    for (auto& l : usd.lines)
        for (auto* m : {&l.netAmount, &l.taxAmount, &l.walletAmount}) m->currency = "USD";
    const auto o = client->push({usd}).at(0);
    ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(invoicesOf("usd").at(0).currencyCode, "USD");
}

// BC posts no negative purchase invoice: a refund becomes journal lines whose contra line is
// the vendor (accountType Vendor), so the vendor's payables are reduced, found again by its
// documentNumber like journal mode's documents. Without journal_id it is refused by name.
TEST_F(BcInvoiceTest, ARefundIsJournalLinesAgainstTheVendorOrRefusedWithoutAJournal) {
    auto o = client->push({refundOf("refund"), entry("e-1")});
    std::sort(o.begin(), o.end(), [](const sdk::Outcome& a, const sdk::Outcome& b) { return a.entryIndex < b.entryIndex; });
    ASSERT_EQ(o.at(0).kind, OutcomeKind::Posted) << o.at(0).message;
    ASSERT_EQ(o.at(1).kind, OutcomeKind::Posted) << o.at(1).message;
    EXPECT_EQ(o.at(0).externalId, documentNumberOf("refund"));
    EXPECT_TRUE(invoicesOf("refund").empty());
    std::map<std::string, std::int64_t> booked;
    for (const auto& g : bc.company().ledger)
        if (g.documentNumber == documentNumberOf("refund")) booked[g.accountNumber] += g.cents;
    EXPECT_EQ(booked.at("6110"), -10000);
    EXPECT_EQ(booked.at("6120"), -2000);
    EXPECT_EQ(booked.at("5610"), -2740);
    EXPECT_EQ(booked.at("5410"), 14740) << "the vendor owes the refund back";
    EXPECT_EQ(client->lookup(refundOf("refund")).kind, OutcomeKind::Posted);
    const std::size_t entries = bc.company().ledger.size();
    EXPECT_EQ(client->push({refundOf("refund")}).at(0).kind, OutcomeKind::Posted);
    EXPECT_EQ(bc.company().ledger.size(), entries) << "a re-push booked the refund again";

    SettingList without;
    for (const auto& kv : settings())
        if (kv.first != "journal_id") without.push_back(kv);
    xerotest::XeroTestHost other;
    sdk::PluginClient noJournal(bcApi(), other, "businesscentral");
    noJournal.configure(without);
    const auto refused = noJournal.push({refundOf("refund-2")}).at(0);
    EXPECT_EQ(refused.kind, OutcomeKind::Rejected);
    EXPECT_NE(refused.message.find("journal_id"), std::string::npos) << refused.message;
}

TEST_F(BcInvoiceTest, TheDryRunNamesTheInvoiceItsLinesAndThePostAndRejectsWhatPushWould) {
    sdk::Entry bad = entry("bad");
    bad.lines[0].taxCode = "S99";
    const auto plan = client->plan({entry("e-1"), bad});
    ASSERT_EQ(plan.documents.size(), 4u) << "invoice, 2 lines, 1 dimension";
    EXPECT_NE(plan.documents[0].action.find("/purchaseInvoices"), std::string::npos);
    EXPECT_NE(plan.documents[0].body.find("\"vendorInvoiceNumber\":\"" + invoiceKeyOf("e-1") + "\""), std::string::npos);
    EXPECT_NE(plan.documents[1].body.find("\"unitCost\":100.00"), std::string::npos) << plan.documents[1].body;
    EXPECT_NE(plan.documents[3].action.find("Microsoft.NAV.post"), std::string::npos);
    ASSERT_EQ(plan.rejections.size(), 1u);
    EXPECT_EQ(plan.rejections[0].failureReason, "tax_code_unknown");
    EXPECT_TRUE(bc.company().purchaseInvoices.empty()) << "the dry run wrote";
}

// The key BC keeps in vendorInvoiceNumber (Code[35]: upper case, 35 characters) reads back into
// the entry id: Pleo's UUIDs and short ids (the expected values computed by hand: RFC 4648
// base32 of "e-1" is MUWTC); longer ids get the hash.
TEST(BcInvoiceKey, IsAtMost35UppercaseCharactersAndReadableBackWhereItFits) {
    EXPECT_EQ(invoiceKeyOf("e-1"), "BMUWTC");
    EXPECT_EQ(invoiceKeyOf("0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"), "U0F8E7D6C5B4A439281706F5E4D3C2B1A");
    EXPECT_EQ(invoiceKeyOf("0F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A"), documentNumberOf("0F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A"))
        << "an upper-case UUID would not read back as itself";
    const std::string longId(40, 'x');
    EXPECT_EQ(invoiceKeyOf(longId), documentNumberOf(longId));
    for (const std::string id : {"e-1", "12345678901234567890", "æøå", "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"}) {
        const std::string key = invoiceKeyOf(id);
        EXPECT_LE(key.size(), 35u) << id;
        EXPECT_EQ(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos) << key;
    }
}

}  // namespace
}  // namespace ledgerbridge::bctest
