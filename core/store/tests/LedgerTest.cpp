// The export ledger: staging pages with cursors, the delivery states, cross-job dedup, counts.
#include <gtest/gtest.h>

#include "StoreBackends.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/Ledger.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(Ledger);
using store::EntryState;

namespace {

store::LedgerEntry item(const std::string& id, std::int64_t amount = 100, const std::string& currency = "DKK") {
    store::LedgerEntry e;
    e.entryId = id;
    e.payload = "{\"accountingEntryId\":\"" + id + "\"}";
    e.contentHash = store::sha256Hex(e.payload);  // what the engine records; checked on every read
    e.idempotencyKey = "key-" + id;
    e.amountMinor = amount;
    e.currency = currency;
    return e;
}

store::JobRecord job(const std::string& id) {
    store::JobRecord j;
    j.fingerprint = "fp";
    j.jobId = id;
    j.connection = "acme";
    j.phase = "fetching";
    j.numberOfItems = 3;
    return j;
}

}  // namespace

TEST_P(Ledger, StagingPagesKeepsFetchOrderCursorAndIgnoresRefetchedEntries) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Ledger ledger(s);
    ledger.saveJob(job("j1"));
    ledger.stagePage("fp", "j1", {item("a"), item("b")}, "CURSOR2", false);
    // A crash after the commit re-fetches the same page: nothing doubles, order is kept.
    ledger.stagePage("fp", "j1", {item("b"), item("c")}, "", true);
    auto j = *ledger.job("fp", "j1");
    EXPECT_TRUE(j.itemsComplete);
    auto planned = ledger.entries("fp", "j1", EntryState::Planned, 10);
    ASSERT_EQ(planned.size(), 3u);
    EXPECT_EQ(planned[0].entryId, "a");
    EXPECT_EQ(planned[1].entryId, "b");
    EXPECT_EQ(planned[2].entryId, "c");
    EXPECT_EQ(planned[2].seq, 2);
    EXPECT_EQ(ledger.entries("fp", "j1", EntryState::Planned, 10, 0).size(), 2u) << "afterSeq pages through";
    EXPECT_EQ(planned[1].payload, item("b").payload) << "the item is stored once, with the first staging";
    EXPECT_EQ(ledger.entry("fp", "j1", "c")->payload, item("c").payload);
    auto light = ledger.entries("fp", "j1", EntryState::Planned, 10, -1, false);
    ASSERT_EQ(light.size(), 3u);
    EXPECT_TRUE(light[0].payload.empty()) << "asked without the item";
    EXPECT_EQ(light[0].idempotencyKey, "key-a");
    EXPECT_THROW(ledger.stagePage("fp", "unknown-job", {item("x")}, "", true), StoreError);
}

TEST_P(Ledger, DeliveryStatesReportingAndCounts) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Ledger ledger(s);
    ledger.saveJob(job("j1"));
    ledger.stagePage("fp", "j1", {item("a", 1000), item("b", 250), item("c", 7, "JPY")}, "", true);
    ledger.markPushing("fp", "j1", {"a", "b", "c"});
    auto a = *ledger.entry("fp", "j1", "a");
    EXPECT_EQ(a.state, EntryState::Pushing);
    EXPECT_EQ(a.attempts, 1);
    a.state = EntryState::Posted;
    a.externalId = "X-1";
    a.externalUrl = "https://erp/X-1";
    a.exportedAt = "2026-11-07T05:31:56Z";
    ledger.recordOutcome(a);
    auto b = *ledger.entry("fp", "j1", "b");
    b.state = EntryState::Rejected;
    b.failureType = "account_unknown";
    b.failureReason = "line 1 has no account";
    ledger.recordOutcome(b);
    auto c = *ledger.entry("fp", "j1", "c");
    c.state = EntryState::Unknown;
    ledger.recordOutcome(c);

    auto unreported = ledger.unreported("fp", "j1", 100);
    ASSERT_EQ(unreported.size(), 2u) << "unknown outcomes are never reported";
    ledger.markReported("fp", "j1", {"a"});
    EXPECT_EQ(ledger.unreported("fp", "j1", 100).size(), 1u);

    auto counts = ledger.counts("fp", "j1");
    EXPECT_EQ(counts.total, 3);
    EXPECT_EQ(counts.reported, 1);
    EXPECT_EQ(counts.byState["posted"], 1);
    EXPECT_EQ(counts.byState["rejected"], 1);
    EXPECT_EQ(counts.byState["unknown"], 1);
    EXPECT_EQ(counts.postedAmountByCurrency["DKK"], 1000);
    EXPECT_EQ(counts.postedAmountByCurrency.count("JPY"), 0u);

    // The progress line's count agrees with counts() and sees only this job.
    const auto decided = ledger.decided("fp", "j1");
    EXPECT_EQ(decided.posted, 1);
    EXPECT_EQ(decided.rejected, 1);
    EXPECT_EQ(ledger.decided("fp", "other-job").posted, 0);
    EXPECT_EQ(ledger.decided("other-fp", "j1").rejected, 0);
}

