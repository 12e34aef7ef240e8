// Conformance: the target, not the host's state, is what a plugin remembers. A fresh plugin
// instance over the same target (same ${TESTKIT_TMP} directory, same HTTP tenant) with an empty
// host state — the state directory lost, or restored from an old backup — finds every entry
// the first instance wrote: lookup says posted, push says posted with the same external id and
// writes nothing new. The same holds for the same entry under a new idempotency key (its
// export item changed in a field that says nothing about the booking): plugins find what they
// wrote by the accounting entry id as well as by the key.
#include <gtest/gtest.h>

#include "KitSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;
using sdk::OutcomeKind;

namespace {

std::vector<sdk::Entry> restartBatch(const std::string& prefix) {
    return {goodEntry(prefix + "-1"), refundEntry(prefix + "-2"), multiRateEntry(prefix + "-3")};
}

/// Pushes `batch` on the first instance; every entry must post. Returns the external ids.
std::vector<std::string> postAll(Instance& i, const std::vector<sdk::Entry>& batch) {
    const Delivered d = pushChecked(i, batch);
    std::vector<std::string> ids;
    for (std::size_t n = 0; n < batch.size(); ++n) {
        EXPECT_EQ(d.outcomes[n].kind, OutcomeKind::Posted) << batch[n].accountingEntryId << ": " << d.outcomes[n].message;
        ids.push_back(d.outcomes[n].externalId);
    }
    return ids;
}

/// On `again` (a fresh instance over the first one's target): lookup finds each entry, push
/// answers posted with the first ids and changes no file; read back, each entry is there once.
void expectFoundWithoutDuplicates(Instance& again, const std::vector<sdk::Entry>& batch,
                                  const std::vector<std::string>& firstIds, const char* what) {
    if (hasCapability(LB_CAP_LOOKUP))
        for (std::size_t n = 0; n < batch.size(); ++n) {
            const sdk::Outcome found = again.client->lookup(batch[n]);
            EXPECT_EQ(found.kind, OutcomeKind::Posted)
                << what << ": lookup does not find " << batch[n].accountingEntryId << " in the target";
            EXPECT_EQ(found.externalId, firstIds[n]) << what << ": lookup of " << batch[n].accountingEntryId;
        }
    const auto files = snapshot(again.tmp);
    const Delivered d = pushChecked(again, batch);
    for (std::size_t n = 0; n < batch.size(); ++n) {
        EXPECT_EQ(d.outcomes[n].kind, OutcomeKind::Posted) << what << ": " << batch[n].accountingEntryId;
        EXPECT_EQ(d.outcomes[n].externalId, firstIds[n])
            << what << ": pushing " << batch[n].accountingEntryId << " again made a new document";
    }
    EXPECT_EQ(snapshot(again.tmp), files) << what << ": pushing entries already in the target changed its files";
    if (!hasReadBack()) GTEST_SKIP() << "lookup and push checked; read-back skipped: " << kNoReadBackMessage;
    const auto problems = bookProblems(again, batch, {}, BookRule::ExactlyOnce);
    EXPECT_TRUE(problems.empty()) << what << ": " << describeProblems(problems);
}

}  // namespace

TEST(Restart, AFreshInstanceWithEmptyStateFindsEveryEntryTheFirstOneWrote) {
    Instance first;
    const auto batch = restartBatch("restart");
    const auto ids = postAll(first, batch);
    ASSERT_FALSE(::testing::Test::HasFailure());
    Instance again{SameTargetAs{first}};  // its MemoryHost starts empty: no state of the first
    expectFoundWithoutDuplicates(again, batch, ids, "after a restart with an empty host state");
}

TEST(Restart, TheSameEntryUnderANewIdempotencyKeyIsFoundAndNotWrittenTwice) {
    Instance first;
    const auto batch = restartBatch("rekey");
    const auto ids = postAll(first, batch);
    ASSERT_FALSE(::testing::Test::HasFailure());
    auto rekeyed = batch;
    for (auto& e : rekeyed) {
        e.idempotencyKey = "lb-v2-" + e.accountingEntryId;  // a new key for the same booking
        e.exportJobId = "job-kit-2";                          // offered again in a later job
    }
    Instance again{SameTargetAs{first}};
    expectFoundWithoutDuplicates(again, rekeyed, ids, "the same entries under new idempotency keys");
}
