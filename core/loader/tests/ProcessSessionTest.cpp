// Plugins in their own process (ProcessSession + ledgerbridge-plugin-host): the same results as
// in this process, the loader's refusals passed on word for word, crashes / hangs / protocol
// endings named and counted towards quarantine, an outside SIGKILL not counted, and a hostile
// plugin that finds none of the host's other secrets.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "LoaderFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/SteadyClock.h"
#include "ledgerbridge/loader/FileHash.h"
#include "ledgerbridge/loader/ProcessSession.h"

using namespace ledgerbridge;
using namespace std::chrono_literals;

namespace {
/// An entry with one line and a tag, so every field kind crosses the protocol.
sdk::Entry entry(const std::string& id) {
    sdk::Entry e = testEntry(id);
    sdk::Line l;
    l.lineId = id + "-L1";
    l.walletAmount = {1234, "EUR", 2};
    l.netAmount = {1000, "EUR", 2};
    l.taxAmount = {234, "EUR", 2};
    l.tags = {{"PROJECT", "P-17", "Apollo"}};
    e.lines = {l};
    e.totalWallet = {1234, "EUR", 2};
    return e;
}

bool processGone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0; }

std::string token(const std::string& word) {
    std::random_device rd;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
    return "LBSECRET-" + word + "-" + hex;
}
}  // namespace

class ProcessSessionTest : public LoaderTest {
protected:
    loader::IsolationOptions options() {
        loader::IsolationOptions o;
        o.hostExecutable = loader::pluginHostExecutable();
        o.pluginDirectories = {pluginDir};
        return o;
    }
    std::unique_ptr<loader::ProcessSession> open(const std::string& plugin, loader::IsolationOptions o) {
        return std::make_unique<loader::ProcessSession>(std::move(o), install(plugin), services, *health);
    }
    /// The PluginError of `f`, or "" when it succeeded.
    template <typename F>
    static std::string errorOf(F&& f) {
        try {
            f();
            return "";
        } catch (const PluginError& e) {
            return e.what();
        }
    }
};

TEST_F(ProcessSessionTest, GoodPluginWorksInItsOwnProcessStartedAtTheFirstCall) {
    auto session = open("good", options());
    EXPECT_EQ(session->manifest().name, "lbtest_good");
    session->configure({{"api_key", "k-123456"}});
    EXPECT_EQ(session->childPid(), 0) << "no child before the first call";
    const loader::PushResult r = session->push({entry("E1"), entry("E2")});
    const pid_t child = session->childPid();
    EXPECT_GT(child, 0);
    EXPECT_NE(child, ::getpid());
    ASSERT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.outcomes.size(), 2u);
    EXPECT_EQ(r.outcomes[1].entryIndex, 1u);
    EXPECT_EQ(r.outcomes[1].externalId, "T-E2");
    session->check();
    EXPECT_EQ(session->childPid(), child) << "one child for the whole session";
    session.reset();
    EXPECT_TRUE(processGone(child));
    EXPECT_EQ(health->consecutiveCrashes("lbtest_good"), 0);
}

// A run paused past its lease between deciding to push and sending the batch must not push it
// late: the deadline travels with the batch and the child checks it before calling the plugin.
TEST_F(ProcessSessionTest, ABatchArrivingAfterItsDeadlineIsRefusedUnpushedAndTheSessionGoesOn) {
    auto session = open("good", options());
    session->configure({{"api_key", "k-123456"}});
    const std::int64_t now = steadyNowMs();
    std::string refused;
    try {
        session->pushBefore({entry("E1")}, now - 5);
    } catch (const loader::PushTooLateError& e) {
        refused = e.what();
    }
    EXPECT_NE(refused.find("after its deadline; the plugin was not called"), std::string::npos) << refused;
    EXPECT_NE(refused.find("lbtest_good"), std::string::npos) << refused;
    EXPECT_GT(session->childPid(), 0) << "the child itself refused it";
    const loader::PushResult r = session->pushBefore({entry("E1")}, now + 60000);
    ASSERT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.outcomes.size(), 1u);
    EXPECT_EQ(r.outcomes[0].externalId, "T-E1");
    EXPECT_EQ(health->consecutiveCrashes("lbtest_good"), 0) << "a late batch is no fault of the plugin";
}

