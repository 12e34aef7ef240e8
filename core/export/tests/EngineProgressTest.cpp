// Progress under repeated crashes: a process that is killed again and again, each time after a
// short while, still moves a large job forward on every run, and ends with every entry in the
// target exactly once. "A short while" is counted in work done (Pleo requests and pushes), the
// deterministic stand-in for a kill every few seconds: a run that first re-reads the whole job
// (its pages, or Pleo's view of every item) spends its life before delivering anything.
#include "EngineFixture.h"

using enginetest::EngineTest;
using enginetest::SimulatedCrash;
using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;

namespace {

struct KillSchedule {
    int budget;     ///< Pleo requests + pushes a run may make before it is killed
    int pageSize;
    int batchSize;
};

}  // namespace

TEST_F(EngineTest, EveryRunKilledAfterAShortWhileMovesTheJobForwardAndTheJobEndsExactlyOnce) {
    const int kEntries = 400;
    for (const KillSchedule k : {KillSchedule{6, 40, 25}, KillSchedule{8, 100, 100}, KillSchedule{5, 25, 40}}) {
        SCOPED_TRACE("budget " + std::to_string(k.budget) + ", pages of " + std::to_string(k.pageSize) +
                     ", batches of " + std::to_string(k.batchSize));
        EngineTest::TearDown();
        EngineTest::SetUp();
        pleo = FakePleo();
        target = FakeTarget();
        addJob("job-1", kEntries);

        // How far the job is: entries in the target plus results Pleo has, plus the final event.
        auto progressMade = [&] {
            const FakeJob& j = pleo.jobs["job-1"];
            return target.totalWrites() + static_cast<int>(j.results.size()) + static_cast<int>(j.events.size());
        };
        int runs = 0, killed = 0;
        while (pleo.jobs["job-1"].status != "completed") {
            ASSERT_LT(runs, 200) << "the job does not finish";
            ++runs;
            const int before = progressMade();
            const std::int64_t requestsBefore = pleo.requests;
            const int pushesBefore = target.pushes;
            EngineSettings s;
            s.pageSize = k.pageSize;
            s.batchSize = k.batchSize;
            // Killed at the first durable step of the main thread once the run has used up its
            // time (the background report's step is not a place the main thread can die).
            s.onStep = [&](const std::string& step) {
                if (step == "reported") return;
                if (pleo.requests - requestsBefore + (target.pushes - pushesBefore) >= k.budget) throw SimulatedCrash{};
            };
            try {
                runOnce(s);
            } catch (const SimulatedCrash&) {
                ++killed;
            }
            EXPECT_GT(progressMade(), before) << "run " << runs << " moved nothing forward";
        }
        EXPECT_GE(killed, runs - 1) << "every run but the last was killed";
        EXPECT_GE(runs, 8) << "the schedule kills runs long before the job is done";
        expectExactlyOnce("job-1", kEntries, 0);
        for (const auto& [id, n] : target.writesByEntry) EXPECT_EQ(n, 1) << id;
    }
}

// Delivery begins before the rest of the job is fetched: the first batch is pushed while only
// the first page is staged, and pages and batches alternate from there.
TEST_F(EngineTest, DeliveryBeginsBeforeTheRestOfTheJobIsFetched) {
    addJob("job-1", 200);  // 5 pages of 40, batches of 25
    std::vector<std::string> steps;
    EngineSettings s;
    s.onStep = [&](const std::string& step) {
        if (step == "staged" || step == "pushing") steps.push_back(step);
    };
    EXPECT_EQ(runOnce(s).outcome, "ok");
    ASSERT_GE(steps.size(), 3u);
    EXPECT_EQ(steps[0], "staged");
    EXPECT_EQ(steps[1], "pushing") << "the first page is delivered before the second is staged";
    // Between two pages, the entries of the earlier one were pushed.
    int pushesSincePage = 1;
    for (const auto& step : steps) {
        if (step == "pushing") ++pushesSincePage;
        if (step != "staged") continue;
        EXPECT_GT(pushesSincePage, 0) << "two pages staged with no push between them";
        pushesSincePage = 0;
    }
    EXPECT_EQ(std::count(steps.begin(), steps.end(), "staged"), 5);
    expectExactlyOnce("job-1", 200, 0);
}
