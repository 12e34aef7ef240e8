// Journal mode's $batch of writes (batch_writes, the default): an entry's lines in one $batch,
// their dimension set lines in another. Counted requests per entry with and without; a line BC
// refuses inside the batch rejects the entry and leaves no line; a lost batch answer is
// unknown and the next push books every line once.
#include "BcEntries.hpp"
#include "BcJournal.hpp"
#include "BcTestSupport.hpp"

namespace ledgerbridge::bctest {
namespace {

using businesscentral::documentNumberOf;
using sdk::OutcomeKind;

class BcBatchWritesTest : public BcPluginFixture {
protected:
    SettingList settings() override {
        SettingList s = settingsFor(bc);
        for (auto& [key, value] : s)
            if (key == "batch_writes") value = batched ? "true" : "false";
        return s;
    }
    bool batched = true;
};

/// entry() with a PROJECT tag on both lines: 3 journal lines, 2 dimension set lines.
sdk::Entry taggedTwice(const std::string& id) {
    sdk::Entry e = entry(id);
    e.lines[1].tags.push_back(sdk::Tag{"PROJECT", "P-18", "Gemini"});
    return e;
}

/// account -> cents of the G/L entries of `documentNumber`.
std::map<std::string, std::int64_t> booked(const BcDouble& bc, const std::string& documentNumber) {
    std::map<std::string, std::int64_t> out;
    for (const auto& g : bc.company().ledger)
        if (g.documentNumber == documentNumber) out[g.accountNumber] += g.cents;
    return out;
}

TEST_F(BcBatchWritesTest, AnEntrysLinesAndDimensionsTakeTwoRequestsInsteadOfFive) {
    ASSERT_EQ(client->push({taggedTwice("e-1")}).at(0).kind, OutcomeKind::Posted);
    const std::size_t withBatches = host.exchangesSnapshot().size();
    EXPECT_EQ(bc.batchedPosts(), 3 + 2);
    batched = false;
    xerotest::XeroTestHost plainHost;
    auto plain = connect(plainHost);
    ASSERT_EQ(plain->push({taggedTwice("e-2")}).at(0).kind, OutcomeKind::Posted);
    const std::size_t withoutBatches = plainHost.exchangesSnapshot().size();
    // Without: lookup $batch, GET of the journal, 3 lines, 2 dimensions, post = 8. With: the
    // lines' $batch and the dimensions' $batch instead of 5 POSTs = 5.
    EXPECT_EQ(withoutBatches, 8u);
    EXPECT_EQ(withBatches, 5u);
    EXPECT_EQ(booked(bc, documentNumberOf("e-1")), booked(bc, documentNumberOf("e-2"))) << "the same books either way";
    bool tagged = false;
    for (const auto& g : bc.company().ledger)
        if (g.accountNumber == "6120" && g.documentNumber == documentNumberOf("e-1"))
            tagged = g.dimensions == std::vector<std::pair<std::string, std::string>>{{"PROJECT", "P-18"}};
    EXPECT_TRUE(tagged) << "the second line's dimension (its id from the first $batch's answer) is missing";
}

TEST_F(BcBatchWritesTest, ALineBcRefusesInsideTheBatchRejectsTheEntryAndLeavesNoLine) {
    sdk::Entry blocked = taggedTwice("blocked");
    blocked.lines[1].accountCode = "6999";  // blocked: the batch's second answer is a 400
    const auto o = client->push({blocked}).at(0);
    ASSERT_EQ(o.kind, OutcomeKind::Rejected);
    EXPECT_EQ(o.failureReason, "account_unknown") << o.message;
    EXPECT_NE(o.message.find("6999"), std::string::npos) << o.message;
    EXPECT_TRUE(bc.company().journals.at(BcDouble::kJournal).empty()) << "the lines the batch created are deleted";
    EXPECT_TRUE(bc.company().ledger.empty());
    sdk::Entry badTag = taggedTwice("bad-tag");
    badTag.lines[1].tags[0].code = "P-99";  // the dimensions' batch: 201 then 400
    const auto t = client->push({badTag}).at(0);
    EXPECT_EQ(t.failureReason, "tag_unknown") << t.message;
    EXPECT_TRUE(bc.company().journals.at(BcDouble::kJournal).empty());
    const auto good = client->push({taggedTwice("good")}).at(0);
    ASSERT_EQ(good.kind, OutcomeKind::Posted) << good.message;
    EXPECT_EQ(booked(bc, documentNumberOf("good")).at("2900"), -14740) << "only the good entry's lines were posted";
    EXPECT_EQ(bc.company().postings.size(), 1u);
}

TEST_F(BcBatchWritesTest, ALostBatchAnswerIsUnknownAndTheNextPushBooksEveryLineOnce) {
    host.loseResponse = [](const sdk::HttpRequest& r) {
        return r.url.find("$batch") != std::string::npos && r.body.find("journalLines\"") != std::string::npos &&
               r.body.find("dimensionSetLines") == std::string::npos;
    };
    ASSERT_EQ(client->push({taggedTwice("e-1")}).at(0).kind, OutcomeKind::Unknown);
    host.loseResponse = nullptr;
    ASSERT_EQ(bc.company().journals.at(BcDouble::kJournal).size(), 3u) << "the batch was carried out";
    EXPECT_EQ(client->lookup(taggedTwice("e-1")).kind, OutcomeKind::Absent);
    ASSERT_EQ(client->push({taggedTwice("e-1")}).at(0).kind, OutcomeKind::Posted);
    const auto b = booked(bc, documentNumberOf("e-1"));
    EXPECT_EQ(b.at("2900"), -14740) << "the contra line is booked once";
    EXPECT_EQ(b.at("6110"), 10000);
    EXPECT_EQ(bc.company().postings.at(documentNumberOf("e-1")), 1);
}

}  // namespace
}  // namespace ledgerbridge::bctest
