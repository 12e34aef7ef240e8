// Conformance: plan has no side effects, push twice yields no duplicates, lookup resolves,
// bad entries are rejected with the right Pleo failureReasonType, two instances coexist, and a
// dry run (planBatch) rejects exactly what push rejects.
#include <gtest/gtest.h>

#include "KitSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;
using sdk::OutcomeKind;

namespace {
bool has(std::uint32_t cap) { return (pluginApi()->describe()->capabilities & cap) != 0; }

const sdk::Outcome& outcomeFor(const std::vector<sdk::Outcome>& all, std::size_t index) {
    for (const auto& o : all)
        if (o.entryIndex == index) return o;
    throw std::runtime_error("no outcome for entry " + std::to_string(index));
}
}  // namespace

TEST(Plan, ReturnsDocumentsWithoutSideEffects) {
    Instance i;
    const std::vector<sdk::Entry> batch{goodEntry("plan-1"), goodEntry("plan-2")};
    if (!has(LB_CAP_DRY_RUN)) {
        try {
            i.client->plan(batch);
            FAIL() << "plan succeeded without the dry-run capability";
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED);
        }
        return;
    }
    const auto files = snapshot(i.tmp);
    const auto docs = i.client->plan(batch).documents;
    EXPECT_EQ(snapshot(i.tmp), files) << "plan() changed files";
    EXPECT_EQ(i.host.writes, 0) << "plan() wrote state";
    EXPECT_TRUE(i.host.requests.empty()) << "plan() sent a request";
    ASSERT_GE(docs.size(), batch.size());
    for (const auto& d : docs) {
        EXPECT_LT(d.entryIndex, batch.size());
        EXPECT_FALSE(d.action.empty());
        EXPECT_FALSE(d.body.empty());
    }
    if (has(LB_CAP_LOOKUP)) {
        EXPECT_EQ(i.client->lookup(batch[0]).kind, OutcomeKind::Absent);
    }
}

TEST(Push, PostsEachEntryOnceAndRePushYieldsTheSameDocuments) {
    Instance i;
    const std::vector<sdk::Entry> batch{goodEntry("push-1"), goodEntry("push-2")};
    const auto first = i.client->push(batch);
    ASSERT_EQ(first.size(), 2u);
    for (std::size_t n = 0; n < 2; ++n) {
        const auto& o = outcomeFor(first, n);
        EXPECT_EQ(o.kind, OutcomeKind::Posted) << o.message;
        EXPECT_FALSE(o.externalId.empty());
    }
    EXPECT_NE(outcomeFor(first, 0).externalId, outcomeFor(first, 1).externalId);
    const auto files = snapshot(i.tmp);
    const auto second = i.client->push(batch);
    ASSERT_EQ(second.size(), 2u);
    for (std::size_t n = 0; n < 2; ++n) {
        EXPECT_EQ(outcomeFor(second, n).kind, OutcomeKind::Posted);
        EXPECT_EQ(outcomeFor(second, n).externalId, outcomeFor(first, n).externalId) << "re-push made a new document";
    }
    EXPECT_EQ(snapshot(i.tmp), files) << "re-push changed the written files";
}

TEST(Lookup, ResolvesPostedAndAbsentEntries) {
    if (!has(LB_CAP_LOOKUP)) GTEST_SKIP() << "no lookup capability";
    Instance i;
    const auto posted = i.client->push({goodEntry("look-1")});
    ASSERT_EQ(posted.size(), 1u);
    const sdk::Outcome found = i.client->lookup(goodEntry("look-1"));
    EXPECT_EQ(found.kind, OutcomeKind::Posted);
    EXPECT_EQ(found.externalId, posted[0].externalId);
    EXPECT_EQ(i.client->lookup(goodEntry("look-never")).kind, OutcomeKind::Absent);
}

TEST(Push, BadEntriesAreRejectedWithTheRightReasonAndGoodOnesStillPost) {
    Instance i;
    const std::vector<sdk::Entry> batch{unbalancedEntry("bad-1"), missingAccountEntry("bad-2"),
                                        unknownTaxEntry("bad-3"), goodEntry("good-4")};
    const auto out = i.client->push(batch);
    ASSERT_EQ(out.size(), 4u);
    const char* reasons[] = {"validation_failure", "account_unknown", "tax_code_unknown"};
    for (std::size_t n = 0; n < 3; ++n) {
        const auto& o = outcomeFor(out, n);
        EXPECT_EQ(o.kind, OutcomeKind::Rejected) << batch[n].accountingEntryId;
        EXPECT_EQ(o.failureReason, reasons[n]) << o.message;
        EXPECT_FALSE(o.message.empty());
    }
    EXPECT_EQ(outcomeFor(out, 3).kind, OutcomeKind::Posted);
    if (has(LB_CAP_LOOKUP)) {
        EXPECT_EQ(i.client->lookup(batch[0]).kind, OutcomeKind::Absent);
    }
}

TEST(Instances, TwoInstancesInOneProcessAreIndependent) {
    auto a = std::make_unique<Instance>();
    Instance b;
    const auto pa = a->client->push({goodEntry("two-a")});
    const auto pb = b.client->push({goodEntry("two-b")});
    ASSERT_EQ(pa.size(), 1u);
    ASSERT_EQ(pb.size(), 1u);
    EXPECT_EQ(pa[0].kind, OutcomeKind::Posted);
    EXPECT_EQ(pb[0].kind, OutcomeKind::Posted);
    if (has(LB_CAP_LOOKUP)) {
        EXPECT_EQ(a->client->lookup(goodEntry("two-b")).kind, OutcomeKind::Absent) << "instances share state";
        EXPECT_EQ(b.client->lookup(goodEntry("two-a")).kind, OutcomeKind::Absent) << "instances share state";
    }
    a.reset();  // closing one leaves the other working
    EXPECT_EQ(b.client->push({goodEntry("two-b")})[0].externalId, pb[0].externalId);
}

TEST(Plan, ADryRunRejectsWhatPushRejectsAndPlansWhatPushPosts) {
    if (!has(LB_CAP_DRY_RUN)) GTEST_SKIP() << "no dry-run capability";
    const std::vector<sdk::Entry> batch{unbalancedEntry("dry-1"), missingAccountEntry("dry-2"),
                                        unknownTaxEntry("dry-3"), goodEntry("dry-4")};
    Instance planned;
    const sdk::PlanResult plan = planned.client->plan(batch);
    EXPECT_TRUE(snapshot(planned.tmp).empty()) << "plan() wrote files";
    EXPECT_EQ(planned.host.writes, 0) << "plan() wrote state";
    Instance pushed;
    const Delivered d = pushChecked(pushed, batch);
    expectPlanAgrees(plan, d);
    for (const auto& r : plan.rejections) EXPECT_FALSE(r.message.empty()) << "a rejection without a message";
}
