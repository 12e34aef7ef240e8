// The export flow against in-memory Pleo and target doubles: results reported, final events,
// a crash at every durable step followed by a resume, retries, plugin failures, expired jobs,
// re-exported entries, dry runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "EngineFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/export/RejectionSummary.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Runs.h"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;
namespace fs = std::filesystem;

using enginetest::EngineTest;
using enginetest::SimulatedCrash;

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
    // Not a success: entries were left undelivered, and the report says what happens to them.
    EXPECT_EQ(r.outcome, "closed_by_pleo");
    EXPECT_EQ(r.exitCode(), ExitCode::Failure);
    EXPECT_NE(r.error.find("closed by Pleo before all its entries were delivered"), std::string::npos) << r.error;
    EXPECT_NE(r.jobs[0].next.find("in a new export job"), std::string::npos) << r.jobs[0].next;
    EXPECT_NE(r.jobs[0].next.find("never posted twice"), std::string::npos) << r.jobs[0].next;
    EXPECT_NE(r.toText().find("    next: "), std::string::npos) << r.toText();
    EXPECT_NE(r.toJson().find("\"next\":"), std::string::npos);
    int writtenBefore = target.totalWrites();
    // The user exports the same entries again: a new job with the same items.
    pleo.jobs["job-2"].items = pleo.jobs["job-1"].items;
    RunReport again = runOnce();
    ASSERT_EQ(again.jobs.size(), 1u);
    EXPECT_EQ(again.jobs[0].alreadyPosted, writtenBefore);
    // "posted" is what this job delivered; the entries posted under job-1 are counted and
    // summed apart, in the report, its totals and its JSON.
    EXPECT_EQ(again.jobs[0].posted, 50 - writtenBefore);
    EXPECT_EQ(again.jobs[0].posted + again.jobs[0].alreadyPosted, again.jobs[0].fetched);
    EXPECT_EQ(again.jobs[0].alreadyPostedMinorByCurrency["DKK"], writtenBefore * 1000);
    EXPECT_EQ(again.jobs[0].postedMinorByCurrency["DKK"], (50 - writtenBefore) * 1000);
    EXPECT_EQ(again.totals().alreadyPosted, writtenBefore);
    EXPECT_NE(again.toJson().find("\"alreadyPosted\":" + std::to_string(writtenBefore)), std::string::npos) << again.toJson();
    EXPECT_NE(again.toText().find(std::to_string(writtenBefore) + " already posted"), std::string::npos) << again.toText();
    EXPECT_NE(again.toText().find("amounts already posted (not posted again): DKK "), std::string::npos) << again.toText();
    for (const auto& [key, n] : target.writes) EXPECT_EQ(n, 1) << key;
    EXPECT_EQ(target.totalWrites(), 50);
    for (const auto& [id, res] : pleo.jobs["job-2"].results) {
        EXPECT_TRUE(res.successful);
        EXPECT_EQ(res.externalId, "X-" + id) << "reported with the id of the first posting";
    }
}

// Pleo closed the job only after every entry was delivered and acknowledged (the final event
// was refused): nothing is left to do, so the run is a success.
TEST_F(EngineTest, AJobClosedByPleoAfterEverythingWasDeliveredIsASuccess) {
    class ExpiresAtTheEnd : public FakePleo {
    public:
        void postEvent(const std::string& id, const std::string& event, const std::string& a, const std::string& b) override {
            if (event != "started") {
                jobs.at(id).status = "failed";
                throw JobClosedError("INVALID_EXPORT_JOB_STATUS_CHANGE: failed -> " + event);
            }
            FakePleo::postEvent(id, event, a, b);
        }
    } expiring;
    for (int i = 0; i < 30; ++i) expiring.jobs["job-1"].items.push_back(item("e" + std::to_string(i)));
    api = &expiring;
    RunReport r = runOnce();
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].finalEvent, "closed_by_pleo");
    EXPECT_TRUE(r.jobs[0].next.empty()) << r.jobs[0].next;
    EXPECT_EQ(r.outcome, "ok") << r.error;
    EXPECT_EQ(expiring.jobs["job-1"].results.size(), 30u);
}

