// The Xero plugin (its real .so) against the stateful Xero test double over real HTTP: the
// documents it creates, idempotency (a repeated Idempotency-Key returns the first result and
// creates nothing), rate limits (429 Retry-After waited for or reported, the daily limit),
// lookup by reference after a lost response, and Xero's validation errors as Pleo reasons.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "XeroDouble.hpp"
#include "XeroSettings.hpp"
#include "XeroTestSupport.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using namespace ledgerbridge::xerotest;
using sdk::OutcomeKind;
using xero::isGuid;

namespace {
Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser p;
    return p.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string field(const Poco::JSON::Object::Ptr& o, const std::string& path) {
    Poco::JSON::Object::Ptr cur = o;
    std::string rest = path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        cur = cur->getObject(rest.substr(0, dot));
        rest = rest.substr(dot + 1);
        if (!cur) return "<missing>";
    }
    return cur->has(rest) ? cur->get(rest).convert<std::string>() : "<missing>";
}

class XeroDoubleTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("lb-xero-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        open();
    }
    void TearDown() override {
        client.reset();
        fs::remove_all(dir);
    }
    /// A new plugin instance (a new host too when `freshHost`: no remembered documents).
    void open(std::vector<std::pair<std::string, std::string>> extra = {}, bool freshHost = false) {
        client.reset();
        if (freshHost) host = std::make_unique<XeroTestHost>();
        client = std::make_unique<sdk::PluginClient>(xeroApi(), *host, "xero");
        client->configure(settings(xero.baseUrl(), std::move(extra)));
    }
    std::vector<XeroDouble::Request> writes() const {
        std::vector<XeroDouble::Request> out;
        for (const auto& r : xero.requests())
            if (r.method == "PUT" || r.method == "POST") out.push_back(r);
        return out;
    }

    fs::path dir;
    XeroDouble xero;
    std::unique_ptr<XeroTestHost> host = std::make_unique<XeroTestHost>();
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(XeroDoubleTest, CardExpensesBecomeSpendBankTransactionsAndReimbursableOnesBills) {
    sdk::Entry card = entry("E-card", "card_purchase", {{12500, 2500}, {2000, 0}});
    card.lines[1].taxCode = "Z0";
    card.receipts.push_back(receipt(dir, "cab receipt.pdf", binaryBytes(), "application/pdf"));
    sdk::Entry pocket = entry("E-pocket", "out_of_pocket");
    pocket.receipts.push_back(receipt(dir, "r.png", "\x89PNG\r\n\x1a\n", "image/png"));
    const sdk::Entry mileage = entry("E-mileage", "mileage", {{4200, 0}});

    const auto out = client->push({card, pocket, mileage});
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) {
        EXPECT_EQ(o.kind, OutcomeKind::Posted) << o.message;
        EXPECT_TRUE(isGuid(o.externalId)) << o.externalId;
        EXPECT_TRUE(o.message.empty()) << o.message;
    }
    EXPECT_EQ(out[0].externalUrl, "https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=" + out[0].externalId);
    EXPECT_EQ(out[1].externalUrl, "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=" + out[1].externalId);

    const auto banks = xero.documents(kTenant, "BankTransactions");
    ASSERT_EQ(banks.size(), 1u);
    const auto bt = parse(banks[0]);
    EXPECT_EQ(field(bt, "Type"), "SPEND");
    EXPECT_EQ(field(bt, "Reference"), "E-card");
    EXPECT_EQ(field(bt, "BankAccount.Code"), "090");
    EXPECT_EQ(field(bt, "CurrencyCode"), "EUR");
    EXPECT_EQ(field(bt, "LineAmountTypes"), "Inclusive");
    EXPECT_EQ(field(bt, "Contact.Name"), "Cab & Co");
    const auto lines = bt->getArray("LineItems");
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ(field(lines->getObject(0), "AccountCode"), "400");
    EXPECT_EQ(field(lines->getObject(0), "TaxType"), "INPUT2");
    EXPECT_EQ(field(lines->getObject(0), "LineAmount"), "125");
    EXPECT_EQ(field(lines->getObject(0), "TaxAmount"), "25");
    EXPECT_EQ(field(lines->getObject(1), "TaxType"), "NONE");
    const auto tracking = lines->getObject(0)->getArray("Tracking");
    ASSERT_EQ(tracking->size(), 1u);
    EXPECT_EQ(field(tracking->getObject(0), "Name"), "Region");
    EXPECT_EQ(field(tracking->getObject(0), "Option"), "North");

    const auto bills = xero.documents(kTenant, "Invoices");
    ASSERT_EQ(bills.size(), 2u);
    EXPECT_EQ(field(parse(bills[0]), "Type"), "ACCPAY");
    EXPECT_EQ(field(parse(bills[0]), "InvoiceNumber"), "E-pocket");
    EXPECT_EQ(field(parse(bills[0]), "Contact.Name"), "Grace Hopper");
    EXPECT_EQ(field(parse(bills[0]), "DueDate"), "2026-03-14");

    const auto attached = xero.attachments(kTenant, out[0].externalId);
    ASSERT_EQ(attached.size(), 1u);
    EXPECT_EQ(attached[0].fileName, "cab receipt.pdf");
    EXPECT_EQ(attached[0].mimeType, "application/octet-stream") << "as Xero's OpenAPI declares; the type is in the name";
    EXPECT_EQ(attached[0].bytes, binaryBytes()) << "attachments are the raw bytes, not base64";
    EXPECT_EQ(xero.attachments(kTenant, out[1].externalId).size(), 1u);

    for (const auto& r : xero.requests()) {
        EXPECT_EQ(r.tenant, kTenant) << r.target;
        EXPECT_TRUE(r.bearer) << r.target;
    }
    for (const auto& w : writes()) {
        EXPECT_FALSE(w.idempotencyKey.empty()) << w.target;
        EXPECT_LE(w.idempotencyKey.size(), 128u);
        if (w.target.find("/Attachments/") == std::string::npos) {
            EXPECT_NE(w.target.find("summarizeErrors=false"), std::string::npos) << w.target;
        }
    }
}

