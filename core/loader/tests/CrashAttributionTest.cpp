// Only a plugin's own faults count towards its quarantine: a process killed from outside
// (SIGKILL, the OOM killer) while inside a plugin call, or a health store that cannot write
// (full disk), is not the plugin's crash. Every death happens in a forked child, as a real
// process would die; the parent plays the next start.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "LoaderFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/loader/FaultRecorder.h"

using namespace ledgerbridge;
namespace fs = std::filesystem;

namespace {

sdk::Entry entry(const std::string& id) { return testEntry(id); }

/// Runs `body` in a child process; returns its wait status.
template <typename F>
int inChild(F&& body) {
    const pid_t child = fork();
    if (child == 0) {
        try {
            body();
        } catch (...) {
            _exit(3);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return status;
}

int faultFiles(const std::string& dir) {
    int n = 0;
    for (const auto& f : fs::directory_iterator(dir)) n += f.path().extension() == ".fault";
    return n;
}

/// The health store of a host whose state disk is full: marks cannot be written or cleared.
class FullDiskHealthStore : public loader::FilePluginHealthStore {
public:
    using FilePluginHealthStore::FilePluginHealthStore;
    bool failStart = false, failEnd = false;
    void recordCallStart(const std::string& plugin, const std::string& operation) override {
        if (failStart) throw StoreError("state store: disk full: a write in /state/ledgerbridge.db failed");
        FilePluginHealthStore::recordCallStart(plugin, operation);
    }
    void recordCallEnd(const std::string& plugin) override {
        if (failEnd) throw StoreError("state store: disk full: a write in /state/ledgerbridge.db failed");
        FilePluginHealthStore::recordCallEnd(plugin);
    }
};

}  // namespace

TEST_F(LoaderTest, AFaultInsideAPluginCallIsRecordedOneOutsideIsNot) {
    loader::installFaultHandlers();
    int status = inChild([&] {
        loader::FaultScope inside(healthDir, "lbtest_x", "push");
        raise(SIGBUS);
    });
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGBUS) << "the signal still ends the process as it would have";
    status = inChild([&] {
        { loader::FaultScope done(healthDir, "lbtest_y", "push"); }  // the call returned
        raise(SIGSEGV);                                                // the host's own fault
    });
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(faultFiles(healthDir), 1);
    EXPECT_FALSE(loader::takeFault(healthDir, "lbtest_y"));
    auto fault = loader::takeFault(healthDir, "lbtest_x");
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->operation, "push");
    EXPECT_EQ(fault->signal, SIGBUS);
    EXPECT_EQ(loader::signalName(fault->signal), "SIGBUS");
    EXPECT_EQ(faultFiles(healthDir), 0) << "a record is taken once";
}

TEST_F(LoaderTest, AnAbortInsideThePluginCountsAsItsCrash) {
    const std::string path = install("crashy");
    const int status = inChild([&] {
        auto session = newLoader()->load(path)->open();
        session->configure({});
        session->push({entry("ABORT")});
    });
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGABRT);
    EXPECT_EQ(faultFiles(healthDir), 1);
    loader = newLoader();
    EXPECT_EQ(loadError(path), "");
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashy"), 1);
    EXPECT_EQ(faultFiles(healthDir), 0);
}

TEST_F(LoaderTest, AStackOverflowInsideThePluginCountsAsItsCrash) {
    const std::string path = install("crashy");
    const int status = inChild([&] {
        auto session = newLoader()->load(path)->open();
        session->configure({});
        session->push({entry("OVERFLOW")});
    });
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGSEGV);
    loader = newLoader();
    EXPECT_EQ(loadError(path), "");
    EXPECT_EQ(health->consecutiveCrashes("lbtest_crashy"), 1) << "recorded on the alternate signal stack";
}

TEST_F(LoaderTest, KilledFromOutsideInsideAPluginCallThreeTimesIsNotQuarantined) {
    const std::string path = install("sleepy");
    for (int run = 1; run <= 3; ++run) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) {  // a fresh start: its loader looks at what the last one left
            try {
                auto session = newLoader()->load(path)->open();
                session->configure({});
                session->push({entry("E1")});  // sleeps a minute
            } catch (...) {
                _exit(3);
            }
            _exit(4);
        }
        // Kill it (as SIGKILL from an operator or the OOM killer would) once it is inside push.
        bool inside = false;
        for (int i = 0; i < 1000 && !inside; ++i) {
            inside = health->unfinishedCall("lbtest_sleepy") == std::optional<std::string>("push");
            if (!inside) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ASSERT_TRUE(inside) << "run " << run << " never got inside push";
        ASSERT_EQ(kill(child, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status));
        EXPECT_EQ(WTERMSIG(status), SIGKILL);
    }
    EXPECT_EQ(faultFiles(healthDir), 0) << "a kill leaves no fault record";
    loader = newLoader();
    EXPECT_EQ(loadError(path), "") << "a healthy plugin is not quarantined for being killed";
    EXPECT_EQ(health->consecutiveCrashes("lbtest_sleepy"), 0);
    EXPECT_FALSE(health->unfinishedCall("lbtest_sleepy")) << "the leftover mark is cleared";
    EXPECT_FALSE(health->quarantined("lbtest_sleepy"));
}

TEST_F(LoaderTest, AHealthStoreThatCannotWriteIsAStoreErrorNotAPluginCrash) {
    const std::string path = install("good");
    FullDiskHealthStore full(healthDir);
    loader::PluginLoader fullLoader(loader::LoaderOptions{{pluginDir}, {}}, services, full);
    auto session = fullLoader.load(path)->open();
    session->configure({});

    full.failEnd = true;  // the push runs, clearing its mark fails
    try {
        session->push({entry("E1")});
        FAIL() << "a store that failed was not reported";
    } catch (const PluginError& e) {
        FAIL() << "reported as the plugin's failure: " << e.what();
    } catch (const StoreError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("state store: disk full", 0), 0u) << e.what();
    }
    full.failEnd = false;
    full.failStart = true;  // the mark cannot even be written: the plugin is not called
    EXPECT_THROW(session->plan({entry("E2")}), StoreError);
    full.failStart = false;

    // The mark the failing store could not clear is still there at the next start.
    EXPECT_EQ(health->unfinishedCall("lbtest_good"), std::optional<std::string>("push"));
    loader = newLoader();
    EXPECT_EQ(loadError(path), "");
    EXPECT_EQ(health->consecutiveCrashes("lbtest_good"), 0) << "a failing disk is not the plugin's crash";
    EXPECT_FALSE(health->unfinishedCall("lbtest_good"));
}
