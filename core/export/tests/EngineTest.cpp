// The export flow against in-memory Pleo and target doubles: results reported, final events,
// a crash at every durable step followed by a resume, retries, plugin failures, expired jobs,
// re-exported entries, dry runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "Doubles.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Runs.h"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;
namespace fs = std::filesystem;

namespace {

/// Thrown by the step hook to stop the engine dead at a step; not a std::exception, so nothing
/// in the engine catches it (like a kill -9, nothing after the step runs).
struct SimulatedCrash {};

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("lb-engine-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        store = std::make_unique<store::StateStore>((dir / "state").string());
    }
    void TearDown() override {
        store.reset();
        fs::remove_all(dir);
    }

    void addJob(const std::string& id, int valid, int invalid = 0, const std::string& prefix = "e") {
        FakeJob j;
        for (int i = 0; i < valid + invalid; ++i) j.items.push_back(item(prefix + std::to_string(i), i < valid));
        pleo.jobs[id] = j;
    }

    RunReport runOnce(EngineSettings s = {}) {
        s.receiptDir = (dir / "receipts").string();
        if (s.dryRunReport.empty()) s.dryRunReport = (dir / "plan.jsonl").string();
        if (s.pageSize == 100) s.pageSize = 40;
        if (s.batchSize == 100) s.batchSize = 25;
        Engine engine(*store, pleo, target, RunTarget{"acme", "company", "local", "fp"}, s);
        return engine.run();
    }

    /// Every valid entry written exactly once and reported with the target's id; every invalid
    /// one reported failed; the job completed exactly once.
    void expectExactlyOnce(const std::string& jobId, int valid, int invalid) {
        const FakeJob& j = pleo.jobs.at(jobId);
        ASSERT_EQ(j.results.size(), static_cast<std::size_t>(valid + invalid));
        for (int i = 0; i < valid + invalid; ++i) {
            const ItemResult& r = j.results.at("e" + std::to_string(i));
            if (i < valid) {
                EXPECT_TRUE(r.successful) << i;
                EXPECT_EQ(r.externalId, "X-e" + std::to_string(i));
            } else {
                EXPECT_FALSE(r.successful) << i;
                EXPECT_EQ(r.failureReasonType, "account_unknown");
            }
        }
        for (const auto& [key, n] : target.writes) EXPECT_EQ(n, 1) << "written twice: " << key;
        EXPECT_EQ(target.totalWrites(), valid);
        EXPECT_EQ(j.status, invalid ? "completed_with_errors" : "completed");
        EXPECT_EQ(std::count(j.events.begin(), j.events.end(), j.status), 1);
    }

    fs::path dir;
    std::unique_ptr<store::StateStore> store;
    FakePleo pleo;
    FakeTarget target;
};

}  // namespace

TEST_F(EngineTest, DeliversReportsAndCompletesWithErrors) {
    addJob("job-1", 90, 10);
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "completed_with_errors") << r.error;
    EXPECT_EQ(r.exitCode(), ExitCode::CompletedWithErrors);
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].fetched, 100);
    EXPECT_EQ(r.jobs[0].posted, 90);
    EXPECT_EQ(r.jobs[0].rejected, 10);
    EXPECT_EQ(r.jobs[0].postedMinorByCurrency["DKK"], 90 * 1000);
    EXPECT_EQ(r.jobs[0].failures.size(), 10u);
    EXPECT_EQ(r.jobs[0].failures[0].reason, "account_unknown");
    EXPECT_EQ(pleo.jobs["job-1"].events, (std::vector<std::string>{"started", "completed_with_errors"}));
    expectExactlyOnce("job-1", 90, 10);
    auto history = store::Runs(*store).recent(1);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].outcome, "completed_with_errors");
    EXPECT_NE(history[0].reportJson.find("\"posted\":90"), std::string::npos);
}

TEST_F(EngineTest, AllValidCompletesAndASecondRunFindsNothingToDo) {
    addJob("job-1", 30);
    EXPECT_EQ(runOnce().outcome, "ok");
    std::int64_t before = pleo.requests;
    RunReport again = runOnce();
    EXPECT_EQ(again.outcome, "ok");
    EXPECT_TRUE(again.jobs.empty());
    EXPECT_EQ(pleo.requests - before, 1) << "one list call, nothing else";
    expectExactlyOnce("job-1", 30, 0);
}

