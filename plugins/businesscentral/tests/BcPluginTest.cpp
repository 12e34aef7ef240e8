// The Business Central plugin's export through the real .so into the stateful double: documents
// balance and carry Pleo's amounts (the double's G/L entries summed by this test's own
// arithmetic), a crash at any write is recovered by documentNumber without a second document,
// an ETag that changed is read again, 429 waits for Retry-After, BC's refusals become Pleo's
// failure reasons; plus the mapping units (journalOf) that push and the dry run share.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "BcEntries.hpp"
#include "BcJournal.hpp"
#include "BcTestSupport.hpp"

namespace ledgerbridge::bctest {
namespace {

using businesscentral::documentNumberOf;
using sdk::OutcomeKind;

/// account -> cents of the G/L entries of `documentNumber`.
std::map<std::string, std::int64_t> postings(const BcDouble& bc, const std::string& documentNumber) {
    std::map<std::string, std::int64_t> out;
    for (const auto& g : bc.company().ledger)
        if (g.documentNumber == documentNumber) out[g.accountNumber] += g.cents;
    return out;
}

std::size_t documentsIn(const BcDouble& bc) {
    std::map<std::string, int> numbers;
    for (const auto& g : bc.company().ledger) ++numbers[g.documentNumber];
    return numbers.size();
}

class BcPluginTest : public BcPluginFixture {};

TEST_F(BcPluginTest, PostedDocumentsBalanceAndCarryPleosAmountsPerAccount) {
    const auto outcomes = client->push({entry("e-1"), entry("e-2")});
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& o : outcomes) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(outcomes[0].externalId, documentNumberOf("e-1"));
    EXPECT_EQ(documentsIn(bc), 2u);
    const auto p = postings(bc, documentNumberOf("e-1"));
    std::int64_t sum = 0;
    for (const auto& [account, cents] : p) sum += cents;
    EXPECT_EQ(sum, 0) << "the document does not balance";
    EXPECT_EQ(p.at("6110"), 10000);
    EXPECT_EQ(p.at("6120"), 2000);
    EXPECT_EQ(p.at("5610"), 2500 + 240);
    EXPECT_EQ(p.at("2900"), -14740);
    bool tagged = false;
    for (const auto& g : bc.company().ledger)
        if (g.accountNumber == "6110" && g.documentNumber == documentNumberOf("e-1"))
            tagged = g.dimensions == std::vector<std::pair<std::string, std::string>>{{"PROJECT", "P-17"}};
    EXPECT_TRUE(tagged) << "the PROJECT tag did not become a dimension set line";
    EXPECT_TRUE(bc.company().journals.at(BcDouble::kJournal).empty()) << "lines left unposted";
}

TEST_F(BcPluginTest, AReverseChargeLineSelfAssessesVatBothWays) {
    sdk::Entry e = entry("rc-1");
    e.lines[1].taxType = "reverse";
    e.lines[1].taxCode = "RC25";
    e.lines[1].netAmount = e.lines[1].walletAmount = eur(2000);
    e.lines[1].taxAmount = eur(500);
    e.totalWallet = eur(14500);
    ASSERT_EQ(client->push({e}).at(0).kind, OutcomeKind::Posted);
    const auto p = postings(bc, documentNumberOf("rc-1"));
    EXPECT_EQ(p.at("6120"), 2000);
    EXPECT_EQ(p.at("5610"), 2500 + 500);
    EXPECT_EQ(p.at("5620"), -500);
    EXPECT_EQ(p.at("2900"), -14500);
}

TEST_F(BcPluginTest, PushingAgainFindsTheDocumentAndWritesNothing) {
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    xerotest::XeroTestHost freshHost;
    const auto o = pushAgainFromEmptyState(entry("e-1"), freshHost);
    EXPECT_EQ(o.kind, OutcomeKind::Posted);
    EXPECT_EQ(o.externalId, documentNumberOf("e-1"));
    EXPECT_EQ(documentsIn(bc), 1u);
    // One request: the $batch of lookups (a POST that only reads), nothing written.
    const auto exchanges = freshHost.exchangesSnapshot();
    ASSERT_EQ(exchanges.size(), 1u);
    EXPECT_NE(exchanges[0].url.find("/api/v2.0/$batch"), std::string::npos) << exchanges[0].url;
    EXPECT_EQ(bc.batchedRequests(), 2) << "each push looked its one entry up in a $batch";
}

// A push of many entries looks them all up in one $batch (BC: at most 100 operations each),
// and clears the journal batch once, not before every entry.
TEST_F(BcPluginTest, APushLooksItsEntriesUpInOneBatchAndReadsTheJournalOnce) {
    ASSERT_EQ(client->push({entry("e-0")}).at(0).kind, OutcomeKind::Posted);
    std::vector<sdk::Entry> batch;
    for (int i = 0; i < 120; ++i) batch.push_back(entry("e-" + std::to_string(i)));
    const std::size_t before = host.exchangesSnapshot().size();
    const auto out = client->push(batch);
    for (const auto& o : out) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(documentsIn(bc), 120u) << "e-0 was posted before, not again";
    int batches = 0, lookups = 0, journalReads = 0, posts = 0;
    const auto all = host.exchangesSnapshot();
    for (std::size_t i = before; i < all.size(); ++i) {
        batches += all[i].url.find("/$batch") != std::string::npos;
        lookups += all[i].url.find("generalLedgerEntries") != std::string::npos;
        journalReads += all[i].method == "GET" && all[i].url.find("/journalLines") != std::string::npos;
        posts += all[i].url.find("Microsoft.NAV.post") != std::string::npos;
    }
    EXPECT_EQ(batches, 2) << "120 lookups in $batches of at most 100";
    EXPECT_EQ(lookups, 0) << "no lookup outside the $batch";
    EXPECT_EQ(journalReads, 1) << "the journal batch is read once, before the first write";
    EXPECT_EQ(posts, 119);
}

TEST_F(BcPluginTest, ACrashAfterPostingIsFoundByLookupByItsDocumentNumber) {
    host.loseResponse = [](const sdk::HttpRequest& r) {
        return r.url.find("Microsoft.NAV.post") != std::string::npos;
    };
    const auto o = client->push({entry("e-1")}).at(0);
    ASSERT_EQ(o.kind, OutcomeKind::Unknown) << o.message;
    xerotest::XeroTestHost freshHost;
    auto fresh = connect(freshHost);
    const auto found = fresh->lookup(entry("e-1"));
    EXPECT_EQ(found.kind, OutcomeKind::Posted);
    EXPECT_EQ(found.externalId, documentNumberOf("e-1"));
    EXPECT_EQ(fresh->lookup(entry("never-pushed")).kind, OutcomeKind::Absent);
    EXPECT_EQ(documentsIn(bc), 1u);
}

TEST_F(BcPluginTest, ACrashBeforePostingLeavesLinesThatTheNextPushDeletesBeforeWriting) {
    int lines = 0;
    host.loseResponse = [&lines](const sdk::HttpRequest& r) {
        return r.method == "POST" && r.url.size() > 12 && r.url.substr(r.url.size() - 12) == "journalLines" && ++lines == 2;
    };
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Unknown);
    ASSERT_EQ(bc.company().journals.at(BcDouble::kJournal).size(), 2u) << "two lines left by the crash";
    EXPECT_EQ(client->lookup(entry("e-1")).kind, OutcomeKind::Absent) << "unposted lines are not in the books";
    host.loseResponse = nullptr;
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    EXPECT_EQ(documentsIn(bc), 1u);
    EXPECT_EQ(postings(bc, documentNumberOf("e-1")).at("2900"), -14740) << "the contra line is booked once";
}