TEST_P(Ledger, AnEntryPostedInOneJobIsFoundFromAnotherJobOfTheSameEnvironmentOnly) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Ledger ledger(s);
    ledger.saveJob(job("j1"));
    ledger.stagePage("fp", "j1", {item("a")}, "", true);
    auto a = *ledger.entry("fp", "j1", "a");
    a.state = EntryState::Posted;
    a.externalId = "X-1";
    ledger.recordOutcome(a);
    auto found = ledger.postedElsewhere("fp", "a", "j2");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->externalId, "X-1");
    EXPECT_FALSE(ledger.postedElsewhere("fp", "a", "j1")) << "not 'elsewhere' for its own job";
    EXPECT_FALSE(ledger.postedElsewhere("other-fp", "a", "j2")) << "another environment never sees it";

    auto batch = ledger.postedElsewhere("fp", std::vector<std::string>{"a", "not-staged", "a"}, "j2");
    ASSERT_EQ(batch.size(), 1u) << "one answer per posted entry, none for the unknown one";
    EXPECT_EQ(batch.at("a").externalId, "X-1");
    EXPECT_TRUE(ledger.postedElsewhere("fp", std::vector<std::string>{"a"}, "j1").empty());
}

TEST_P(Ledger, CountsTellEntriesPostedByThisJobFromOnesPostedUnderAnEarlierJob) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Ledger ledger(s);
    ledger.saveJob(job("j2"));
    ledger.stagePage("fp", "j2", {item("new", 1000), item("old", 250), item("old-eur", 40, "EUR")}, "", true);
    ledger.markPushing("fp", "j2", {"new"});  // only this one was offered to the target
    for (const char* id : {"new", "old", "old-eur"}) {
        auto e = *ledger.entry("fp", "j2", id);
        e.state = EntryState::Posted;
        e.externalId = std::string("X-") + id;
        ledger.recordOutcome(e);
    }
    auto counts = ledger.counts("fp", "j2");
    EXPECT_EQ(counts.byState["posted"], 3);
    EXPECT_EQ(counts.alreadyPosted, 2) << "settled without an attempt: posted under an earlier job";
    EXPECT_EQ(counts.postedAmountByCurrency, (std::map<std::string, std::int64_t>{{"DKK", 1000}}));
    EXPECT_EQ(counts.alreadyPostedAmountByCurrency, (std::map<std::string, std::int64_t>{{"DKK", 250}, {"EUR", 40}}));
}

TEST_P(Ledger, UnfinishedJobsAreListedForResume) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Ledger ledger(s);
    ledger.saveJob(job("j1"));
    auto j2 = job("j2");
    j2.phase = "finished";
    ledger.saveJob(j2);
    auto open = ledger.unfinishedJobs("fp", "acme");
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].jobId, "j1");
    EXPECT_TRUE(ledger.unfinishedJobs("fp", "other").empty());
}