TEST_F(XeroDoubleTest, JournalModeWritesBalancedManualJournalsFoundAgainByNarration) {
    open({{"reimbursable_mode", "journal"}});
    const auto out = client->push({entry("E-j1", "per_diem", {{5000, 0}}), entry("E-j2", "out_of_pocket")});
    ASSERT_EQ(out.size(), 2u);
    for (const auto& o : out) EXPECT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    const auto journals = xero.documents(kTenant, "ManualJournals");
    ASSERT_EQ(journals.size(), 2u);
    const auto j = parse(journals[1]);
    EXPECT_EQ(field(j, "Narration").rfind("Pleo E-j2: ", 0), 0u) << field(j, "Narration");
    EXPECT_EQ(field(j, "Status"), "POSTED");
    const auto lines = j->getArray("JournalLines");
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ(field(lines->getObject(1), "AccountCode"), "814");
    EXPECT_EQ(field(lines->getObject(1), "LineAmount"), "-125");
    open({{"reimbursable_mode", "journal"}}, true);
    EXPECT_EQ(client->lookup(entry("E-j2", "out_of_pocket")).externalId, out[1].externalId);
    EXPECT_EQ(client->lookup(entry("E-j", "out_of_pocket")).kind, OutcomeKind::Absent) << "a prefix is not a match";
}

