// Guarded calls: plugin errors and exceptions become PluginError naming the plugin; a plugin
// that segfaults three times is quarantined until enabled (each crash in a forked child, each
// recorded by the host's fault handler). Kills from outside: CrashAttributionTest.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "LoaderFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

using namespace ledgerbridge;

// Under AddressSanitizer the crash tests need a real death by the signal, not ASan's report and
// exit 1: the loader's fault handlers chain to the handler installed before them, which would be
// ASan's. SIGSEGV here; SIGBUS in CrashAttributionTest (the Asan suite's one failure without it).
// Only these signals change; every other ASan check stays on.
extern "C" __attribute__((used)) const char* __asan_default_options() { return "handle_segv=0:handle_sigbus=0"; }

namespace {
sdk::Entry entry(const std::string& id) { return testEntry(id); }
}  // namespace

TEST_F(LoaderTest, GoodPluginPushesThroughASession) {
    auto session = loader->load(install("good"))->open();
    session->configure({});
    const loader::PushResult r = session->push({entry("E1"), entry("E2")});
    EXPECT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.outcomes.size(), 2u);
    EXPECT_EQ(r.outcomes[1].externalId, "T-E2");
    EXPECT_FALSE(health->unfinishedCall("lbtest_good"));
}

TEST_F(LoaderTest, PluginErrorsNameThePlugin) {
    const std::string path = install("good");
    auto session = loader->load(path)->open();
    try {
        session->check();
        FAIL();
    } catch (const PluginError& e) {
        EXPECT_STREQ(e.what(), ("plugin 'lbtest_good' (" + path +
                                "): check failed (wrong call order): configure() must succeed before check()")
                                   .c_str());
    }
    try {
        session->configure({{"nope", "1"}});
        FAIL();
    } catch (const PluginError& e) {
        EXPECT_STREQ(e.what(), ("plugin 'lbtest_good' (" + path +
                                "): configure failed (configuration error): invalid settings: nope: unknown setting;")
                                   .c_str());
    }
}

TEST_F(LoaderTest, ThrowingPluginIsReportedAsThatPluginsError) {
    const std::string path = install("throws");
    auto session = loader->load(path)->open();
    session->configure({});
    const loader::PushResult r = session->push({entry("E1")});
    EXPECT_EQ(r.status, LB_ERR_INTERNAL);
    EXPECT_TRUE(r.outcomes.empty());
    EXPECT_EQ(r.message, "plugin 'lbtest_throws' (" + path +
                             "): push failed (internal plugin error): unexpected exception: boom in push");
    try {
        session->check();
        FAIL();
    } catch (const PluginError& e) {
        EXPECT_STREQ(e.what(), ("plugin 'lbtest_throws' (" + path +
                                "): an exception crossed the plugin boundary during check: raw throw from check")
                                   .c_str());
    }
    EXPECT_FALSE(health->unfinishedCall("lbtest_throws")) << "a returned call is no crash";
    EXPECT_EQ(health->consecutiveCrashes("lbtest_throws"), 0);
}

TEST_F(LoaderTest, PluginThatSegfaultsThreeTimesIsQuarantinedUntilEnabled) {
    const std::string path = install("crashy");
    for (int run = 1; run <= 3; ++run) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {  // a fresh "process start": new loader, which counts earlier crashes
            try {
                auto session = newLoader()->load(path)->open();
                session->configure({});
                session->push({entry("E1")});
                _exit(4);  // survived: the plugin did not crash
            } catch (...) {
                _exit(3);  // refused: quarantined too early
            }
        }
        int status = 0;
        ASSERT_EQ(waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status)) << "run " << run << " exited with " << WEXITSTATUS(status);
        EXPECT_EQ(WTERMSIG(status), SIGSEGV);
        EXPECT_EQ(health->unfinishedCall("lbtest_crashy"), std::optional<std::string>("push"));
        EXPECT_TRUE(std::filesystem::exists(healthDir + "/" + std::to_string(child) + ".fault"))
            << "the fault handler recorded the crash";
    }
    const std::string expected = path +
                                 ": refused: plugin 'lbtest_crashy' is quarantined because it crashed the process 3 "
                                 "times in a row (last inside push); fix or replace it, then run `ledgerbridge plugins "
                                 "enable lbtest_crashy`";
    loader = newLoader();
    EXPECT_EQ(loadError(path), expected);
    loader = newLoader();
    EXPECT_EQ(loadError(path), expected) << "quarantine persists across restarts";
    health->enable("lbtest_crashy");
    EXPECT_EQ(loadError(path), "");
}

TEST_F(LoaderTest, OnlyASessionThatClosesCleanlyResetsTheCrashCount) {
    // As if the last process died of a fault in push: its mark, and the record its fault
    // handler wrote (a process that is gone: a child that has exited).
    health->recordCallStart("lbtest_good", "push");
    const pid_t gone = fork();
    if (gone == 0) _exit(0);
    waitpid(gone, nullptr, 0);
    std::ofstream(healthDir + "/" + std::to_string(gone) + ".fault")
        << "plugin=lbtest_good\noperation=push\npid=" << gone << "\nsignal=11\n";
    auto session = loader->load(install("good"))->open();
    session->configure({});
    EXPECT_EQ(health->consecutiveCrashes("lbtest_good"), 1) << "calls that return do not reset the count";
    session.reset();
    EXPECT_EQ(health->consecutiveCrashes("lbtest_good"), 0);
    EXPECT_FALSE(health->quarantined("lbtest_good"));
}

TEST_F(LoaderTest, SecretSettingsAreRedactedBeforeThePluginSeesThem) {
    auto session = loader->load(install("good"))->open();
    session->configure({{"api_key", "k3y-value-123"}});
    EXPECT_EQ(Redactor::global().redact("sent k3y-value-123"), "sent ***");
    Redactor::global().clearForTesting();
}

TEST_F(LoaderTest, APluginWrittenInCLoadsAndPushes) {
    const std::string path = install("cplugin");
    auto plugin = loader->load(path);
    EXPECT_EQ(plugin->manifest().targetSystem, "loader tests (C)");
    EXPECT_TRUE(plugin->manifest().tokenHosts.empty()) << "fields past a 1.0 manifest's struct_size are not read";
    EXPECT_TRUE(plugin->manifest().targetIdentity.empty()) << "fields past a 1.0 manifest's struct_size are not read";
    auto session = plugin->open();
    session->configure({});
    const loader::PushResult r = session->push({entry("E1"), entry("E2")});
    ASSERT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.outcomes.size(), 2u);
    EXPECT_EQ(r.outcomes[1].externalId, "C-E2");
    EXPECT_EQ(session->lookup(entry("E1")).kind, sdk::OutcomeKind::Absent);
    try {
        session->plan({entry("E1")});
        FAIL();
    } catch (const PluginError& e) {
        EXPECT_STREQ(e.what(), ("plugin 'lbtest_cplugin' (" + path + "): plan failed (unsupported): no dry run").c_str());
    }
}