// Receipts become attachments (incoming documents) of the entry's first journal line: the
// content PATCHed with the attachment's own ETag, carried to the posted document by the post.
// A crash before the post leaves them on lines the next push deletes: never twice on the books.
TEST_F(BcPluginTest, ReceiptsAreAttachedOnceToThePostedDocumentEvenAfterACrashBeforeThePost) {
    const TwoReceipts files("lb-bc-receipts");
    const std::string& pdf = files.pdf;
    sdk::Entry e = entry("e-1");
    e.receipts = files.receipts;
    // The first push stops right before the post (429 beyond max_retry_wait_seconds), as a
    // crash there would: lines and attachments written, nothing posted.
    // The host asks loseResponse once a request went out: the second receipt's content (the
    // last write before the post) arms the 429 for the post that follows it.
    int contents = 0;
    host.loseResponse = [this, &contents](const sdk::HttpRequest& r) {
        if (r.method == "PATCH" && ++contents == 2) bc.throttleNext(1, 60);
        return false;
    };
    EXPECT_EQ(client->push({e}).at(0).kind, OutcomeKind::Retryable);
    EXPECT_EQ(bc.company().lineAttachments.size(), 2u) << "attached to the unposted line";
    host.loseResponse = nullptr;
    const auto o = client->push({e}).at(0);
    ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(o.message, "");
    const auto books = bc.company();
    EXPECT_EQ(books.orphanedAttachments, 2) << "the first push's attachments went with its deleted line";
    ASSERT_EQ(books.documentAttachments.count(documentNumberOf("e-1")), 1u);
    const auto& attached = books.documentAttachments.at(documentNumberOf("e-1"));
    ASSERT_EQ(attached.size(), 2u);
    EXPECT_EQ(attached[0].fileName, "r.pdf");
    EXPECT_EQ(attached[0].bytes, pdf) << "the bytes arrive unchanged";
    EXPECT_EQ(attached[1].fileName, "r.png");
    int patches = 0;
    for (const auto& ex : host.exchangesSnapshot())
        if (ex.method == "PATCH") {
            ++patches;
            EXPECT_EQ(ex.status, 204);
            EXPECT_NE(xerotest::header(ex.requestHeaders, "If-Match"), "*") << "the attachment's own ETag";
            EXPECT_NE(xerotest::header(ex.requestHeaders, "If-Match"), "");
        }
    EXPECT_EQ(patches, 4);
    EXPECT_EQ(client->push({e}).at(0).kind, OutcomeKind::Posted);
    EXPECT_EQ(bc.company().documentAttachments.at(documentNumberOf("e-1")).size(), 2u) << "a re-push attaches nothing";
}

