// Runs, plugin state, plugin health (crash quarantine) and connection bindings.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include <sys/wait.h>
#include <unistd.h>

#include "StoreBackends.h"
#include "ledgerbridge/store/Connections.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/PluginState.h"
#include "ledgerbridge/store/Runs.h"

using namespace ledgerbridge;

LB_ON_BOTH_BACKENDS(Runs);
LB_ON_BOTH_BACKENDS(PluginState);
LB_ON_BOTH_BACKENDS(PluginHealth);
LB_ON_BOTH_BACKENDS(Connections);

TEST_P(Runs, StartFinishAndListNewestFirst) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Runs runs(s);
    auto a = runs.start("acme", "fp", false);
    auto b = runs.start("beta", "fp2", true);
    runs.finish(a, "ok", R"({"posted":3})");
    auto all = runs.recent(10);
    ASSERT_EQ(all.size(), 2u);
    auto acme = runs.recent(10, "acme");
    ASSERT_EQ(acme.size(), 1u);
    EXPECT_EQ(acme[0].outcome, "ok");
    EXPECT_EQ(acme[0].reportJson, R"({"posted":3})");
    EXPECT_GT(acme[0].finishedAt, 0);
    auto beta = runs.find(b);
    ASSERT_TRUE(beta);
    EXPECT_TRUE(beta->dryRun);
    EXPECT_EQ(beta->finishedAt, 0) << "unfinished run";
    EXPECT_NE(a, b);
}

TEST_P(Runs, TheLatestSuccessfulRunSkipsFailuresDryRunsAndUnfinishedRuns) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Runs runs(s);
    EXPECT_FALSE(runs.latestSucceeded("acme")) << "no history";
    auto good = runs.start("acme", "fp", false);
    runs.finish(good, "completed_with_errors", "{}");
    runs.finish(runs.start("acme", "fp", false), "failed", "{}");
    runs.finish(runs.start("acme", "fp", true), "ok", "{}");
    runs.start("acme", "fp", false);  // still running (or died)
    runs.finish(runs.start("beta", "fp", false), "ok", "{}");
    auto found = runs.latestSucceeded("acme");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, good);
}

// Rows with chosen start times (Runs::start always uses now).
static void insertRun(store::StateStore& s, const std::string& id, const std::string& connection, std::int64_t startedAt) {
    s.transaction([&](store::Session& db) {
        store::Statement ins(db, "INSERT INTO runs (id, connection, fingerprint, started_at, finished_at, outcome) "
                                  "VALUES (?,?,'fp',?,?,'ok')");
        ins.bind(1, id);
        ins.bind(2, connection);
        ins.bind(3, startedAt);
        ins.bind(4, startedAt + 1);
        ins.exec();
    });
}

TEST_P(Runs, PruneKeepsTheNewestPerConnectionInSmallBatches) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Runs runs(s);
    for (int i = 0; i < 10; ++i) {
        insertRun(s, "a" + std::to_string(i), "a", 1000 + i);
        insertRun(s, "b" + std::to_string(i), "b", 2000 + i);
    }
    insertRun(s, "c0", "c", 10);  // one ancient run: kept, it is c's newest
    // Batches of 2: several transactions per connection must add up.
    EXPECT_EQ(runs.prune(0, 3, {"a", "b", "c"}, 2), 14);
    const auto a = runs.recent(100, "a");
    ASSERT_EQ(a.size(), 3U);
    EXPECT_EQ(a[0].id, "a9");
    EXPECT_EQ(a[2].id, "a7");
    EXPECT_EQ(runs.recent(100, "b").size(), 3U);
    EXPECT_EQ(runs.recent(100, "c").size(), 1U);
    // By age: everything before 2008 goes, except each connection's newest run.
    EXPECT_EQ(runs.prune(2008, 0, {}, 2), 3);  // a7, a8, b7
    EXPECT_EQ(runs.recent(100, "a").size(), 1U);
    EXPECT_EQ(runs.recent(100, "a")[0].id, "a9");
    EXPECT_EQ(runs.recent(100, "b").size(), 2U);
    EXPECT_EQ(runs.recent(100, "c")[0].id, "c0");
    const auto latest = runs.latestStarts();
    EXPECT_EQ(latest.at("a"), 1009);
    EXPECT_EQ(latest.at("b"), 2009);
    EXPECT_EQ(latest.at("c"), 10);
    EXPECT_EQ(runs.prune(0, 0, {"a", "b", "c"}), 0) << "no limits: nothing deleted";
}

TEST_P(PluginState, ScopedByPluginAndFingerprint) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::PluginState st(s);
    st.put("xero", "fp1", "accounts", "[1,2]");
    EXPECT_EQ(st.get("xero", "fp1", "accounts"), std::optional<std::string>("[1,2]"));
    EXPECT_FALSE(st.get("xero", "fp2", "accounts"));
    EXPECT_FALSE(st.get("datev", "fp1", "accounts"));
    st.put("xero", "fp1", "accounts", "[3]");
    EXPECT_EQ(*st.get("xero", "fp1", "accounts"), "[3]");
    EXPECT_TRUE(st.erase("xero", "fp1", "accounts"));
    EXPECT_FALSE(st.get("xero", "fp1", "accounts"));
}