TEST_F(XeroDoubleTest, ARepeatedIdempotencyKeyReturnsTheFirstResultAndCreatesNothing) {
    // A search that finds nothing and a fresh host each time: only Xero's idempotency protects.
    xero.hideFromSearch(true);
    const std::vector<sdk::Entry> batch{entry("E-i1", "card_purchase"), entry("E-i2", "card_purchase")};
    const auto first = client->push(batch);
    open({}, true);
    const auto second = client->push(batch);
    ASSERT_EQ(second.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(second[i].kind, OutcomeKind::Posted);
        EXPECT_EQ(second[i].externalId, first[i].externalId);
    }
    EXPECT_EQ(xero.created(), 2) << "the repeated call created documents";
    const auto w = writes();
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].idempotencyKey, w[1].idempotencyKey);

    // Changed content is a new key (and, were the document not found by its entry id, a new
    // document: why the lookup before create cannot be turned off).
    sdk::Entry changed = batch[0];
    changed.lines[0].accountCode = "429";
    open({}, true);
    client->push({changed});
    ASSERT_EQ(writes().size(), 3u);
    EXPECT_NE(writes()[2].idempotencyKey, w[0].idempotencyKey);
}

TEST_F(XeroDoubleTest, TurningTheLookupBeforeCreateOffIsRefused) {
    client.reset();
    client = std::make_unique<sdk::PluginClient>(xeroApi(), *host, "xero");
    try {
        client->configure(settings(xero.baseUrl(), {{"lookup_before_create", "false"}}));
        FAIL() << "lookup_before_create=false was accepted";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
        ASSERT_EQ(e.settingErrors().size(), 1u);
        EXPECT_EQ(e.settingErrors()[0].first, "lookup_before_create");
    }
}

TEST_F(XeroDoubleTest, AFreshInstanceFindsTheDocumentByEntryIdEvenUnderANewIdempotencyKey) {
    const std::vector<sdk::Entry> batch{entry("E-k1", "card_purchase"), entry("E-k2", "out_of_pocket")};
    const auto first = client->push(batch);
    ASSERT_EQ(xero.created(), 2);

    // The state directory is lost and the same entries come with new keys (their export items
    // changed in fields that say nothing about the booking).
    std::vector<sdk::Entry> rekeyed = batch;
    for (auto& e : rekeyed) e.idempotencyKey += "-new";
    open({}, true);
    EXPECT_EQ(client->lookup(rekeyed[0]).externalId, first[0].externalId);
    EXPECT_EQ(client->lookup(rekeyed[1]).externalId, first[1].externalId);
    open({}, true);
    const auto again = client->push(rekeyed);
    ASSERT_EQ(again.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(again[i].kind, OutcomeKind::Posted) << again[i].message;
        EXPECT_EQ(again[i].externalId, first[i].externalId);
    }
    EXPECT_EQ(xero.created(), 2) << "a new idempotency key created a second document";

    // With the host state kept, the new key needs no request at all (remembered by entry id).
    const std::size_t calls = xero.requests().size();
    const auto remembered = client->push(rekeyed);
    EXPECT_EQ(remembered[0].externalId, first[0].externalId);
    EXPECT_EQ(xero.requests().size(), calls);
}

TEST_F(XeroDoubleTest, ReRunsNeverDuplicate) {
    const std::vector<sdk::Entry> batch{entry("E-r1", "card_purchase"), entry("E-r2", "out_of_pocket")};
    const auto first = client->push(batch);
    const auto again = client->push(batch);  // remembered in the host's state: no request at all
    open({}, true);                          // state lost: found by reference
    const auto third = client->push(batch);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(again[i].externalId, first[i].externalId);
        EXPECT_EQ(third[i].externalId, first[i].externalId);
    }
    EXPECT_EQ(xero.created(), 2);
}

TEST_F(XeroDoubleTest, A429IsWaitedForAsRetryAfterSaysAndTheSameKeySentAgain) {
    xero.rateLimitNext(1, 1, "minute", true);  // the create call, not the lookup before it
    const auto start = std::chrono::steady_clock::now();
    const auto out = client->push({entry("E-rl", "card_purchase")});
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, OutcomeKind::Posted) << out[0].message;
    const auto w = writes();
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].status, 429);
    EXPECT_EQ(w[1].status, 200);
    EXPECT_EQ(w[0].idempotencyKey, w[1].idempotencyKey);
    bool logged = false;
    for (const auto& l : host->logLines) logged = logged || l.find("Retry-After") != std::string::npos;
    EXPECT_TRUE(logged);
    EXPECT_EQ(xero.created(), 1);
}

