// Crash-safety and fault tolerance of a whole export, with the real process and the real
// simulator: SIGKILL at random instants (and at every durable step) during a 2,000-entry export,
// re-running after each; every run killed early at the same point still moving it forward; and
// a 2,000-entry export through 10% injected 5xx/429/slow/dropped responses. At the end every
// entry is in the target exactly once and Pleo holds the target's external id for it.
#include <gtest/gtest.h>

#include "TargetDoubleHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

void expectDeliveredExactlyOnce(Installation& inst, const std::string& job, std::size_t entries) {
    CsvContents csv = inst.csv();
    EXPECT_EQ(csv.duplicates(), 0) << "an entry line was written twice";
    std::size_t successful = 0;
    for (const auto& item : inst.jobItems(job)) {
        ASSERT_EQ(item.status, "successful") << item.entryId << " " << item.failureReasonType;
        ++successful;
        ASSERT_TRUE(csv.fileOfEntry.count(item.entryId)) << item.entryId << " successful in Pleo, absent in the target";
        EXPECT_EQ(item.externalId, csv.fileOfEntry[item.entryId] + "#" + item.entryId);
    }
    EXPECT_EQ(successful, entries);
    EXPECT_EQ(csv.entries.size(), entries);
}

}  // namespace

TEST(CrashSafety, KilledAtRandomInstantsThirtyTimesLosesAndDoublesNothing) {
    Installation inst({"--items", "2000"});
    std::string job = inst.createJob();
    // The process needs ~100-200 ms to start; kills land from before the first request to
    // the middle of a batch. Then once at each durable step.
    const KillCount n = killAtRandomInstants(inst, job, 30, 40, 450);
    const int kills = n.kills, runs = n.runs;
    auto last = inst.ledgerbridge({"run"});
    ASSERT_EQ(last.exitCode, 0) << last.err << last.out;
    EXPECT_EQ(inst.jobStatus(job), "completed");
    RecordProperty("kills", kills);
    RecordProperty("runs", runs);
    std::cout << "[ crash-safety ] " << kills << " SIGKILLs at random instants over " << runs
              << " runs during a 2000-entry export, then 4 at durable steps\n";
    EXPECT_GE(kills, 30) << "the export finished before 30 kills; make the kill window shorter";
    expectDeliveredExactlyOnce(inst, job, 2000);
}

// Progress under repeated crashes, end to end: every run of a 2,000-entry export (20 pages) is
// killed with SIGKILL at the same early point — its second staged page, or its third push —
// and still delivers more than the run before it; the export ends exactly once. (A run that
// read every page before delivering would deliver nothing for ten runs in a row here.)
TEST(CrashSafety, EveryRunKilledEarlyStillMovesTheExportForward) {
    for (const char* crashAt : {"export:staged#2", "export:pushed#3"}) {
        SCOPED_TRACE(crashAt);
        Installation inst({"--items", "2000"});
        std::string job = inst.createJob();
        std::size_t before = 0;
        int runs = 0;
        while (inst.jobStatus(job) != "completed") {
            ASSERT_LT(runs, 40) << "the export does not finish";
            ++runs;
            auto r = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run", "--no-progress"}),
                                         {{"LEDGERBRIDGE_CRASH_AT", crashAt}});
            const std::size_t now = inst.csv().entries.size();
            if (inst.jobStatus(job) != "completed") {
                EXPECT_GT(now, before) << "run " << runs << " moved nothing forward; exit " << r.exitCode << "\n" << r.err;
            }
            before = now;
        }
        std::cout << "[ progress ] killed at " << crashAt << ": the export completed in " << runs << " runs\n";
        EXPECT_GE(runs, 4) << "the crash point did not stop the runs early";
        expectDeliveredExactlyOnce(inst, job, 2000);
    }
}

TEST(Faults, TenPercentInjectedFaultsNoDuplicatesNoLoss) {
    Installation inst({"--items", "2000", "--fault-rate", "0.1", "--faults", "5xx,429,slow,drop", "--fault-seed", "7"});
    std::string job = inst.createJob();
    int runs = 0, lastCode = -1;
    std::string output;
    // A run may give up on a request whose retries were all hit by faults; the next resumes.
    while (runs < 15) {
        ++runs;
        auto r = inst.ledgerbridge({"run", "--no-progress"});
        lastCode = r.exitCode;
        output = r.out + r.err;
        if (r.exitCode == 0 && inst.jobStatus(job) == "completed") break;
    }
    ASSERT_EQ(lastCode, 0) << output;
    auto counters = inst.sim().admin("GET", "/admin/counters");
    auto faults = counters->getObject("counters")->optValue<Poco::Int64>("faults_injected", 0);
    auto requests = counters->getValue<Poco::Int64>("total");
    std::cout << "[ faults ] " << faults << " faults injected into " << requests << " requests; export completed in "
              << runs << " run(s)\n";
    // About one request in ten (the whole export takes some 70 requests: pages of 100).
    EXPECT_GE(faults, 3);
    expectDeliveredExactlyOnce(inst, job, 2000);
}