namespace {
// A child process that enters the plugin call and dies there.
void dieInsidePlugin(const std::function<std::unique_ptr<store::StateStore>()>& open) {
    pid_t pid = ::fork();
    if (pid == 0) {
        auto s = open();
        store::PluginHealth(*s).recordCallStart("crashy", "push");
        ::_exit(139);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
}
}  // namespace

TEST_P(PluginHealth, ACallLeftOpenByADeadProcessIsACrashAndQuarantineLastsUntilEnabled) {
    const auto reopen = [this] { return open(); };
    open();  // creates the schema
    for (int i = 1; i <= 3; ++i) {
        dieInsidePlugin(reopen);
        auto opened = open();
        store::StateStore& s = *opened;
        store::PluginHealth health(s);
        ASSERT_EQ(health.unfinishedCall("crashy"), std::optional<std::string>("push"));
        EXPECT_EQ(health.recordCrash("crashy"), i);
        EXPECT_FALSE(health.unfinishedCall("crashy")) << "counted once";
    }
    auto opened = open();
    store::StateStore& s = *opened;
    store::PluginHealth health(s);
    health.quarantine("crashy", "crashed 3 times in push");
    EXPECT_EQ(health.quarantined("crashy"), std::optional<std::string>("crashed 3 times in push"));
    EXPECT_EQ(health.consecutiveCrashes("crashy"), 3);
    health.enable("crashy");
    EXPECT_FALSE(health.quarantined("crashy"));
    EXPECT_EQ(health.consecutiveCrashes("crashy"), 0);
}

TEST_P(PluginHealth, OwnOpenCallIsNotACrashAndOnlyACleanSessionResetsTheStreak) {
    open();  // creates the schema
    dieInsidePlugin([this] { return open(); });
    auto opened = open();
    store::StateStore& s = *opened;
    store::PluginHealth health(s);
    EXPECT_EQ(health.recordCrash("crashy"), 1);
    health.recordCallStart("crashy", "configure");
    EXPECT_FALSE(health.unfinishedCall("crashy")) << "our own open call is not a crash";
    health.recordCallEnd("crashy");
    EXPECT_EQ(health.consecutiveCrashes("crashy"), 1) << "a call that returned does not reset the streak";
    health.recordCleanSession("crashy");
    EXPECT_EQ(health.consecutiveCrashes("crashy"), 0);
}

TEST_P(PluginHealth, CrashesAreCountedPerFileAReplacedFileStartsCleanTheSameFileKeepsItsCount) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::PluginHealth health(s);
    const std::string v1(64, 'a'), v2(64, 'b');
    for (int i = 1; i <= 3; ++i) {
        health.recordCallStart("crashy", "push");
        EXPECT_EQ(health.recordCrash("crashy", v1), i);
    }
    health.quarantine("crashy", "crashed 3 times (file sha256 aaaaaaaaaaaa)");
    EXPECT_TRUE(health.quarantined("crashy", v1)) << "the same file stays quarantined";
    EXPECT_TRUE(health.quarantined("crashy")) << "asked without a file: any quarantine";
    EXPECT_FALSE(health.quarantined("crashy", v2)) << "a replaced file is not quarantined by its predecessor";
    EXPECT_EQ(health.get("crashy").fileHash, v1);

    health.recordCallStart("crashy", "push");
    EXPECT_EQ(health.recordCrash("crashy", v2), 1) << "the replaced file's streak starts at 1";
    EXPECT_FALSE(health.quarantined("crashy", v2));
    EXPECT_FALSE(health.quarantined("crashy")) << "the predecessor's quarantine went with its streak";
    health.recordCallStart("crashy", "push");
    EXPECT_EQ(health.recordCrash("crashy", v2), 2) << "the same file keeps its count";

    // A quarantine set without a file (an operator, a row from before hashes) holds for any file.
    health.enable("crashy");
    health.quarantine("other", "set by hand");
    EXPECT_TRUE(health.quarantined("other", v1));
    EXPECT_TRUE(health.quarantined("other", v2));
}

TEST_P(Connections, BindingsPerFingerprint) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Connections c(s);
    c.bind({"acme", "fp-staging", "staging", "issuer https://auth.staging.pleo.io", "uuid", "csv", 0});
    c.bind({"acme", "fp-staging", "staging", "issuer https://auth.staging.pleo.io", "uuid", "csv", 0});
    c.bind({"acme", "fp-prod", "production", "issuer https://auth.pleo.io", "uuid", "csv", 0});
    auto b = c.bindings("acme");
    ASSERT_EQ(b.size(), 2u);
    c.forget("acme", "fp-staging");
    b = c.bindings("acme");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].environment, "production");
}

// A plugin naming its target identity runs under a target fingerprint; the host finds the
// connection's open jobs under every one of those in the current Pleo environment, never in
// another (its description extends the Pleo one with the identity).
TEST_P(Connections, FingerprintsWithinOnePleoEnvironmentAreItsTargetFingerprints) {
    auto opened = open();
    store::StateStore& s = *opened;
    store::Connections c(s);
    const std::string staging = "issuer https://auth.staging.pleo.io, API https://external.staging.pleo.io, company c1";
    c.bind({"acme", "fp-staging", "staging", staging, "c1", "businesscentral", 0});
    c.bind({"acme", "fp-staging-a", "staging", staging + ", ERP tenant company_id=a", "c1", "businesscentral", 0});
    c.bind({"acme", "fp-staging-b", "staging", staging + ", ERP tenant company_id=b", "c1", "businesscentral", 0});
    c.bind({"acme", "fp-prod-a", "production",
            "issuer https://auth.pleo.io, API https://external.pleo.io, company c1, ERP tenant company_id=a", "c1",
            "businesscentral", 0});
    c.bind({"acme", "fp-other", "staging", staging + "9, ERP tenant company_id=a", "c19", "businesscentral", 0});
    auto within = c.fingerprintsWithin("acme", "fp-staging", staging);
    std::sort(within.begin(), within.end());
    EXPECT_EQ(within, (std::vector<std::string>{"fp-staging", "fp-staging-a", "fp-staging-b"}));
    EXPECT_EQ(c.fingerprintsWithin("nobody", "fp-x", "issuer x"), std::vector<std::string>{"fp-x"});
}
