// Automatic exports (AutoExport.cpp) and jobs that cannot finish (JobFailure.h), against the
// in-memory Pleo double: ready entries become a non-interactive job that is exported; 409 and
// MISSING_CONTRA_ACCOUNTS; a job stopped run after run ends as failed with its reason; results
// Pleo does not record are never marked acknowledged.
#include "EngineFixture.h"

#include "ledgerbridge/export/JobFailure.h"
#include "ledgerbridge/store/Ledger.h"

using namespace enginetest;

namespace {

class AutoExportTest : public EngineTest {
protected:
    void addReady(int n, const std::string& prefix = "e") {
        for (int i = 0; i < n; ++i) pleo.entries[prefix + std::to_string(i)] = item(prefix + std::to_string(i));
    }
    EngineSettings autoSettings(const std::string& stamp = "config-1") {
        EngineSettings s;
        s.createJobs = true;
        s.autoExportMaxEntries = 30;
        s.autoExportFilter.reviewStatus = {"OK"};
        s.autoExportFilter.families = {"CARD_PURCHASE"};
        s.autoExportStamp = stamp;
        return s;
    }
};

}  // namespace

TEST_F(AutoExportTest, ReadyEntriesBecomeNonInteractiveJobsOfAtMostTheMaximumUntilAllAreExported) {
    addReady(70);
    auto first = runOnce(autoSettings());
    EXPECT_EQ(first.outcome, "ok") << first.error;
    ASSERT_EQ(first.jobs.size(), 1u);
    EXPECT_NE(first.autoExport.find("for 30 ready entries"), std::string::npos) << first.autoExport;
    EXPECT_EQ(pleo.lastFilter.reviewStatus, (std::vector<std::string>{"OK"}));
    EXPECT_EQ(pleo.lastFilter.families, (std::vector<std::string>{"CARD_PURCHASE"}));
    EXPECT_EQ(pleo.searchLimits.back(), 30);
    const FakeJob& job = pleo.jobs.at(first.jobs[0].jobId);
    EXPECT_FALSE(job.interactive);
    EXPECT_EQ(job.items.size(), 30u);
    EXPECT_EQ(job.status, "completed");
    runOnce(autoSettings());
    runOnce(autoSettings());
    auto last = runOnce(autoSettings());
    EXPECT_TRUE(last.jobs.empty());
    EXPECT_EQ(last.autoExport, "no accounting entries are ready to export");
    for (const auto& [id, raw] : pleo.entries) EXPECT_TRUE(pleo.exported(id)) << id;
    EXPECT_EQ(target.totalWrites(), 70);
    for (const auto& [key, n] : target.writes) EXPECT_EQ(n, 1) << key;
    EXPECT_EQ(pleo.creates, 3);
}

TEST_F(AutoExportTest, OffByDefaultNoSearchNoJob) {
    addReady(5);
    auto r = runOnce();
    EXPECT_EQ(pleo.searches, 0);
    EXPECT_TRUE(pleo.jobs.empty());
    EXPECT_TRUE(r.autoExport.empty());
}

TEST_F(AutoExportTest, APendingJobIsExportedFirstAndNoJobIsCreated) {
    addJob("clicked", 3);
    addReady(5, "r");
    auto r = runOnce(autoSettings());
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].jobId, "clicked");
    EXPECT_EQ(pleo.searches, 0);
}

TEST_F(AutoExportTest, AnotherActiveJobMeans409AndWaitingForTheNextRun) {
    addReady(5);
    FakeJob other;  // someone else's export, in progress
    other.status = "in_progress";
    other.items.push_back(item("x0"));
    pleo.jobs["elsewhere"] = other;
    auto r = runOnce(autoSettings());
    EXPECT_EQ(r.outcome, "ok") << r.error;
    EXPECT_TRUE(r.jobs.empty());
    EXPECT_EQ(pleo.creates, 1);
    EXPECT_EQ(r.autoExport, "another export job is active in Pleo; the next run tries again");
    EXPECT_EQ(target.totalWrites(), 0);
}

