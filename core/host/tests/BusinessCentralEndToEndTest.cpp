// The Business Central plugin end to end: the simulator's export job → `ledgerbridge run` (a
// real process, killed with SIGKILL at random instants) → businesscentral.so through the host's
// loader → the host's target HTTP (the target grant's bearer token) → the stateful BC double.
// And the target identity: the company is part of the connection's target fingerprint.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "BcDouble.hpp"
#include "TargetDoubleHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;
using bctest::BcDouble;

namespace {
const char* kCompanyB = "7a2f5d3b-1c8e-4f90-8b2c-3d4e5f6a7b8c";

/// The simulator's chart, tax codes and tag groups as a BC company knows them (on top of the
/// double's default company: its VAT accounts 5610/5620 and the journal batch).
BcDouble::Company simulatorCompany() {
    BcDouble::Company c = BcDouble::defaultCompany();
    int n = 0;
    auto id = [&n](const char* kind) { return std::string(kind) + "0000-0000-4000-8000-" + std::to_string(100000000000 + ++n); };
    for (int code = 4000; code <= 4110; code += 10)
        c.accounts.push_back({id("acc1"), std::to_string(code), "Expenses " + std::to_string(code), "Expense", false});
    c.accounts.push_back({id("acc1"), "1900", "Pleo DKK", "Assets", false});
    c.taxGroups.push_back({id("tax1"), "VAT6", "VAT 6 %", "6", false});
    c.taxGroups.push_back({id("tax1"), "VAT0", "VAT 0 %", "0", false});
    const std::string dept = id("dim1"), project = c.dimensions.front().id;  // PROJECT is the default's first
    c.dimensions.push_back({dept, "DEPT", "Department"});
    for (const char* v : {"SALES", "ENG", "OPS"}) c.dimensionValues.push_back({id("dva1"), v, v, dept});
    for (const char* v : {"P100", "P200"}) c.dimensionValues.push_back({id("dva1"), v, v, project});
    // The simulator's suppliers (codes V1000…) as vendors whose prices include VAT: Pleo's VAT
    // is figured from the gross amount, which BC does the same way only for such vendors (with
    // the default V100, prices excluding VAT, 72 of 2,000 entries were rightly refused for a
    // cent). V1000 is also the default_vendor of entries without a supplier.
    for (int number = 1000; number < 1050; ++number)
        c.vendors.push_back({id("ven1"), "V" + std::to_string(number), "Supplier " + std::to_string(number), "", "DK", "", " ",
                             true});
    return c;
}

std::string settingsFor(const BcDouble& bc, const std::string& extra) {
    return std::string("setting.tenant_id = ") + BcDouble::kTenant + "\nsetting.environment = " + BcDouble::kEnvironment +
           "\nsetting.company_id = " + BcDouble::kCompany + "\nsetting.journal_id = " + BcDouble::kJournal +
           "\nsetting.local_currency = DKK\nsetting.base_url = " + bc.baseUrl() +
           "\nsetting.tax_codes = I25:VAT25,I12:VAT12,I6:VAT6,E0:VAT0\n"
           "setting.reverse_charge_tax_codes = RC25:EUREV25\nsetting.dimensions = DEPT:DEPT,PROJECT:PROJECT\n" + extra;
}

/// An installation exporting the simulator's first company into `bc`, logged in both ways.
std::unique_ptr<Installation> bcInstallation(BcDouble& bc, const std::string& items,
                                             std::vector<std::string> more = {}, const std::string& extraSettings = "") {
    bc.setCompany(BcDouble::kTenant, BcDouble::kEnvironment, BcDouble::kCompany, simulatorCompany());
    more.insert(more.begin(), {"--items", items});
    auto inst = std::make_unique<Installation>(more, settingsFor(bc, extraSettings), "businesscentral");
    useTargetDouble(*inst, hostPortOf(bc.baseUrl()));
    loginTarget(*inst);
    return inst;
}

/// Every Pleo item of `job` is successful with its BC document number, and each of those
/// documents was posted exactly once; nothing else was posted. Returns the documents.
std::size_t expectEveryEntryPostedOnce(Installation& inst, const BcDouble::Company& books,
                                       const std::vector<std::string>& jobs, std::size_t entries) {
    std::set<std::string> documents;
    for (const auto& job : jobs)
        for (const auto& item : inst.jobItems(job)) {
            if (item.status != "successful") continue;  // the first job of a pair may have closed
            EXPECT_TRUE(documents.insert(item.externalId).second) << "two entries share " << item.externalId;
            const auto posted = books.postings.find(item.externalId);
            EXPECT_TRUE(posted != books.postings.end()) << item.entryId << " successful in Pleo, not posted in BC";
            if (posted != books.postings.end()) {
                EXPECT_EQ(posted->second, 1) << item.externalId << " posted twice";
            }
        }
    EXPECT_EQ(documents.size(), entries);
    EXPECT_EQ(books.postings.size(), entries) << "documents posted in BC that Pleo does not hold";
    for (const auto& [doc, lines] : books.journals) EXPECT_TRUE(lines.empty()) << "unposted lines left in " << doc;
    // Receipts: each once on its posted document (the simulator gives an entry none, a PDF, or
    // a PDF and a PNG), with its bytes; none on a document BC did not post.
    for (const auto& [doc, attached] : books.documentAttachments) {
        EXPECT_TRUE(books.postings.count(doc)) << doc;
        std::set<std::string> names;
        for (const auto& a : attached) {
            EXPECT_TRUE(names.insert(a.fileName).second) << a.fileName << " attached twice to " << doc;
            EXPECT_TRUE(a.hasContent && !a.bytes.empty()) << a.fileName << " without its bytes";
        }
    }
    EXPECT_TRUE(books.lineAttachments.empty());
    return documents.size();
}
}  // namespace