// The key names the booking: the same entries offered again in a new job after the state
// directory was lost — with newly signed receipt URLs and their JSON in another order — carry
// the same keys, so a target that de-duplicates on the key writes nothing twice.
TEST_F(EngineTest, TheSameEntriesInANewJobAfterTheStateWasLostKeepTheirKeys) {
    target.caps = {true, true, false};
    auto withReceipt = [](std::string raw, const std::string& signature, bool reorder) {
        raw.replace(raw.find(R"("_links": {},)"), 13,
                    R"("_links": {"self": "https://api.example/items?sig=)" + signature +
                        R"("}, "files": [{"url": "https://files.example/r/receipt.pdf?X-Amz-Signature=)" + signature +
                        R"(", "size": 7, "type": "application/pdf"}],)");
        if (reorder) {
            // Move "companyId" and "type" to the end of the object: same content, other order.
            const std::string moved = R"("companyId": "c", "type": "card_purchase",)";
            auto at = raw.find(moved);
            raw.erase(at, moved.size());
            raw.insert(raw.rfind('}'), R"(, "companyId": "c", "type": "card_purchase")");
        }
        return raw;
    };
    for (int i = 0; i < 40; ++i) pleo.jobs["job-1"].items.push_back(withReceipt(item("e" + std::to_string(i)), "first", false));
    // Half of it is exported, then the state directory is lost.
    EngineSettings half;
    int pushes = 0;
    half.onStep = [&](const std::string& step) {
        if (step == "pushed" && ++pushes == 1) throw SimulatedCrash{};
    };
    EXPECT_THROW(runOnce(half), SimulatedCrash);
    ASSERT_EQ(target.totalWrites(), 25);
    store.reset();
    fs::remove_all(dir / "state");
    store = std::make_unique<store::StateStore>((dir / "state").string());
    pleo.jobs["job-1"].status = "failed";  // expired meanwhile
    for (int i = 0; i < 40; ++i) pleo.jobs["job-2"].items.push_back(withReceipt(item("e" + std::to_string(i)), "second", true));
    RunReport r = runOnce();
    EXPECT_EQ(r.outcome, "ok") << r.error;
    EXPECT_EQ(target.totalWrites(), 40) << "an entry was booked twice under a new key";
    for (const auto& [id, n] : target.writesByEntry) EXPECT_EQ(n, 1) << id;
    ASSERT_EQ(pleo.jobs["job-2"].results.size(), 40u);
    for (const auto& [id, res] : pleo.jobs["job-2"].results) EXPECT_EQ(res.externalId, "X-" + id);
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
    int lines = 0, rejectedLines = 0;
    for (std::string l; std::getline(plan, l);) ++(l.find("\"rejected\":") == std::string::npos ? lines : rejectedLines);
    EXPECT_EQ(lines, 8);
    EXPECT_EQ(rejectedLines, 2);
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
        if (l.find("\"rejected\":") != std::string::npos) ++rejections;
        else ++documents;
    }
    EXPECT_EQ(documents, 4);
    EXPECT_EQ(rejections, 3) << "two by the plugin, one by the host";
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
    EXPECT_EQ(static_cast<std::int64_t>(pleo.requests), 0);
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

TEST_F(EngineTest, TheSummaryGroupsRejectionsByReasonWithTheFix) {
    addJob("job-1", 5, 4);
    RunReport r = runOnce();
    ASSERT_EQ(r.jobs.size(), 1u);
    const auto groups = groupRejections(r.jobs);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].reason, "account_unknown");
    EXPECT_EQ(groups[0].count, 4);
    EXPECT_NE(groups[0].fix.find("export the entries again"), std::string::npos) << groups[0].fix;
    const std::string text = r.toText();
    EXPECT_NE(text.find("rejected entries by reason:\n    account_unknown: 4 entries; fix: "), std::string::npos) << text;
    const std::string json = r.toJson();
    EXPECT_NE(json.find("\"rejectionsByReason\":[{\"reason\":\"account_unknown\",\"count\":4,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"totals\":{\"fetched\":9,\"posted\":5,\"alreadyPosted\":0,\"rejected\":4,"), std::string::npos)
        << json;
}