TEST_F(XeroDoubleTest, ALongerRetryAfterEndsThePushAsRetryableWithoutWriting) {
    xero.rateLimitNext(1, 120, "minute");
    const auto out = client->push({entry("E-rl1", "card_purchase"), entry("E-rl2", "out_of_pocket")});
    ASSERT_EQ(out.size(), 2u);
    for (const auto& o : out) {
        EXPECT_EQ(o.kind, OutcomeKind::Retryable);
        EXPECT_NE(o.message.find("retry in 120 s"), std::string::npos) << o.message;
    }
    EXPECT_EQ(xero.created(), 0);
}

TEST_F(XeroDoubleTest, AUsedUpDailyLimitIsReportedRetryableAndStopsCalling) {
    xero.setDayLimit(2);  // the lookup and the create; X-DayLimit-Remaining then says 0
    EXPECT_EQ(client->push({entry("E-d1", "card_purchase")})[0].kind, OutcomeKind::Posted);
    const std::size_t calls = xero.requests().size();
    const auto out = client->push({entry("E-d2", "card_purchase")});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, OutcomeKind::Retryable);
    EXPECT_NE(out[0].message.find("daily limit"), std::string::npos) << out[0].message;
    EXPECT_EQ(xero.requests().size(), calls) << "a call was sent after the daily limit was used up";

    open({}, true);  // a new instance learns it from the 429
    const auto late = client->push({entry("E-d3", "card_purchase")});
    EXPECT_EQ(late[0].kind, OutcomeKind::Retryable);
    EXPECT_NE(late[0].message.find("daily limit"), std::string::npos) << late[0].message;
}

TEST_F(XeroDoubleTest, AUsedUpMinuteLimitIsRespectedBeforeTheNextCall) {
    xero.setMinuteLimit(2);  // the lookup and the create; X-MinLimit-Remaining then says 0
    EXPECT_EQ(client->push({entry("E-m1", "card_purchase")})[0].kind, OutcomeKind::Posted);
    const std::size_t calls = xero.requests().size();
    const auto out = client->push({entry("E-m2", "card_purchase")});  // the window is a minute > 5 s allowed
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, OutcomeKind::Retryable);
    EXPECT_NE(out[0].message.find("per-minute limit"), std::string::npos) << out[0].message;
    EXPECT_EQ(xero.requests().size(), calls) << "a call was sent into a used-up minute";
}

TEST_F(XeroDoubleTest, ALostResponseIsUnknownAndLookupByReferenceFindsTheDocument) {
    host->loseResponse = [](const sdk::HttpRequest& r) {
        return r.method == "PUT" && r.url.find("/BankTransactions?") != std::string::npos;
    };
    const sdk::Entry e = entry("E-t1", "card_purchase");
    const auto out = client->push({e, entry("E-t2", "out_of_pocket")});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, OutcomeKind::Unknown) << out[0].message;
    ASSERT_EQ(xero.documents(kTenant, "BankTransactions").size(), 1u) << "the double did create it";
    host->loseResponse = nullptr;

    const sdk::Outcome found = client->lookup(e);
    ASSERT_EQ(found.kind, OutcomeKind::Posted);
    EXPECT_EQ(found.externalId, field(parse(xero.documents(kTenant, "BankTransactions")[0]), "BankTransactionID"));
    EXPECT_EQ(client->push({e})[0].externalId, found.externalId);
    EXPECT_EQ(xero.documents(kTenant, "BankTransactions").size(), 1u);
    EXPECT_EQ(client->lookup(entry("E-never", "card_purchase")).kind, OutcomeKind::Absent);

    xero.deleteDocument(kTenant, "BankTransactions", found.externalId);
    EXPECT_EQ(client->lookup(e).kind, OutcomeKind::Absent) << "a deleted document does not count";
}