/// Purchase-invoice mode: every successful Pleo item's external id is a posted invoice's key
/// (posted once) or, for a refund, a journal document (posted once); no draft is left; each
/// invoice's receipts are on it once with their bytes. Returns the posted invoices.
std::size_t expectEveryEntryPostedOnceAsInvoice(Installation& inst, const BcDouble::Company& books,
                                                const std::string& job, std::size_t entries) {
    std::size_t invoices = 0, refunds = 0;
    std::set<std::string> ids;
    for (const auto& item : inst.jobItems(job)) {
        EXPECT_EQ(item.status, "successful") << item.entryId;
        EXPECT_TRUE(ids.insert(item.externalId).second) << "two entries share " << item.externalId;
        const auto invoice = books.invoicePostings.find(item.externalId);
        const auto journal = books.postings.find(item.externalId);
        if (invoice != books.invoicePostings.end()) {
            EXPECT_EQ(invoice->second, 1) << item.externalId << " posted twice";
            ++invoices;
        } else if (journal != books.postings.end()) {
            EXPECT_EQ(journal->second, 1) << item.externalId << " (a refund) posted twice";
            ++refunds;
        } else {
            ADD_FAILURE() << item.entryId << " successful in Pleo, not posted in BC";
        }
    }
    EXPECT_EQ(ids.size(), entries);
    EXPECT_EQ(books.invoicePostings.size() + books.postings.size(), entries) << "documents Pleo does not hold";
    std::size_t withReceipts = 0;
    for (const auto& inv : books.purchaseInvoices) {
        EXPECT_EQ(inv.status, "Open") << "draft " << inv.vendorInvoiceNumber << " left behind";
        std::set<std::string> names;
        for (const auto& a : inv.attachments) {
            EXPECT_TRUE(names.insert(a.fileName).second) << a.fileName << " attached twice to " << inv.vendorInvoiceNumber;
            EXPECT_TRUE(a.hasContent && !a.bytes.empty()) << a.fileName << " without its bytes";
        }
        withReceipts += !inv.attachments.empty();
    }
    EXPECT_EQ(books.purchaseInvoices.size(), invoices) << "more invoices than entries posted as invoices";
    EXPECT_GT(withReceipts, invoices / 2) << "most simulated entries carry receipts";
    for (const auto& [doc, lines] : books.journals) EXPECT_TRUE(lines.empty()) << "unposted lines left in " << doc;
    std::cout << "[ businesscentral purchase_invoice ] " << invoices << " invoices (" << withReceipts
              << " with receipts), " << refunds << " refunds as journal lines against the vendor, "
              << books.deletedDrafts << " drafts deleted\n";
    return invoices;
}