TEST_F(BcPluginTest, ALeftoverLineWhoseEtagChangedIsReadAgainAndDeletedWithTheNewOne) {
    // Leave the entry's three lines in the batch as a crashed push would (the answer to its
    // dimension set line, written after the lines, lost), then let a user edit them (new ETags).
    host.loseResponse = [](const sdk::HttpRequest& r) { return r.method == "POST" && r.url.find("dimensionSetLines") != std::string::npos; };
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Unknown);
    bc.touchJournalLinesAfterNextRead();
    host.loseResponse = nullptr;
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    int refused = 0, deleted = 0;
    for (const auto& ex : host.exchangesSnapshot()) {
        if (ex.method == "DELETE" && ex.status == 412) ++refused;
        if (ex.method == "DELETE" && ex.status == 204) {
            ++deleted;
            EXPECT_NE(xerotest::header(ex.requestHeaders, "If-Match"), "") << "a DELETE without If-Match";
        }
    }
    EXPECT_EQ(refused, 3) << "the stale ETags were not sent first";
    EXPECT_EQ(deleted, 3);
    EXPECT_EQ(documentsIn(bc), 1u);
}

TEST_F(BcPluginTest, A429IsWaitedOutAsRetryAfterSaysAndALongOneIsRetryableWithNothingWritten) {
    bc.throttleNext(2, 1);
    ASSERT_EQ(client->push({entry("e-1")}).at(0).kind, OutcomeKind::Posted);
    int throttled = 0;
    for (const auto& ex : host.exchangesSnapshot()) throttled += ex.status == 429;
    EXPECT_EQ(throttled, 2);

    bc.throttleNext(1, 120);  // longer than max_retry_wait_seconds=5
    const auto o = client->push({entry("e-2")}).at(0);
    EXPECT_EQ(o.kind, OutcomeKind::Retryable);
    EXPECT_NE(o.message.find("retry in 120 s"), std::string::npos) << o.message;
    EXPECT_EQ(documentsIn(bc), 1u);
}

TEST_F(BcPluginTest, BcsRefusalsBecomePleosFailureReasonsAndLeaveNothingBehind) {
    sdk::Entry unknownAccount = entry("e-1");
    unknownAccount.lines[1].accountCode = "7777";
    sdk::Entry blocked = entry("e-2");
    blocked.lines[1].accountCode = "6999";
    sdk::Entry unknownTag = entry("e-3");
    unknownTag.lines[0].tags[0].code = "P-99";
    const auto o = client->push({unknownAccount, blocked, unknownTag, entry("e-4")});
    ASSERT_EQ(o.size(), 4u);
    EXPECT_EQ(o[0].kind, OutcomeKind::Rejected);
    EXPECT_EQ(o[0].failureReason, "account_unknown") << o[0].message;
    EXPECT_NE(o[0].message.find("7777"), std::string::npos) << o[0].message;
    EXPECT_EQ(o[1].kind, OutcomeKind::Rejected);
    EXPECT_EQ(o[1].failureReason, "account_unknown") << o[1].message;
    EXPECT_EQ(o[2].failureReason, "tag_unknown") << o[2].message;
    EXPECT_EQ(o[3].kind, OutcomeKind::Posted) << o[3].message;
    EXPECT_EQ(documentsIn(bc), 1u);
    EXPECT_TRUE(bc.company().journals.at(BcDouble::kJournal).empty());
}

