// The fixture of the engine's tests (EngineTest*.cpp): a state store in a temporary folder,
// in-memory Pleo and target doubles, one run at a time, and the exactly-once check.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "Doubles.h"
#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/store/StateStore.h"

namespace enginetest {

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;
namespace fs = std::filesystem;

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
        Engine engine(*store, api ? *api : pleo, target, RunTarget{"acme", "company", "local", "fp"}, s);
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
    PleoExports* api = nullptr;  ///< when set, the engine talks to this Pleo double instead of `pleo`
    FakeTarget target;
};

}  // namespace enginetest
