// Conformance: cancellation is honoured, wrong call order and hostile input come back as error
// results (no exception escapes, no crash), a failing host store is survived; a push cancelled
// in the middle of a batch writes nothing after the cancel, and its resume writes every entry once.
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <set>

#include "KitSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;
using sdk::OutcomeKind;

TEST(Cancellation, APushStartedAfterCancelPostsNothingAndReportsCancelled) {
    Instance i;
    const std::vector<sdk::Entry> batch{goodEntry("c-1"), goodEntry("c-2"), goodEntry("c-3")};
    i.host.cancel = true;
    auto [status, results] = i.client->pushPartial(batch);
    EXPECT_EQ(status, LB_ERR_CANCELLED) << results.error;
    for (const auto& o : results.outcomes) EXPECT_NE(o.kind, OutcomeKind::Posted);
    i.host.cancel = false;
    const auto out = i.client->push(batch);
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) EXPECT_EQ(o.kind, OutcomeKind::Posted);
}

TEST(Robustness, CallsBeforeConfigureFailWithWrongCallOrder) {
    MemoryHost host;
    sdk::PluginClient c(pluginApi(), host, "kit");
    for (auto op : {0, 1, 2}) {
        try {
            if (op == 0) c.push({goodEntry("early")});
            if (op == 1) c.check();
            if (op == 2) c.lookup(goodEntry("early"));
            ADD_FAILURE() << "call " << op << " succeeded before configure";
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_STATE) << e.what();
        }
    }
}

TEST(Robustness, HostileEntriesComeBackAsResultsNotCrashes) {
    Instance i;
    sdk::Entry empty;  // every field empty: NULL strings on the C side
    empty.accountingEntryId = "hostile-1";
    empty.exportJobId = "job-kit-1";
    empty.idempotencyKey = "lb-hostile-1";
    empty.date = "2026-01-01";
    sdk::Entry huge = goodEntry("hostile-2");
    huge.lines[0].walletAmount.minor = std::numeric_limits<std::int64_t>::min();
    try {
        const auto out = i.client->push({empty, huge});
        for (const auto& o : out) EXPECT_NE(o.kind, OutcomeKind::Posted) << o.entryIndex;
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(e.status(), LB_OK);
    }
    EXPECT_TRUE(i.client->push({}).empty());
}

TEST(Robustness, ConfiguringAgainWorks) {
    Instance i;
    i.client->configure(settingsFor(i.tmp));
    EXPECT_EQ(i.client->push({goodEntry("again-1")}).at(0).kind, OutcomeKind::Posted);
}

TEST(Robustness, AFailingHostStoreIsAnErrorOrAnOutcomeNeverACrash) {
    Instance i;
    i.host.failStore = true;
    try {
        for (const auto& o : i.client->push({goodEntry("store-1")})) EXPECT_NE(o.kind, OutcomeKind::Absent);
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(e.status(), LB_OK);
    }
}

namespace {
/// Entry ids in what the read-back hook sees now (empty set when there is no hook or it
/// cannot read a target in the middle of a push).
std::optional<std::multiset<std::string>> writtenNow(const Instance& i) {
    if (!hasReadBack()) return std::nullopt;
    try {
        std::multiset<std::string> ids;
        for (const auto& d : readBack(i)) ids.insert(d.accountingEntryId);
        return ids;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::size_t stateChangingRequests(const MemoryHost& host) {
    std::size_t n = 0;
    for (const auto& r : host.requests) n += r.rfind("GET ", 0) == 0 ? 0 : 1;
    return n;
}
}  // namespace

TEST(Cancellation, CancelledInTheMiddleOfABatchThenResumedEveryEntryIsWrittenOnce) {
    Instance i;
    std::vector<sdk::Entry> batch;
    for (int n = 1; n <= 6; ++n) batch.push_back(goodEntry("mid-" + std::to_string(n)));
    const std::size_t cancelAfter = 2;
    std::size_t reported = 0, requestsAtCancel = 0;
    std::optional<std::multiset<std::string>> writtenAtCancel;
    auto [status, results] = i.client->pushPartial(batch, [&](const sdk::Outcome&) {
        if (++reported != cancelAfter) return;
        i.host.cancel = true;  // the host asks the push to stop: e.g. SIGTERM, the run lease lost
        requestsAtCancel = stateChangingRequests(i.host);
        writtenAtCancel = writtenNow(i);
    });
    i.host.cancel = false;
    ASSERT_GE(reported, cancelAfter) << "the push reported fewer outcomes than the kit waited for";
    // After the cancel the plugin writes nothing more: it may still report what it had written.
    EXPECT_EQ(stateChangingRequests(i.host), requestsAtCancel)
        << "the plugin sent state-changing requests after the host cancelled";
    if (writtenAtCancel) {
        const auto writtenAtEnd = writtenNow(i);
        ASSERT_TRUE(writtenAtEnd.has_value());
        EXPECT_EQ(*writtenAtEnd, *writtenAtCancel) << "the plugin wrote " << writtenAtEnd->size() - writtenAtCancel->size()
                                                   << " more document(s) after the host cancelled";
    }
    if (results.outcomes.size() < batch.size()) {
        EXPECT_EQ(status, LB_ERR_CANCELLED) << "entries were left unattempted, yet push did not say it was cancelled";
    }

    // The resume, as the host does it: an entry with an Unknown outcome is looked up, an entry
    // without an outcome was not attempted and is pushed again.
    std::vector<std::string> ids(batch.size());
    std::vector<sdk::Entry> rest;
    std::vector<std::size_t> restIndex;
    std::vector<bool> answered(batch.size(), false);
    for (const auto& o : results.outcomes) {
        ASSERT_LT(o.entryIndex, batch.size());
        answered[o.entryIndex] = true;
        if (o.kind == sdk::OutcomeKind::Posted) ids[o.entryIndex] = o.externalId;
        else if (o.kind == sdk::OutcomeKind::Unknown && hasCapability(LB_CAP_LOOKUP))
            ids[o.entryIndex] = i.client->lookup(batch[o.entryIndex]).externalId;
        else ADD_FAILURE() << "entry " << o.entryIndex << " came back as kind " << static_cast<int>(o.kind) << ": " << o.message;
    }
    for (std::size_t n = 0; n < batch.size(); ++n) {
        if (answered[n]) continue;
        rest.push_back(batch[n]);
        restIndex.push_back(n);
    }
    const Delivered resumed = pushChecked(i, rest);
    for (std::size_t k = 0; k < rest.size(); ++k) ids[restIndex[k]] = resumed.outcomes[k].externalId;
    EXPECT_EQ(resumed.posted.size(), rest.size()) << "the resumed entries did not all post";
    // A host that lost every outcome pushes the whole batch again: the same documents.
    const Delivered all = pushChecked(i, batch);
    for (std::size_t n = 0; n < batch.size(); ++n)
        EXPECT_EQ(all.outcomes[n].externalId, ids[n]) << batch[n].accountingEntryId << " got a second document";
    if (!hasReadBack()) GTEST_SKIP() << "outcomes checked; read-back skipped: " << kNoReadBackMessage;
    const auto problems = bookProblems(i, batch, {}, BookRule::All);
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
}