/// A Pleo whose create answers 409 because a user clicked Export between our list and our create.
class RacingPleo : public FakePleo {
public:
    JobInfo createJob(const std::string& company, const std::vector<std::string>& ids) override {
        if (!raced) {
            raced = true;
            FakeJob clicked;
            clicked.items.push_back(item("c0"));
            jobs["clicked"] = clicked;
        }
        return FakePleo::createJob(company, ids);
    }
    bool raced = false;
};

TEST_F(AutoExportTest, A409ForAPendingJobExportsThatJob) {
    RacingPleo racing;
    racing.entries["e0"] = item("e0");
    api = &racing;
    auto r = runOnce(autoSettings());
    ASSERT_EQ(r.jobs.size(), 1u) << r.autoExport;
    EXPECT_EQ(r.jobs[0].jobId, "clicked");
    EXPECT_EQ(racing.jobs.at("clicked").status, "completed");
    EXPECT_EQ(r.autoExport, "another export job was pending; exporting it instead of creating one");
}

TEST_F(AutoExportTest, MissingContraAccountsIsReportedOnceAndNotAskedAgainUntilTheConfigChanges) {
    addReady(4);
    pleo.contraAccountsMissing = true;
    auto r = runOnce(autoSettings());
    EXPECT_EQ(r.outcome, "missing_contra_accounts");
    EXPECT_NE(r.error.find("Contra accounts are not fully configured"), std::string::npos) << r.error;
    EXPECT_EQ(pleo.creates, 1);
    // The service's next ticks: no search, no create, the same outcome (the metric stays visible).
    for (int i = 0; i < 3; ++i) {
        auto again = runOnce(autoSettings());
        EXPECT_EQ(again.outcome, "missing_contra_accounts");
        EXPECT_NE(again.error.find("Map a contra account"), std::string::npos) << again.error;
    }
    EXPECT_EQ(pleo.creates, 1);
    EXPECT_EQ(pleo.searches, 1);
    // The operator mapped the accounts and reloaded the configuration: asked again, exported.
    pleo.contraAccountsMissing = false;
    auto fixed = runOnce(autoSettings("config-2"));
    EXPECT_EQ(fixed.outcome, "ok") << fixed.error;
    EXPECT_EQ(pleo.creates, 2);
    for (const auto& [id, raw] : pleo.entries) EXPECT_TRUE(pleo.exported(id)) << id;
}

TEST_F(AutoExportTest, RunCreateJobsWithoutAStampAlwaysAsks) {
    addReady(1);
    pleo.contraAccountsMissing = true;
    runOnce(autoSettings(""));
    runOnce(autoSettings(""));
    EXPECT_EQ(pleo.creates, 2);
}

TEST_F(AutoExportTest, AJobStoppedRunAfterRunEndsAsFailedWithItsReasonAndPostedEntriesStayExported) {
    addJob("j", 6);
    target.errorAfterOutcomes = 1;  // the first push gets 3 entries through, then the target fails
    EngineSettings s;
    s.batchSize = 6;
    s.failJobAfterStoppedRuns = 3;
    auto first = runOnce(s);
    EXPECT_EQ(first.outcome, "failed");
    EXPECT_NE(first.jobs.at(0).next.find("run 1 of 3"), std::string::npos) << first.jobs.at(0).next;
    EXPECT_EQ(pleo.jobs.at("j").status, "in_progress");
    target.retryableFirstN = 1000;  // then every entry comes back retryable, run after run
    runOnce(s);
    EXPECT_EQ(pleo.jobs.at("j").status, "in_progress");
    auto third = runOnce(s);
    EXPECT_EQ(third.outcome, "failed");
    EXPECT_EQ(third.jobs.at(0).finalEvent, "failed");
    const FakeJob& j = pleo.jobs.at("j");
    EXPECT_EQ(j.status, "failed");
    EXPECT_EQ(j.failureReasonType, "accounting_system_unreachable");
    EXPECT_NE(j.failureReason.find("(3 runs in a row)"), std::string::npos) << j.failureReason;
    EXPECT_NE(third.error.find("ended as failed in Pleo"), std::string::npos) << third.error;
    // What was posted before was reported before the job failed: those entries stay exported.
    EXPECT_EQ(j.results.size(), 3u);
    for (const auto& [id, r] : j.results) EXPECT_TRUE(r.successful) << id;
    // The job is finished for us: the next run has nothing to resume.
    auto after = runOnce(s);
    EXPECT_TRUE(after.jobs.empty());
}

