// Conformance: what the plugin wrote is right, as its own read-back hook sees it — every
// document balances, every posted entry is written exactly once, with its amounts per account —
// for ordinary entries and the hard kinds: zero- and three-decimal currencies, refunds,
// reverse charge, several tax rates, long and non-Latin texts. A hard entry may also be
// rejected with a clear Pleo reason; never a crash, never a wrong document. Without a hook the
// delivery part still runs and the read-back part is skipped, saying how to add one.
#include <gtest/gtest.h>

#include <optional>

#include "KitSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;

namespace {

/// Ordinary and hard entries together with two bad ones, pushed twice (the second push must
/// change nothing), so one read-back covers posting, rejection and re-push.
Delivered pushMixedBatchTwice(Instance& i) {
    const std::vector<sdk::Entry> batch{goodEntry("books-1"),          refundEntry("books-2"),
                                        reverseChargeEntry("books-3"), multiRateEntry("books-4"),
                                        unbalancedEntry("books-5"),    missingAccountEntry("books-6")};
    Delivered first = pushChecked(i, batch);
    pushChecked(i, batch);
    return first;
}

/// One hard entry: planned (when the plugin has a dry run), pushed, pushed again; posted or
/// rejected with a clear reason, the dry run agreeing with push; what was written read back.
void deliverHardEntry(const sdk::Entry& entry) {
    Instance i;
    std::optional<sdk::PlanResult> plan;
    if (hasCapability(LB_CAP_DRY_RUN)) plan = i.client->plan({entry});
    const Delivered d = pushChecked(i, {entry});
    if (::testing::Test::HasFailure()) return;
    if (plan) expectPlanAgrees(*plan, d);
    if (!d.posted.empty()) {
        const Delivered again = pushChecked(i, {entry});
        ASSERT_EQ(again.posted.size(), 1u) << "re-push of a posted entry did not come back posted";
        EXPECT_EQ(again.outcomes[0].externalId, d.outcomes[0].externalId) << "re-push made a new document";
    }
    if (!hasReadBack()) GTEST_SKIP() << "delivery checked; read-back skipped: " << kNoReadBackMessage;
    const auto problems = bookProblems(i, d, BookRule::All);
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
}

}  // namespace

TEST(Books, EveryWrittenDocumentBalances) {
    Instance i;
    const Delivered d = pushMixedBatchTwice(i);
    if (!hasReadBack()) GTEST_SKIP() << kNoReadBackMessage;
    const auto problems = bookProblems(i, d, BookRule::Balance);
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
}

TEST(Books, EveryPostedEntryIsWrittenExactlyOnce) {
    Instance i;
    const Delivered d = pushMixedBatchTwice(i);
    if (!hasReadBack()) GTEST_SKIP() << kNoReadBackMessage;
    const auto problems = bookProblems(i, d, BookRule::ExactlyOnce);
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
}

TEST(Books, EveryDocumentCarriesItsEntrysAmountsPerAccount) {
    Instance i;
    const Delivered d = pushMixedBatchTwice(i);
    if (!hasReadBack()) GTEST_SKIP() << kNoReadBackMessage;
    const auto problems = bookProblems(i, d, BookRule::Amounts);
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
}

TEST(Books, AZeroDecimalCurrencyIsBookedExactlyOrRejected) { deliverHardEntry(entryInCurrency("jpy-1", "JPY", 0)); }

TEST(Books, AThreeDecimalCurrencyIsBookedExactlyOrRejected) { deliverHardEntry(entryInCurrency("kwd-1", "KWD", 3)); }

TEST(Books, ARefundWithNegativeAmountsIsBookedOrRejected) { deliverHardEntry(refundEntry("refund-1")); }

TEST(Books, AReverseChargeLineIsBookedBalancedOrRejected) { deliverHardEntry(reverseChargeEntry("reverse-1")); }

TEST(Books, LinesAtSeveralTaxRatesAreBookedOrRejected) { deliverHardEntry(multiRateEntry("multi-1")); }

TEST(Books, LongTextsInEveryFieldAreBookedOrRejected) { deliverHardEntry(longTextEntry("long-1")); }

TEST(Books, NonLatinTextsInEveryFieldAreBookedOrRejected) { deliverHardEntry(nonLatinEntry("utf8-1")); }