// The heart of crash safety: stop the engine dead at the n-th durable step, for every n, then
// run again until the job is done. Nothing may be lost or written twice.
TEST_F(EngineTest, CrashAtEveryStepThenResumeIsExactlyOnce) {
    const int kValid = 60, kInvalid = 5;
    // Count the steps of an undisturbed run first.
    int totalSteps = 0;
    {
        EngineTest::TearDown();
        EngineTest::SetUp();
        addJob("job-1", kValid, kInvalid);
        EngineSettings s;
        s.onStep = [&](const std::string&) { ++totalSteps; };
        runOnce(s);
    }
    ASSERT_GT(totalSteps, 10);
    for (int crashAt = 1; crashAt <= totalSteps; ++crashAt) {
        SCOPED_TRACE("crash at step " + std::to_string(crashAt));
        EngineTest::TearDown();
        EngineTest::SetUp();
        pleo = FakePleo();
        target = FakeTarget();
        addJob("job-1", kValid, kInvalid);
        int seen = 0;
        EngineSettings s;
        s.onStep = [&](const std::string&) {
            if (++seen == crashAt) throw SimulatedCrash{};
        };
        bool crashed = false;
        try {
            runOnce(s);
        } catch (const SimulatedCrash&) {
            crashed = true;
        }
        EXPECT_TRUE(crashed);
        RunReport resumed = runOnce();
        EXPECT_EQ(resumed.outcome, "completed_with_errors") << resumed.error;
        expectExactlyOnce("job-1", kValid, kInvalid);
    }
}

TEST_F(EngineTest, CrashAfterTheTargetWroteButBeforeTheLedgerKnewIsResolvedByLookup) {
    addJob("job-1", 10);
    EngineSettings s;
    s.onStep = [](const std::string& step) {
        if (step == "pushed") throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(s), SimulatedCrash);
    EXPECT_EQ(target.totalWrites(), 10) << "the target has them, the ledger says 'pushing'";
    EXPECT_EQ(runOnce().outcome, "ok");
    expectExactlyOnce("job-1", 10, 0);
}

// A crash between the target creating a document and attaching its receipts: the lookup that
// resolves the entry gets the receipts, so the plugin can complete the document.
TEST_F(EngineTest, AnInterruptedEntrysLookupGetsItsReceipts) {
    target.caps = {true, true, true};
    addJob("job-1", 6);
    for (auto& raw : pleo.jobs["job-1"].items)
        raw.replace(raw.find(R"("_links": {},)"), 13,
                    R"("_links": {}, "files": [{"url": "https://files.example/r/receipt.pdf?sig=1", "size": 7, "type": "application/pdf"}],)");
    EngineSettings s;
    s.onStep = [](const std::string& step) {
        if (step == "pushed") throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(s), SimulatedCrash);
    EXPECT_TRUE(target.receiptsSeenByLookup.empty());
    EXPECT_EQ(runOnce().outcome, "ok");
    ASSERT_EQ(target.receiptsSeenByLookup.size(), 6u) << "each interrupted entry was looked up";
    for (const auto& [id, n] : target.receiptsSeenByLookup) EXPECT_EQ(n, 1u) << id;
    expectExactlyOnce("job-1", 6, 0);
}

TEST_F(EngineTest, WithoutLookupButWithIdempotencyKeysTheTargetDropsTheSecondCopy) {
    target.caps = {true, false, false};
    addJob("job-1", 10);
    EngineSettings s;
    s.onStep = [](const std::string& step) {
        if (step == "pushed") throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(s), SimulatedCrash);
    EXPECT_EQ(runOnce().outcome, "ok");
    expectExactlyOnce("job-1", 10, 0);
}

TEST_F(EngineTest, WithoutLookupOrIdempotencyAnInterruptedEntryIsFailedForAPersonNeverPostedTwice) {
    target.caps = {false, false, false};
    addJob("job-1", 10);
    EngineSettings s;
    s.onStep = [](const std::string& step) {
        if (step == "pushed") throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(s), SimulatedCrash);
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "completed_with_errors");
    EXPECT_EQ(target.totalWrites(), 10);
    for (const auto& [id, res] : pleo.jobs["job-1"].results) {
        EXPECT_FALSE(res.successful);
        EXPECT_EQ(res.failureReasonType, "unexpected_failure");
        EXPECT_NE(res.failureReason.find("check whether entry " + id + " is in the accounting system"), std::string::npos);
    }
}

