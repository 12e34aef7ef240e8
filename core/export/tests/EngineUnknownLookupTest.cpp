// Unknown stays unknown: an entry that may have reached the target is pushed again only after a
// lookup answered a definite "absent". Any other answer — "posted" without the document's id, an
// outcome kind the host does not know, retryable, unknown, rejected, an exception, a timeout —
// keeps it unknown: never re-planned, the job stays open, and the run's report names the entries
// and what the plugin said. A later lookup that does answer finishes the job, exactly once.
#include <stdexcept>

#include "EngineFixture.h"
#include "ledgerbridge/common/Exception.h"

using enginetest::EngineTest;
using enginetest::SimulatedCrash;
using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
using namespace testdoubles;

namespace {

struct UndecidedAnswer {
    const char* name;
    std::function<sdk::Outcome(const sdk::Entry&)> answer;
    const char* inReport;  ///< what the report must say about the entry
    bool stopsTheJob;      ///< a failed lookup stops the lookups (the plugin is unlikely to answer the next)
};

sdk::Outcome withKind(int kind) {
    sdk::Outcome o = sdk::Outcome::unknown("what is this");
    o.kind = static_cast<sdk::OutcomeKind>(kind);
    return o;
}

std::vector<UndecidedAnswer> undecidedAnswers() {
    return {
        {"unknown", [](const sdk::Entry&) { return sdk::Outcome::unknown("the ERP search timed out"); },
         "the ERP search timed out", false},
        {"retryable", [](const sdk::Entry&) { return sdk::Outcome::retryable("rate limited, try in 60 s"); },
         "rate limited, try in 60 s", false},
        {"rejected", [](const sdk::Entry&) { return sdk::Outcome::rejected("validation_failure", "no such ledger"); },
         "no such ledger", false},
        {"posted without an id", [](const sdk::Entry&) { return sdk::Outcome::posted(""); },
         "'posted' without the document's id", false},
        {"a kind the host does not know", [](const sdk::Entry&) { return withKind(42); },
         "an outcome kind the host does not know (42)", false},
        {"a plugin error", [](const sdk::Entry&) -> sdk::Outcome { throw PluginError("plugin 'fake' crashed in lookup"); },
         "plugin 'fake' crashed in lookup", true},
        {"a timeout", [](const sdk::Entry&) -> sdk::Outcome { throw NetworkError("GET https://erp/search timed out after 30 s"); },
         "timed out after 30 s", true},
        {"a foreign exception", [](const sdk::Entry&) -> sdk::Outcome { throw std::runtime_error("bad_alloc-ish"); },
         "bad_alloc-ish", true},
    };
}

}  // namespace

TEST_F(EngineTest, ALookupThatDoesNotDecideKeepsTheEntryUnknownAndTheJobOpen) {
    for (const UndecidedAnswer& a : undecidedAnswers()) {
        SCOPED_TRACE(a.name);
        EngineTest::TearDown();
        EngineTest::SetUp();
        pleo = FakePleo();
        target = FakeTarget();
        addJob("job-1", 10);
        // The target wrote all ten; the process died before the ledger knew.
        EngineSettings crash;
        crash.onStep = [](const std::string& step) {
            if (step == "pushed") throw SimulatedCrash{};
        };
        EXPECT_THROW(runOnce(crash), SimulatedCrash);
        ASSERT_EQ(target.totalWrites(), 10);

        target.lookupAnswer = a.answer;
        for (int run = 0; run < 2; ++run) {  // a second run asks again and still pushes nothing
            RunReport r = runOnce();
            EXPECT_EQ(target.totalWrites(), 10) << "pushed again on a guess";
            EXPECT_EQ(target.pushes, 1);
            EXPECT_EQ(r.outcome, "failed") << r.error;
            EXPECT_EQ(r.exitCode(), ExitCode::Failure);
            EXPECT_EQ(pleo.jobs["job-1"].status, "in_progress") << "the job stays open";
            EXPECT_TRUE(pleo.jobs["job-1"].results.empty()) << "nothing is reported for an entry nobody knows";
            ASSERT_EQ(r.jobs.size(), 1u);
            const JobReport& j = r.jobs[0];
            EXPECT_EQ(j.undelivered, 10);
            EXPECT_EQ(j.posted, 0);
            // A failed lookup stops the lookups: each run leaves one more entry unknown (and asks about it again).
            ASSERT_EQ(j.unresolved.size(), a.stopsTheJob ? static_cast<std::size_t>(run + 1) : 10u) << "the report names the entries";
            EXPECT_NE(j.unresolved[0].message.find(a.inReport), std::string::npos) << j.unresolved[0].message;
            EXPECT_NE(r.toText().find("unknown " + j.unresolved[0].entryId + ": "), std::string::npos) << r.toText();
            EXPECT_NE(r.toJson().find("\"unresolved\""), std::string::npos);
            if (a.stopsTheJob)
                EXPECT_NE(r.error.find("the lookup of entry"), std::string::npos) << r.error;
            else
                EXPECT_NE(r.error.find("its lookup did not confirm"), std::string::npos) << r.error;
        }
        // The plugin answers again: what it has is posted, nothing is written twice.
        target.lookupAnswer = nullptr;
        RunReport done = runOnce();
        EXPECT_EQ(done.outcome, "ok") << done.error;
        EXPECT_TRUE(done.jobs.at(0).unresolved.empty());
        expectExactlyOnce("job-1", 10, 0);
    }
}

