// Integrity of staged items through the whole engine: one changed byte in a staged export item
// (the account 6110 turned into 6111, still a valid item) stops the job before that item reaches
// the target or Pleo, with an error naming the job and the entry; the next run reads the job's
// items from Pleo again, restores the item and delivers every entry exactly once.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "Doubles.h"
#include "ledgerbridge/export/Engine.h"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;
namespace fs = std::filesystem;

namespace {
struct StopHere {};  // thrown from the step hook: the process "dies" there
}  // namespace

TEST(StagedIntegrity, AChangedByteNeverReachesTheTargetAndTheNextRunRestoresTheItem) {
    const fs::path dir = fs::temp_directory_path() / ("lb-staged-integrity-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto state = std::make_unique<store::StateStore>((dir / "state").string());
    FakePleo pleo;
    FakeTarget target;
    FakeJob job;
    for (int i = 0; i < 60; ++i) job.items.push_back(item("e" + std::to_string(i)));
    pleo.jobs["job-1"] = job;
    auto run = [&](EngineSettings s = {}) {
        s.receiptDir = (dir / "receipts").string();
        s.dryRunReport = (dir / "plan.jsonl").string();
        s.pageSize = 40;
        s.batchSize = 25;
        Engine engine(*state, pleo, target, RunTarget{"acme", "company", "local", "fp"}, s);
        return engine.run();
    };

    // 1. The first page (e0..e39) staged, nothing delivered yet: the process dies right after
    //    staging it (delivery of a page begins after it is staged, while the next is fetched).
    EngineSettings stopAfterStaging;
    int staged = 0;
    stopAfterStaging.onStep = [&](const std::string& step) {
        if (step == "staged" && ++staged == 1) throw StopHere{};
    };
    EXPECT_THROW(run(stopAfterStaging), StopHere);
    ASSERT_EQ(target.totalWrites(), 0);

    // 2. One byte of entry e30's staged item changes (a bad disk, a hand edit).
    state->read([](store::Session& db) {
        EXPECT_EQ(db.exec("UPDATE ledger_payloads SET payload = replace(payload, '\"6110\"', '\"6111\"') "
                          "WHERE entry = (SELECT id FROM ledger WHERE entry_id = 'e30')"),
                  1);
    });

    // 3. The run stops at the batch holding e30, before the target or Pleo sees it.
    RunReport damaged = run();
    EXPECT_EQ(damaged.outcome, "failed");
    EXPECT_EQ(damaged.exitCode(), ExitCode::Failure);
    EXPECT_NE(damaged.error.find("export job job-1, entry e30"), std::string::npos) << damaged.error;
    EXPECT_NE(damaged.error.find("nothing of this entry was sent"), std::string::npos) << damaged.error;
    for (const auto& [key, external] : target.byKey) EXPECT_NE(external, "X-e30") << "the damaged entry reached the target";
    EXPECT_EQ(pleo.jobs["job-1"].results.count("e30"), 0u) << "nor was anything about it reported to Pleo";
    EXPECT_EQ(target.totalWrites(), 25) << "the batch before it went through; the job stopped at e30's batch";
    EXPECT_TRUE(pleo.jobs["job-1"].status == "in_progress") << "the job stays open";

    // 4. The next run reads the job's items from Pleo again: e30 is restored, all delivered once.
    RunReport recovered = run();
    EXPECT_EQ(recovered.outcome, "ok") << recovered.error;
    EXPECT_EQ(target.totalWrites(), 60);
    for (const auto& [key, n] : target.writes) EXPECT_EQ(n, 1) << "written twice: " << key;
    ASSERT_EQ(pleo.jobs["job-1"].results.size(), 60u);
    EXPECT_TRUE(pleo.jobs["job-1"].results.at("e30").successful);
    EXPECT_EQ(pleo.jobs["job-1"].status, "completed");

    state.reset();
    fs::remove_all(dir);
}