TEST_F(EngineTest, RetryableOutcomesAreRetriedUntilPosted) {
    addJob("job-1", 20);
    target.retryableFirstN = 7;
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "ok") << r.error;
    expectExactlyOnce("job-1", 20, 0);
}

TEST_F(EngineTest, UnknownOutcomesAreLookedUpNotPushedAgain) {
    addJob("job-1", 20);
    target.answerUnknown = true;
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "ok") << r.error;
    expectExactlyOnce("job-1", 20, 0);
}

TEST_F(EngineTest, APluginFailureLeavesTheJobOpenAndTheNextRunFinishesIt) {
    addJob("job-1", 60);
    target.failPushNumber = 2;
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "failed");
    EXPECT_NE(r.error.find("target unreachable"), std::string::npos) << r.error;
    EXPECT_EQ(r.exitCode(), ExitCode::Failure);
    EXPECT_EQ(pleo.jobs["job-1"].status, "in_progress");
    target.failPushNumber = -1;
    EXPECT_EQ(runOnce().outcome, "ok");
    expectExactlyOnce("job-1", 60, 0);
}

TEST_F(EngineTest, OutcomesBeforeAPluginErrorAreKeptAndReported) {
    addJob("job-1", 30);
    target.errorAfterOutcomes = 1;
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "failed");
    EXPECT_NE(r.error.find("the target answered 503 three times"), std::string::npos) << r.error;
    EXPECT_EQ(pleo.jobs["job-1"].results.size(), 3u) << "the three posted entries were reported at once";
    EXPECT_EQ(target.totalWrites(), 3);
    EXPECT_EQ(runOnce().outcome, "ok");
    expectExactlyOnce("job-1", 30, 0);
}

TEST_F(EngineTest, AnExpiredJobIsClosedAndItsEntriesAreNotPostedAgainWhenReExported) {
    addJob("job-1", 50);
    EngineSettings s;
    int reports = 0;
    s.onStep = [&](const std::string& step) {
        if (step == "reported" && ++reports == 1) throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(s), SimulatedCrash);
    pleo.jobs["job-1"].status = "failed";  // Pleo expired it while we were down
    RunReport r = runOnce();
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].finalEvent, "closed_by_pleo");
    int writtenBefore = target.totalWrites();
    // The user exports the same entries again: a new job with the same items.
    pleo.jobs["job-2"].items = pleo.jobs["job-1"].items;
    RunReport again = runOnce();
    ASSERT_EQ(again.jobs.size(), 1u);
    EXPECT_EQ(again.jobs[0].alreadyPosted, writtenBefore);
    for (const auto& [key, n] : target.writes) EXPECT_EQ(n, 1) << key;
    EXPECT_EQ(target.totalWrites(), 50);
    for (const auto& [id, res] : pleo.jobs["job-2"].results) {
        EXPECT_TRUE(res.successful);
        EXPECT_EQ(res.externalId, "X-" + id) << "reported with the id of the first posting";
    }
}

TEST_F(EngineTest, DryRunChangesNothingAnywhereAndWritesThePlan) {
    addJob("job-1", 8, 2);
    EngineSettings s;
    s.dryRun = true;
    RunReport r = runOnce(s);
    EXPECT_EQ(r.outcome, "completed_with_errors");
    EXPECT_EQ(pleo.stateChangingRequests, 0);
    EXPECT_EQ(target.totalWrites(), 0);
    EXPECT_EQ(pleo.jobs["job-1"].status, "pending");
    EXPECT_TRUE(store::Ledger(*store).unfinishedJobs("fp", "acme").empty());
    std::ifstream plan((dir / "plan.jsonl").string());
    int lines = 0;
    for (std::string l; std::getline(plan, l);) ++lines;
    EXPECT_EQ(lines, 8);
    EXPECT_EQ(r.jobs[0].rejected, 2);
}