TEST(BusinessCentralEndToEnd, KilledAtRandomInstantsThirtyTimesPostsEveryEntryExactlyOnce) {
    const auto started = std::chrono::steady_clock::now();
    BcDouble bc;
    auto inst = bcInstallation(bc, "2000");
    const std::string job = inst->createJob();
    // A run needs ~0.3 s to reach BC (start, Pleo and target tokens, the first page) and then
    // posts some 10-20 documents a second on a loaded 2-core machine: kills up to 4 s spread the
    // 30 over the export, landing in pushes, lookups, attachments and the batch's clean-up.
    const KillCount n = killAtRandomInstants(*inst, job, 30, 300, 4000);
    const std::size_t beforeLast = bc.company().postings.size();
    auto last = inst->ledgerbridge({"run", "--no-progress"});
    ASSERT_EQ(last.exitCode, 0) << last.out << last.err;
    EXPECT_EQ(inst->jobStatus(job), "completed");
    EXPECT_GE(n.kills, 30) << "the export finished before 30 kills";
    const auto books = bc.company();
    expectEveryEntryPostedOnce(*inst, books, {job}, 2000);
    EXPECT_GT(books.documentAttachments.size(), 1000u) << "most simulated entries carry receipts";
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    std::cout << "[ businesscentral ] " << n.kills << " SIGKILLs over " << n.runs << " runs (+4 at durable steps); "
              << beforeLast << " of 2000 documents posted before the last run; " << books.documentAttachments.size()
              << " with their receipts attached once (" << books.orphanedAttachments
              << " left on lines a later push deleted); " << books.ledger.size()
              << " G/L entries, " << bc.requests().size() << " requests; " << seconds.count() << " s\n";
    RecordProperty("kills", n.kills);
    RecordProperty("seconds", static_cast<int>(seconds.count()));
}

// mode=purchase_invoice, the same 2,000 entries and 30 random SIGKILLs (then one at each
// durable step): a kill between an invoice's creation and its post leaves a draft that a later
// run finds by vendorInvoiceNumber and completes; none is created twice or left unposted.
TEST(BusinessCentralEndToEnd, PurchaseInvoicesKilledThirtyTimesPostEveryEntryExactlyOnce) {
    const auto started = std::chrono::steady_clock::now();
    BcDouble bc;
    auto inst = bcInstallation(bc, "2000", {}, "setting.mode = purchase_invoice\nsetting.default_vendor = V1000\n");
    const std::string job = inst->createJob();
    const KillCount n = killAtRandomInstants(*inst, job, 30, 300, 4000);
    const std::size_t beforeLast = bc.company().invoicePostings.size();
    auto last = inst->ledgerbridge({"run", "--no-progress"});
    ASSERT_EQ(last.exitCode, 0) << last.out << last.err;
    EXPECT_EQ(inst->jobStatus(job), "completed");
    EXPECT_GE(n.kills, 30) << "the export finished before 30 kills";
    const auto books = bc.company();
    expectEveryEntryPostedOnceAsInvoice(*inst, books, job, 2000);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    std::cout << "[ businesscentral purchase_invoice ] " << n.kills << " SIGKILLs over " << n.runs << " runs (+4 at durable "
              << "steps); " << beforeLast << " invoices posted before the last run; " << books.ledger.size()
              << " G/L entries, " << bc.requests().size() << " requests; " << seconds.count() << " s\n";
    RecordProperty("kills", n.kills);
    RecordProperty("seconds", static_cast<int>(seconds.count()));
}