// The same for outcomes the push itself left unknown (a timeout in the middle of a batch): the
// lookups right after the batch cannot decide, so the entries stay unknown, while the rest of
// the job is still delivered.
TEST_F(EngineTest, UnknownPushOutcomesThatNoLookupDecidesLeaveOnlyThoseEntriesOpen) {
    class HalfUnknownTarget : public FakeTarget {
    public:
        PushResult push(const std::vector<sdk::Entry>& batch) override {
            answerUnknown = pushes == 0;  // the first batch times out (but was written)
            return FakeTarget::push(batch);
        }
    };
    addJob("job-1", 100);
    HalfUnknownTarget half;
    half.lookupAnswer = [](const sdk::Entry&) { return sdk::Outcome::unknown("search index is rebuilding"); };
    EngineSettings s;
    s.receiptDir = (dir / "receipts").string();
    s.pageSize = 40;
    s.batchSize = 25;
    Engine engine(*store, pleo, half, RunTarget{"acme", "company", "local", "fp"}, s);
    RunReport r = engine.run();
    EXPECT_EQ(r.outcome, "failed");
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].posted, 75) << "the other entries were delivered";
    EXPECT_EQ(r.jobs[0].unresolved.size(), 25u);
    EXPECT_NE(r.jobs[0].unresolved[0].message.find("search index is rebuilding"), std::string::npos);
    EXPECT_EQ(half.totalWrites(), 100);
    for (const auto& [id, n] : half.writesByEntry) EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(pleo.jobs["job-1"].results.size(), 75u);
    EXPECT_EQ(pleo.jobs["job-1"].status, "in_progress");
}

// A push answer the host cannot read — "posted" without the document's id, an outcome kind it
// does not know — says nothing about what the target has: the entry is unknown and resolved by
// lookup, never pushed again on a guess.
TEST_F(EngineTest, APushAnswerTheHostCannotReadIsResolvedByLookupNotPushedAgain) {
    class OddAnswers : public FakeTarget {
    public:
        PushResult push(const std::vector<sdk::Entry>& batch) override {
            PushResult r = FakeTarget::push(batch);
            for (auto& o : r.outcomes) {
                if (o.entryIndex % 2 == 0)
                    o.externalId.clear();
                else
                    o.kind = static_cast<sdk::OutcomeKind>(42);
            }
            return r;
        }
    } odd;
    addJob("job-1", 20);
    EngineSettings s;
    s.receiptDir = (dir / "receipts").string();
    s.pageSize = 40;
    s.batchSize = 25;
    Engine engine(*store, pleo, odd, RunTarget{"acme", "company", "local", "fp"}, s);
    RunReport r = engine.run();
    EXPECT_EQ(r.outcome, "ok") << r.error;
    EXPECT_EQ(odd.pushes, 1) << "nothing was pushed again";
    EXPECT_EQ(odd.lookups, 20) << "every unreadable answer was looked up";
    EXPECT_EQ(odd.totalWrites(), 20);
    ASSERT_EQ(pleo.jobs["job-1"].results.size(), 20u);
    for (const auto& [id, res] : pleo.jobs["job-1"].results) {
        EXPECT_TRUE(res.successful) << id;
        EXPECT_EQ(res.externalId, "X-" + id);
    }
}