TEST_F(AutoExportTest, AnInterruptedRunNeverCountsTowardsFailing) {
    addJob("j", 3);
    std::atomic<bool> cancel{true};
    EngineSettings s;
    s.failJobAfterStoppedRuns = 1;
    s.cancel = &cancel;
    runOnce(s);
    EXPECT_NE(pleo.jobs.at("j").status, "failed");
    EXPECT_EQ(JobStops(*store).count("fp", "j"), 0);
}

TEST_F(AutoExportTest, AJobWithUncertainDeliveriesIsNeverFailed) {
    addJob("j", 4);
    target.failPushNumber = 1;  // the plugin breaks mid-push: the batch's outcome is unknown
    target.caps = TargetCapabilities{false, true, false};  // no idempotency keys; a lookup that never decides
    target.lookupAnswer = [](const sdk::Entry&) -> sdk::Outcome { throw PluginError("plugin 'fake' crashed in lookup"); };
    EngineSettings s;
    s.failJobAfterStoppedRuns = 1;
    auto first = runOnce(s);
    auto second = runOnce(s);
    EXPECT_FALSE(second.jobs.at(0).unresolved.empty());
    EXPECT_EQ(pleo.jobs.at("j").status, "in_progress");
    EXPECT_TRUE(std::find(pleo.jobs.at("j").events.begin(), pleo.jobs.at("j").events.end(), "failed") == pleo.jobs.at("j").events.end());
}

TEST_F(AutoExportTest, ResultsPleoDoesNotRecordAreNeverMarkedReportedAndAreSentAgain) {
    addJob("j", 4);
    pleo.refuseResultsOf = {"e2"};
    auto r = runOnce();
    EXPECT_EQ(r.outcome, "failed");
    ASSERT_EQ(r.jobs.size(), 1u);
    ASSERT_EQ(r.jobs[0].notRecordedByPleo.size(), 1u);
    EXPECT_EQ(r.jobs[0].notRecordedByPleo[0].entryId, "e2");
    EXPECT_NE(r.error.find("Pleo did not record the results of 1 entries"), std::string::npos) << r.error;
    EXPECT_NE(r.toText().find("not recorded by Pleo e2"), std::string::npos) << r.toText();
    EXPECT_EQ(pleo.jobs.at("j").status, "in_progress");
    store::Ledger ledger(*store);
    auto unreported = ledger.unreported("fp", "j", 10);
    ASSERT_EQ(unreported.size(), 1u);
    EXPECT_EQ(unreported[0].entryId, "e2");
    // Pleo takes it now: the next run sends it again and completes the job, nothing re-pushed.
    pleo.refuseResultsOf.clear();
    auto next = runOnce();
    EXPECT_EQ(next.outcome, "ok") << next.error;
    expectExactlyOnce("j", 4, 0);
}

TEST_F(AutoExportTest, ARunThatMakesProgressStartsTheCountAgain) {
    addJob("j", 8);
    EngineSettings s;
    s.batchSize = 2;
    s.failJobAfterStoppedRuns = 2;
    // Every run gets one batch through, then the target fails: progress each time, never failed.
    for (int run = 0; run < 3; ++run) {
        target.errorAfterOutcomes = target.pushes + 1;
        auto r = runOnce(s);
        EXPECT_EQ(r.jobs.at(0).finalEvent, "") << "run " << run << ": " << r.error;
        EXPECT_EQ(JobStops(*store).count("fp", "j"), 1) << "run " << run;
    }
    EXPECT_EQ(pleo.jobs.at("j").status, "in_progress");
    // A run without progress is the second in a row: the job ends as failed.
    target.retryableFirstN = 1000;
    target.errorAfterOutcomes = -1;
    auto last = runOnce(s);
    EXPECT_EQ(last.jobs.at(0).finalEvent, "failed");
    EXPECT_EQ(pleo.jobs.at("j").status, "failed");
}