// The host was killed after Xero created the document and before its receipt was attached:
// the lookup that resolves the entry (given its receipts) attaches it, once.
TEST_F(XeroDoubleTest, LookupCompletesAFoundDocumentWithTheReceiptsItLacks) {
    const sdk::Entry bare = entry("E-r1", "card_purchase");
    ASSERT_EQ(client->push({bare})[0].kind, OutcomeKind::Posted);
    const std::string id = field(parse(xero.documents(kTenant, "BankTransactions")[0]), "BankTransactionID");
    ASSERT_TRUE(xero.attachments(kTenant, id).empty());

    sdk::Entry withReceipt = bare;
    withReceipt.receipts.push_back(receipt(dir / "r", "taxi.pdf", binaryBytes(), "application/pdf"));
    const sdk::Outcome found = client->lookup(withReceipt);
    ASSERT_EQ(found.kind, OutcomeKind::Posted) << found.message;
    EXPECT_EQ(found.externalId, id);
    const auto attached = xero.attachments(kTenant, id);
    ASSERT_EQ(attached.size(), 1u);
    EXPECT_EQ(attached[0].bytes, binaryBytes());

    EXPECT_EQ(client->lookup(withReceipt).kind, OutcomeKind::Posted);
    EXPECT_EQ(xero.attachments(kTenant, id).size(), 1u) << "a document with attachments gets no second copy";
    EXPECT_EQ(xero.documents(kTenant, "BankTransactions").size(), 1u);
}

TEST_F(XeroDoubleTest, XeroValidationErrorsBecomePleoFailureReasonsWithXerosMessage) {
    open({{"tax_types", "S25:INPUT2,S12:BOGUS"}});
    sdk::Entry badAccount = entry("E-v1", "card_purchase");
    badAccount.lines[0].accountCode = "999";
    sdk::Entry badTax = entry("E-v2", "card_purchase");
    badTax.lines[0].taxCode = "S12";
    sdk::Entry badTag = entry("E-v3", "card_purchase");
    badTag.lines[0].tags[0].name = "Atlantis";
    const auto out = client->push({badAccount, badTax, entry("E-v4", "card_purchase"), badTag});
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].failureReason, "account_unknown");
    EXPECT_NE(out[0].message.find("Account code '999' is not a valid code"), std::string::npos) << out[0].message;
    EXPECT_EQ(out[1].failureReason, "tax_code_unknown");
    EXPECT_NE(out[1].message.find("BOGUS"), std::string::npos) << out[1].message;
    EXPECT_EQ(out[2].kind, OutcomeKind::Posted) << "a good document in the same call still posts";
    EXPECT_EQ(out[3].failureReason, "tag_unknown");
    for (std::size_t i : {0u, 1u, 3u}) EXPECT_EQ(out[i].kind, OutcomeKind::Rejected);
    EXPECT_EQ(xero.created(), 1);
}

TEST_F(XeroDoubleTest, BatchesHoldAtMostFiftyDocuments) {
    std::vector<sdk::Entry> batch;
    for (int i = 0; i < 120; ++i) batch.push_back(entry("E-b" + std::to_string(i), "card_purchase"));
    const auto out = client->push(batch);
    ASSERT_EQ(out.size(), 120u);
    for (const auto& o : out) EXPECT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    std::vector<std::size_t> sizes;
    for (const auto& w : writes()) sizes.push_back(w.bodyBytes);
    ASSERT_EQ(sizes.size(), 3u) << "120 documents in calls of at most 50";
    int lookups = 0;
    for (const auto& r : xero.requests()) lookups += r.method == "GET";
    EXPECT_EQ(lookups, 5) << "references are looked up 25 at a time: 2 + 2 + 1";
    EXPECT_EQ(xero.documents(kTenant, "BankTransactions").size(), 120u);
}