TEST_F(BcPluginTest, CheckReadsTheCompanyAndJournalAndNamesAWrongOne) {
    EXPECT_NO_THROW(client->check());
    for (const auto& ex : host.exchangesSnapshot()) EXPECT_EQ(ex.method, "GET");
    auto settings = settingsFor(bc);
    for (auto& [k, v] : settings)
        if (k == "journal_id") v = "11111111-2222-4333-8444-555555555555";
    sdk::PluginClient other(bcApi(), host, "businesscentral");
    other.configure(settings);
    try {
        other.check();
        FAIL() << "an unknown journal passed check";
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(std::string(e.what()).find("journal batch 11111111"), std::string::npos) << e.what();
    }
}

TEST_F(BcPluginTest, TheAccessTokenNeverAppearsInLogsOrMessages) {
    bc.throttleNext(1, 1);
    client->push({entry("e-1")});
    for (const auto& line : host.logLines) EXPECT_EQ(line.find(*host.token), std::string::npos) << line;
}

// ---- journalOf: the checks push and the dry run share ------------------------------------------

businesscentral::BcConfig config() {
    businesscentral::BcConfig c;
    c.currency = "EUR";
    c.taxCodes = {{"S25", "VAT25"}, {"S12", "VAT12"}};
    c.dimensions = {{"PROJECT", "PROJECT"}};
    return c;
}

std::string reasonOf(const sdk::Entry& e) {
    try {
        businesscentral::journalOf(e, config());
        return "accepted";
    } catch (const businesscentral::Rejected& r) {
        return r.reason + ": " + r.what();
    }
}

TEST(BcJournalTest, LinesAreGrossWithTheTaxCodeAndTheContraTakesTheTotal) {
    const auto doc = businesscentral::journalOf(entry("e-1"), config());
    ASSERT_EQ(doc.lines.size(), 3u);
    EXPECT_EQ(doc.lines[0].minor, 12500);
    EXPECT_EQ(doc.lines[0].taxCode, "VAT25");
    EXPECT_EQ(doc.lines[1].minor, 2240);
    EXPECT_EQ(doc.lines[2].accountNumber, "2900");
    EXPECT_EQ(doc.lines[2].minor, -14740);
    EXPECT_EQ(doc.documentNumber.size(), 18u);
    EXPECT_EQ(doc.externalDocumentNumber, "e-1");
    EXPECT_EQ(businesscentral::journalLineBody(doc, doc.lines[2]).find("\"amount\":-147.40") != std::string::npos, true);
}

TEST(BcJournalTest, EveryRefusalNamesItsReasonAndWhere) {
    sdk::Entry unmapped = entry("e-1");
    unmapped.lines[1].taxCode = "LBKIT-UNKNOWN-TAX";
    EXPECT_EQ(reasonOf(unmapped).rfind("tax_code_unknown: entry e-1, line 2", 0), 0u) << reasonOf(unmapped);
    sdk::Entry vat = entry("e-1");
    vat.lines[0].taxAmount = eur(2400);
    vat.lines[0].netAmount = eur(10100);
    EXPECT_NE(reasonOf(vat).find("would compute VAT 25.00"), std::string::npos) << reasonOf(vat);
    sdk::Entry currency = entry("e-1");
    currency.totalWallet.currency = "SEK";
    EXPECT_EQ(reasonOf(currency).rfind("validation_failure", 0), 0u) << reasonOf(currency);
    sdk::Entry unbalanced = entry("e-1");
    unbalanced.totalWallet = eur(100);
    EXPECT_NE(reasonOf(unbalanced).find("does not balance"), std::string::npos);
    sdk::Entry noAccount = entry("e-1");
    noAccount.lines[0].accountCode.clear();
    EXPECT_EQ(reasonOf(noAccount).rfind("account_unknown", 0), 0u);
    sdk::Entry huge = entry("e-1");
    huge.lines[0].netAmount = eur(INT64_MIN);
    EXPECT_EQ(reasonOf(huge).rfind("validation_failure", 0), 0u) << reasonOf(huge);
}

TEST(BcJournalTest, TheDocumentNumberDependsOnTheEntryIdOnly) {
    EXPECT_EQ(documentNumberOf("a"), documentNumberOf("a"));
    EXPECT_NE(documentNumberOf("a"), documentNumberOf("b"));
    EXPECT_EQ(documentNumberOf(std::string(300, 'x')).size(), 18u);
}

}  // namespace
}  // namespace ledgerbridge::bctest
