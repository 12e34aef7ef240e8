// Conformance: cancellation is honoured, wrong call order and hostile input come back as error
// results (no exception escapes, no crash), a failing host store is survived.
#include <gtest/gtest.h>

#include <limits>

#include "ledgerbridge/testkit/Kit.hpp"

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