TEST_F(ProcessSessionTest, BrokenPluginsAreRefusedByTheChildWithTheLoadersOwnSentences) {
    for (const char* name : {"nosymbol", "major2", "newminor"}) {
        const std::string path = install(name);
        const std::string inProcess = loadError(path);
        ASSERT_FALSE(inProcess.empty()) << name;
        const std::string outOfProcess =
            errorOf([&] { loader::ProcessSession s(options(), path, services, *health); });
        EXPECT_EQ(outOfProcess, inProcess) << name;
    }
    // Exceptions inside the plugin: a failed push and an exception across the C boundary give
    // the same result and the same PluginError as in this process.
    const std::string path = install("throws");
    auto inProcess = loader->load(path)->open();
    loader::ProcessSession outOfProcess(options(), path, services, *health);
    inProcess->configure({});
    outOfProcess.configure({});
    const loader::PushResult a = inProcess->push({entry("E1")}), b = outOfProcess.push({entry("E1")});
    EXPECT_FALSE(a.ok());
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.message, b.message);
    const std::string checkA = errorOf([&] { inProcess->check(); }), checkB = errorOf([&] { outOfProcess.check(); });
    EXPECT_NE(checkA.find("raw throw from check"), std::string::npos) << checkA;
    EXPECT_EQ(checkA, checkB);
}

TEST_F(ProcessSessionTest, CrashesAreNamedAndCountedThenQuarantinedUntilEnabled) {
    const std::string expected[] = {"SIGSEGV", "SIGABRT", "SIGSEGV"};
    const char* ids[] = {"E1", "ABORT", "OVERFLOW"};
    for (int i = 0; i < 3; ++i) {
        auto session = open("crashy", options());
        session->configure({});
        const std::string e = errorOf([&] { session->push({entry(ids[i])}); });
        EXPECT_NE(e.find("plugin 'lbtest_crashy'"), std::string::npos) << e;
        EXPECT_NE(e.find("died of " + expected[i] + " during push"), std::string::npos) << e;
        if (i < 2) EXPECT_NE(e.find("(" + std::to_string(i + 1) + " of 3 before quarantine)"), std::string::npos) << e;
        else EXPECT_NE(e.find("now quarantined"), std::string::npos) << e;
        // The session is over; the next call says why instead of starting another child.
        EXPECT_NE(errorOf([&] { session->check(); }).find("ended earlier (" + expected[i]), std::string::npos);
    }
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashy"), 3);
    const auto reason = health->quarantined("lbtest_crashy");
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("SIGSEGV during push"), std::string::npos) << *reason;
    EXPECT_NE(errorOf([&] { open("crashy", options()); }).find("is quarantined because its plugin host process ended 3 times"),
              std::string::npos);
    health->enable("lbtest_crashy");
    EXPECT_EQ(errorOf([&] { open("crashy", options()); }), "");
}

TEST_F(ProcessSessionTest, CrashesAreCountedPerFileAReplacedFileStartsCleanTheSameFileKeepsItsCount) {
    const std::string path = install("crashy");
    const std::string original = loader::fileSha256(path);
    auto crash = [&] {
        loader::ProcessSession session(options(), path, services, *health);
        session.configure({});
        return errorOf([&] { session.push({entry("E1")}); });
    };
    for (int i = 1; i <= 3; ++i) crash();
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashy"), 3) << "the same file keeps its count";
    const auto reason = health->quarantined("lbtest_crashy", original);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("file sha256 " + original.substr(0, 12) + ")"), std::string::npos) << *reason;
    EXPECT_NE(errorOf([&] { loader::ProcessSession s(options(), path, services, *health); }).find("is quarantined because"),
              std::string::npos);

    // A new build of the plugin (other bytes, so another SHA-256) replaces the file.
    std::ofstream(path, std::ios::app) << "rebuilt";
    const std::string replacement = loader::fileSha256(path);
    ASSERT_NE(replacement, original);
    EXPECT_FALSE(health->quarantined("lbtest_crashy", replacement)) << "not quarantined by its predecessor's crashes";
    std::string e = crash();
    EXPECT_NE(e.find("died of SIGSEGV during push (1 of 3 before quarantine)"), std::string::npos) << e;
    EXPECT_FALSE(health->quarantined("lbtest_crashy")) << "the predecessor's quarantine went with its streak";
    e = crash();
    EXPECT_NE(e.find("(2 of 3 before quarantine)"), std::string::npos) << "the same file keeps its count: " << e;
    e = crash();
    EXPECT_NE(e.find("now quarantined"), std::string::npos) << e;
    EXPECT_NE(health->quarantined("lbtest_crashy", replacement)->find("file sha256 " + replacement.substr(0, 12)),
              std::string::npos);
    health->enable("lbtest_crashy");  // `plugins enable` still lifts it
    EXPECT_EQ(errorOf([&] { loader::ProcessSession s(options(), path, services, *health); }), "");
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashy"), 0);
}