TEST_F(EngineTest, ADryRunCountsThePluginsRejectionsNoEntryVanishes) {
    addJob("job-1", 6, 1);
    target.planRejects = {"e2", "e4"};
    EngineSettings s;
    s.dryRun = true;
    RunReport r = runOnce(s);
    ASSERT_EQ(r.jobs.size(), 1u);
    const JobReport& j = r.jobs[0];
    EXPECT_EQ(r.outcome, "completed_with_errors");
    EXPECT_EQ(j.fetched, 7);
    EXPECT_EQ(j.posted, 4) << "planned entries";
    EXPECT_EQ(j.rejected, 3) << "one by the host's validation, two by the plugin";
    EXPECT_EQ(j.posted + j.rejected + j.undelivered + j.alreadyPosted, j.fetched) << "every entry accounted for";
    std::set<std::string> failed;
    for (const auto& f : j.failures) {
        failed.insert(f.entryId);
        if (f.entryId == "e2" || f.entryId == "e4") {
            EXPECT_EQ(f.reason, "validation_failure");
            EXPECT_NE(f.message.find("debits 100 credits 99"), std::string::npos) << f.message;
        }
    }
    EXPECT_EQ(failed, (std::set<std::string>{"e2", "e4", "e6"}));
    std::ifstream plan((dir / "plan.jsonl").string());
    int documents = 0, rejections = 0;
    for (std::string l; std::getline(plan, l);) {
        if (l.find("\"rejected\":\"validation_failure\"") != std::string::npos) ++rejections;
        else ++documents;
    }
    EXPECT_EQ(documents, 4);
    EXPECT_EQ(rejections, 2);
    EXPECT_EQ(target.totalWrites(), 0);
}

TEST_F(EngineTest, ACursorThatDoesNotMoveIsAnErrorNotAnEndlessLoop) {
    class StuckPleo : public FakePleo {
    public:
        ItemPage exportItems(const std::string& id, const std::string& cursor, int limit) override {
            ItemPage p = FakePleo::exportItems(id, "", limit);
            p.hasNextPage = true;
            p.endCursor = cursor.empty() ? "C1" : cursor;
            return p;
        }
    } stuck;
    stuck.jobs["job-1"].items = {item("e0"), item("e1")};
    EngineSettings s;
    s.receiptDir = (dir / "receipts").string();
    Engine engine(*store, stuck, target, RunTarget{"acme", "company", "local", "fp"}, s);
    RunReport r = engine.run();
    EXPECT_EQ(r.outcome, "failed");
    EXPECT_NE(r.error.find("claim a next page but give no new cursor"), std::string::npos) << r.error;
}

TEST_F(EngineTest, ASecondRunOfTheSameConnectionIsRefusedWhileOneHoldsTheLease) {
    addJob("job-1", 5);
    store::Leases leases(*store);
    ASSERT_TRUE(leases.tryAcquire("run:fp", 60000, "another-process"));
    EXPECT_THROW(runOnce(), LockBusyError);
    EXPECT_EQ(pleo.requests, 0);
}

TEST_F(EngineTest, CancellationFinishesTheBatchInFlightAndLeavesTheJobOpen) {
    addJob("job-1", 100);
    std::atomic<bool> cancel{false};
    EngineSettings s;
    s.cancel = &cancel;
    s.onStep = [&](const std::string& step) {
        if (step == "pushed") cancel = true;
    };
    RunReport r = runOnce(s);
    EXPECT_EQ(r.outcome, "interrupted");
    EXPECT_EQ(r.exitCode(), ExitCode::Interrupted);
    EXPECT_EQ(pleo.jobs["job-1"].results.size(), 25u) << "the batch in flight was finished and reported";
    EXPECT_EQ(runOnce().outcome, "ok");
    expectExactlyOnce("job-1", 100, 0);
}
