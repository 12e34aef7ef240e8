// Unit tests of a job's item update records (JobStore.h): what a client PUT is what a read
// of the job's items shows, byte for byte, and the latest update of an item counts.
#include <gtest/gtest.h>

#include <string>

#include "JobStore.h"

using namespace lbsim;

namespace {

Job jobOf(std::size_t items) {
    Job j;
    j.status = "in_progress";
    for (std::uint32_t i = 0; i < items; ++i) j.items.push_back(i * 3);
    return j;
}

ItemUpdate successful(const std::string& externalId) {
    ItemUpdate u;
    u.status = "successful";
    u.externalId = externalId;
    u.externalUrl = "file:///srv/ledgerbridge/exports/" + std::string(300, 'x') + ".csv";
    u.exportedAt = "2026-12-07T10:00:00Z";
    return u;
}

}  // namespace

TEST(JobItemUpdates, AnItemWithoutAnUpdateIsPendingWhileTheJobRunsAndAbandonedAfter) {
    Job j = jobOf(3);
    EXPECT_EQ(j.itemState(1).status, "pending");
    EXPECT_EQ(j.itemState(1).externalId, "");
    j.status = "failed";
    j.failureReasonType = "job_expired";
    EXPECT_EQ(j.itemState(1).status, "abandoned");
    EXPECT_EQ(j.itemState(1).failureReasonType, "job_expired");
}

TEST(JobItemUpdates, EveryFieldReadsBackByteForByteIncludingEmptyOnesAndNulBytes) {
    Job j = jobOf(1000);
    ItemUpdate failed;
    failed.status = "failed";
    failed.failureReason = std::string("account\0 4010 is closed", 23);  // JSON's \u0000 decodes to a NUL
    failed.failureReasonType = "account_unknown";
    for (std::size_t pos = 0; pos < 1000; ++pos)
        j.update(pos, pos % 2 ? failed : successful("ext-" + std::to_string(pos)));
    for (std::size_t pos = 0; pos < 1000; ++pos) {
        const ItemUpdate u = j.itemState(pos);
        const ItemUpdate want = pos % 2 ? failed : successful("ext-" + std::to_string(pos));
        EXPECT_EQ(u.status, want.status) << pos;
        EXPECT_EQ(u.externalId, want.externalId) << pos;
        EXPECT_EQ(u.externalUrl, want.externalUrl) << pos;
        EXPECT_EQ(u.exportedAt, want.exportedAt) << pos;
        EXPECT_EQ(u.failureReason, want.failureReason) << pos;
        EXPECT_EQ(u.failureReasonType, want.failureReasonType) << pos;
    }
    EXPECT_EQ(j.itemState(1).failureReason.size(), 23u);
}

TEST(JobItemUpdates, TheLatestUpdateOfAnItemCountsAndOthersAreUntouched) {
    Job j = jobOf(4);
    ItemUpdate inProgress;
    inProgress.status = "in_progress";
    j.update(2, inProgress);
    j.update(2, successful("second"));
    j.update(0, successful("first"));
    EXPECT_EQ(j.itemState(2).status, "successful");
    EXPECT_EQ(j.itemState(2).externalId, "second");
    EXPECT_EQ(j.itemState(0).externalId, "first");
    EXPECT_EQ(j.itemState(1).status, "pending");
    EXPECT_EQ(j.itemState(3).status, "pending");
    j.update(2, inProgress);  // a job still open when it ends leaves such an item abandoned
    j.status = "completed";
    EXPECT_EQ(j.itemState(2).status, "abandoned");
    EXPECT_EQ(j.itemState(2).externalId, "");
    EXPECT_EQ(j.itemState(0).status, "successful");
}