TEST_F(ProcessSessionTest, APluginThatCrashesWhileLoadingIsDescribedAndListedFromItsOwnProcess) {
    const std::string crashing = install("crashload");
    install("good");
    const std::string e = errorOf([&] { loader::describePlugin(options(), crashing, *health); });
    EXPECT_NE(e.find("plugin 'lbtest_crashload'"), std::string::npos) << e;
    EXPECT_NE(e.find("died of SIGSEGV during load"), std::string::npos) << e;
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashload"), 1) << "a crash while loading is the plugin's";

    // `plugins list` through the child: this process survives and lists every file.
    loader::PluginLoader listing(loader::LoaderOptions{{pluginDir}, loader::isolatedDescriber(options(), *health)},
                                 services, *health);
    const auto rows = listing.list();
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& row : rows) {
        if (row.name == "lbtest_good") {
            EXPECT_EQ(row.status, "ok");
            EXPECT_EQ(row.version, "0.0.1");
        } else {
            EXPECT_EQ(row.name, "lbtest_crashload");
            EXPECT_NE(row.status.find("died of SIGSEGV during load"), std::string::npos) << row.status;
        }
    }
    const loader::PluginInspection i = listing.inspect(crashing, true);
    EXPECT_FALSE(i.loaded);
    EXPECT_NE(i.refusal.find("SIGSEGV during load"), std::string::npos) << i.refusal;
    EXPECT_EQ(i.entrySymbols, std::vector<std::string>{"ledgerbridge_plugin_abi_1"}) << "read without running it";
}

TEST_F(ProcessSessionTest, AHungCallIsKilledAtItsDeadlineAndCounted) {
    loader::IsolationOptions o = options();
    o.callDeadline = 300ms;
    auto session = open("sleepy", o);
    session->configure({});
    session->check();  // starts the child
    const pid_t child = session->childPid();
    const auto started = std::chrono::steady_clock::now();
    const std::string e = errorOf([&] { session->push({entry("E1")}); });
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    EXPECT_NE(e.find("plugin 'lbtest_sleepy'"), std::string::npos) << e;
    EXPECT_NE(e.find("push did not finish within 300ms (the call deadline); the plugin host process was killed"),
              std::string::npos)
        << e;
    EXPECT_TRUE(processGone(child));
    EXPECT_EQ(health->consecutiveCrashes("lbtest_sleepy"), 1);
}

TEST_F(ProcessSessionTest, AnOutsideSigkillOfTheChildIsNamedButNeverCounted) {
    auto session = open("sleepy", options());
    session->configure({});
    session->check();
    const pid_t child = session->childPid();
    std::thread killer([child] {
        std::this_thread::sleep_for(300ms);
        ::kill(child, SIGKILL);
    });
    const std::string e = errorOf([&] { session->push({entry("E1")}); });
    killer.join();
    EXPECT_NE(e.find("died of SIGKILL from outside the host"), std::string::npos) << e;
    EXPECT_EQ(health->consecutiveCrashes("lbtest_sleepy"), 0);
    EXPECT_FALSE(health->quarantined("lbtest_sleepy"));
}

TEST_F(ProcessSessionTest, AHostilePluginFindsItsOwnSecretAndNoneOfTheHosts) {
    // Another connection's secrets, everywhere this process keeps things: memory, environment,
    // an open file descriptor (not close-on-exec), a secret in the host services.
    const std::string other = token("OTHER"), otherEnv = token("OTHERENV"), otherFile = token("OTHERFILE"),
                      mine = token("MINE");
    ::setenv("LEDGERBRIDGE_TEST_OTHER_TOKEN", otherEnv.c_str(), 1);
    services.setSecret("other_connection_token", other);
    const std::string file = root + "/token.key";
    std::ofstream(file) << otherFile;
    const int fd = ::open(file.c_str(), O_RDONLY);  // inherited by a plain fork+exec
    ASSERT_GE(fd, 0);

    auto session = open("snoop", options());
    session->configure({{"api_key", mine}});
    const std::string e = errorOf([&] { session->check(); });
    ::close(fd);
    ::unsetenv("LEDGERBRIDGE_TEST_OTHER_TOKEN");
    EXPECT_NE(e.find("found: "), std::string::npos) << e;
    EXPECT_NE(e.find(mine), std::string::npos) << "the scan must find the plugin's own secret: " << e;
    for (const std::string& t : {other, otherEnv, otherFile}) EXPECT_EQ(e.find(t), std::string::npos) << e;
    // The control: the same scan in this process finds what the child did not.
    auto inProcess = loader->load(install("snoop"))->open();
    inProcess->configure({{"api_key", mine}});
    const std::string here = errorOf([&] { inProcess->check(); });
    EXPECT_NE(here.find(other), std::string::npos) << here;
    EXPECT_NE(here.find(otherEnv), std::string::npos) << here;
}