TEST_F(XeroDoubleTest, CheckReadsOrganisationAndBankAccountAndNamesProblems) {
    client->check();
    for (const auto& r : xero.requests()) EXPECT_EQ(r.method, "GET");
    open({{"bank_account_code", "400"}});
    try {
        client->check();
        FAIL() << "an expense account was accepted as the bank account";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
        EXPECT_NE(std::string(e.what()).find("bank_account_code 400"), std::string::npos) << e.what();
    }
    host->token = "";
    open();
    try {
        client->check();
        FAIL() << "check passed without a token";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_TARGET);
        EXPECT_NE(std::string(e.what()).find("authorised again"), std::string::npos) << e.what();
    }
}

TEST_F(XeroDoubleTest, NoTokenReachesALogOrAnOutcome) {
    xero.rateLimitNext(1, 1);
    host->loseResponse = [](const sdk::HttpRequest& r) { return r.url.find("/Invoices?") != std::string::npos; };
    const auto out = client->push({entry("E-s1", "card_purchase"), entry("E-s2", "out_of_pocket")});
    std::string everything;
    for (const auto& l : host->logLines) everything += l + "\n";
    for (const auto& o : out) everything += o.message + o.externalUrl + "\n";
    for (const auto& ex : host->exchangesSnapshot())
        for (const auto& [k, v] : ex.requestHeaders) everything += k + ": " + v + "\n";
    EXPECT_EQ(everything.find(*host->token), std::string::npos);
    EXPECT_EQ(everything.find("Bearer"), std::string::npos);
    const lb_manifest* m = xeroApi()->describe();
    for (std::size_t i = 0; i < m->setting_count; ++i) EXPECT_EQ(m->settings[i].secret, 0) << m->settings[i].key;
    ASSERT_NE(m->oauth, nullptr);
    EXPECT_STREQ(m->oauth->authorize_url, "https://login.xero.com/identity/connect/authorize");
    EXPECT_STREQ(m->oauth->token_url, "https://identity.xero.com/connect/token");
    EXPECT_NE(std::string(m->oauth->scopes).find("offline_access"), std::string::npos);
}

TEST_F(XeroDoubleTest, ReverseChargeAndUnbalancedDocumentsAgainstTheDouble) {
    open({{"region", "UK"}, {"line_amount_types", "Exclusive"}}, true);
    sdk::Entry rc = entry("E-rc", "card_purchase", {{12500, 2500}, {40000, 10000}});
    rc.lines[1].netAmount = rc.lines[1].walletAmount;
    rc.lines[1].taxType = "reverse";
    rc.lines[1].taxCode = "RC25";
    sdk::Entry short1 = entry("E-short", "card_purchase");
    short1.lines[0].taxCode.clear();  // would be sent without its tax: 25.00 short

    // The dry run rejects what push rejects and plans what push sends.
    const auto dry = client->plan({rc, short1});
    ASSERT_EQ(dry.rejections.size(), 1u);
    EXPECT_EQ(dry.rejections[0].entryIndex, 1u);
    EXPECT_EQ(dry.rejections[0].failureReason, "validation_failure");
    ASSERT_EQ(dry.documents.size(), 1u);
    EXPECT_EQ(dry.documents[0].entryIndex, 0u);

    auto out = client->push({rc, short1});
    ASSERT_EQ(out.size(), 2u);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.entryIndex < b.entryIndex; });
    EXPECT_EQ(out[0].kind, OutcomeKind::Posted) << out[0].message;
    EXPECT_EQ(out[1].kind, OutcomeKind::Rejected);
    EXPECT_EQ(out[1].message, dry.rejections[0].message);
    EXPECT_NE(out[1].message.find("gross is 12500"), std::string::npos) << out[1].message;
    const auto docs = xero.documents(kTenant, "BankTransactions");
    ASSERT_EQ(docs.size(), 1u) << "the unbalanced document reached Xero";
    const auto lines = parse(docs[0])->getArray("LineItems");
    EXPECT_EQ(field(lines->getObject(1), "TaxType"), "REVERSECHARGES");
    EXPECT_EQ(field(lines->getObject(1), "TaxAmount"), "0");
}