// Issue 20: company and environment are part of the connection's target fingerprint. Entries
// posted into company A and never reported (the run died, Pleo expired the job) are "already
// posted" for a new job as long as the connection writes to A — and not once it writes to B:
// B gets every entry, A keeps what it had.
TEST(BusinessCentralEndToEnd, AnotherCompanyIsAnotherTargetTheLedgerDoesNotCarryPostingsAcross) {
    for (const bool switchCompany : {false, true}) {
        SCOPED_TRACE(switchCompany ? "company B" : "still company A");
        BcDouble bc;
        auto inst = bcInstallation(bc, "30");
        bc.setCompany(BcDouble::kTenant, BcDouble::kEnvironment, kCompanyB, simulatorCompany());
        const std::string first = inst->createJob();
        auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst->argv({"run"}),
                                           {{"LEDGERBRIDGE_CRASH_AT", "export:pushed#1"}});
        ASSERT_NE(crashed.exitCode, 0);
        ASSERT_EQ(bc.company().postings.size(), 30u) << "the batch reached company A before the crash";
        inst->sim().admin("POST", "/admin/clock/advance", "{\"seconds\":7200}");  // Pleo expires the job
        (void)inst->ledgerbridge({"run"});  // learns that Pleo closed it
        if (switchCompany) {
            setConfigValue(*inst, "setting.company_id", kCompanyB);
            // The target grant belongs to the identity too: company B needs its own login.
            auto refused = inst->ledgerbridge({"run"});
            EXPECT_EQ(refused.exitCode, 6) << refused.out << refused.err;
            EXPECT_NE(refused.out.find("company_id=" + std::string(kCompanyB)), std::string::npos) << refused.out;
            loginTarget(*inst);
        }
        const std::string second = inst->createJob();
        auto r = inst->ledgerbridge({"run"});
        ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
        EXPECT_EQ(inst->jobStatus(second), "completed");
        const auto a = bc.company(), b = bc.company(BcDouble::kTenant, BcDouble::kEnvironment, kCompanyB);
        EXPECT_EQ(a.postings.size(), 30u) << "company A keeps exactly what it had";
        for (const auto& [doc, times] : a.postings) EXPECT_EQ(times, 1) << doc;
        if (switchCompany) {
            expectEveryEntryPostedOnce(*inst, b, {second}, 30);
        } else {
            EXPECT_TRUE(b.postings.empty());
            expectEveryEntryPostedOnce(*inst, a, {second}, 30);
        }
    }
}

// target.grant = client_credentials (Entra service to service): no `auth login --target`, the
// host requests the token from the (simulator's TLS) token endpoint itself; a refused secret
// stops the run with exit 2 naming the target client; `auth status` shows the grant.
TEST(BusinessCentralEndToEnd, ClientCredentialsNeedNoLoginARefusedSecretIsExit2AndStatusShowsTheToken) {
    BcDouble bc;
    bc.setCompany(BcDouble::kTenant, BcDouble::kEnvironment, BcDouble::kCompany, simulatorCompany());
    Installation inst({"--items", "10"}, settingsFor(bc, ""), "businesscentral");
    useTargetDouble(inst, hostPortOf(bc.baseUrl()));
    // offline_access is dropped for this grant (it asks for a refresh token, which it never gets).
    setConfigValue(inst, "target.scopes", "export-jobs:read offline_access\ntarget.grant = client_credentials");
    std::ofstream(inst.dir() + "/wrong-secret") << "not-the-target-secret\n";
    std::filesystem::permissions(inst.dir() + "/wrong-secret", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    setConfigValue(inst, "target.client_secret", "file:wrong-secret");

    auto before = inst.ledgerbridge({"auth", "status", "--local"});
    EXPECT_NE(before.out.find("target:       client_credentials, no token yet"), std::string::npos) << before.out;
    const std::string job = inst.createJob();
    auto refused = inst.ledgerbridge({"run"});
    EXPECT_EQ(refused.exitCode, 2) << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("invalid_client"), std::string::npos) << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("[connection.acme]"), std::string::npos) << refused.out << refused.err;
    EXPECT_EQ((refused.out + refused.err).find("not-the-target-secret"), std::string::npos);
    EXPECT_TRUE(bc.company().postings.empty());

    setConfigValue(inst, "target.client_secret", "file:client-secret");
    auto login = inst.ledgerbridge({"auth", "login", "--connection", "acme", "--target", "--no-browser"});
    EXPECT_EQ(login.exitCode, 0) << login.out << login.err;
    EXPECT_NE(login.out.find("no login is needed"), std::string::npos) << login.out;
    const std::string second = inst.createJob();
    auto r = inst.ledgerbridge({"run"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(inst.jobStatus(second), "completed");
    EXPECT_EQ(bc.company().postings.size(), 10u);
    auto after = inst.ledgerbridge({"auth", "status", "--local"});
    EXPECT_NE(after.out.find("target:       client_credentials, token valid until"), std::string::npos) << after.out;
    (void)job;
}
