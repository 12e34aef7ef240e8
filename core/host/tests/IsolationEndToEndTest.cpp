// `ledgerbridge serve` with plugins in their own processes, as a real process against the
// simulator: three connections — "acme" exporting into the CSV plugin, "crashy" whose plugin
// segfaults in every push, "hangs" whose plugin sleeps in every push past the call deadline.
// The healthy connection completes every job while the others fail their runs with the plugin
// and the cause named (outcome plugin_failure, exit-5 class), the service keeps running, and both
// broken plugins are quarantined after the configured number of counted endings (a push, then
// the lookups of the entries it left unknown, each crash or hang again). Then an outside
// SIGKILL of the service while the hanging plugin is inside push, three times: its child dies with
// it, and nothing is counted against the plugin.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// `ledgerbridge serve` started in the background, its stderr read on the side.
class Serve {
public:
    Serve(Installation& inst) {
        handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
            oauth::simtest::binary("ledgerbridge"), inst.argv({"--log-format", "json", "serve"}), nullptr, &out_, &err_));
        errReader_ = std::thread([this] {
            Poco::PipeInputStream err(err_);
            Poco::StreamCopier::copyToString(err, errText_);
        });
        Poco::PipeInputStream out(out_);
        std::getline(out, firstLine_);
    }
    ~Serve() {
        if (handle_) {
            ::kill(handle_->id(), SIGKILL);
            handle_->wait();
        }
        if (errReader_.joinable()) errReader_.join();
    }
    int pid() const { return handle_->id(); }
    const std::string& firstLine() const { return firstLine_; }
    /// Sends `sig` and waits for the exit code.
    int stop(int sig) {
        ::kill(handle_->id(), sig);
        const int code = handle_->wait();
        handle_.reset();
        errReader_.join();
        return code;
    }
    const std::string& log() const { return errText_; }

private:
    std::unique_ptr<Poco::ProcessHandle> handle_;
    Poco::Pipe out_, err_;
    std::thread errReader_;
    std::string errText_, firstLine_;
};

/// The process ids of `pid`'s children (every thread's).
std::vector<int> childrenOf(int pid) {
    std::vector<int> out;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(task.path() / "children");
        for (int c; in >> c;) out.push_back(c);
    }
    return out;
}

/// Whether process `pid` has `library` mapped (a plugin host process serving that plugin).
bool maps(int pid, const std::string& library) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
    for (std::string line; std::getline(in, line);)
        if (line.find(library) != std::string::npos) return true;
    return false;
}

template <typename F>
bool waitFor(F&& done, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return done();
}

void copyPlugin(const std::string& from, const std::string& toDir) {
    const fs::path to = fs::path(toDir) / fs::path(from).filename();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
}

}  // namespace

TEST(Isolation, ServeKeepsTheHealthyConnectionGoingWhileOnePluginSegfaultsAndOneHangs) {
    Installation inst({"--companies", "3", "--items", "150"});
    const std::string bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    auto companies = inst.sim().admin("GET", "/admin/companies")->getArray("data");
    const std::string crashyCompany = companies->getObject(1)->getValue<std::string>("id");
    const std::string hangsCompany = companies->getObject(2)->getValue<std::string>("id");

    // The three plugins in the installation's own plugin folder.
    const std::string pluginDir = inst.dir() + "/plugins";
    fs::create_directories(pluginDir);
    fs::permissions(pluginDir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec);
    copyPlugin(bin + "/lib/ledgerbridge/plugins/csv.so", pluginDir);
    copyPlugin(bin + "/core/loader/tests/testplugins/lbtest_crashy.so", pluginDir);
    copyPlugin(bin + "/core/loader/tests/testplugins/lbtest_sleepy.so", pluginDir);

    std::string config;
    {
        std::ifstream in(inst.dir() + "/ledgerbridge.ini");
        config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string harnessDir = "dir = " + bin + "/lib/ledgerbridge/plugins\n";
    ASSERT_NE(config.find(harnessDir), std::string::npos);
    config.replace(config.find(harnessDir), harnessDir.size(), "dir = plugins\ncall_deadline = 3s\nquarantine_after = 3\n");
    for (const auto& [name, company, plugin] : {std::tuple{"crashy", crashyCompany, "lbtest_crashy"},
                                                std::tuple{"hangs", hangsCompany, "lbtest_sleepy"}}) {
        auto key = inst.sim().admin("POST", "/admin/api-keys", "{\"companyId\":\"" + company + "\"}");
        const std::string keyFile = inst.dir() + "/" + name + ".key";
        std::ofstream(keyFile) << key->getValue<std::string>("apiKey");
        fs::permissions(keyFile, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
        config += std::string("\n[connection.") + name + "]\ncompany_id = " + company + "\nplugin = " + plugin +
                  "\ncredential = api_key\napi_key = file:" + name + ".key\nschedule = every 2s\nsync_schedule = off\n";
        inst.sim().admin("POST", "/admin/export-jobs", "{\"companyId\":\"" + company + "\",\"items\":5}");
    }
    // Any free port, not the default 9464: another service on this machine (a test running beside
    // this one, a benchmark) may hold that, and this service would then not start.
    config += "\n[service]\nlisten = 127.0.0.1:0\n";
    std::ofstream(inst.dir() + "/ledgerbridge.ini", std::ios::trunc) << config;
    ::setenv("LEDGERBRIDGE_CONNECTION_ACME_SCHEDULE", "every 2s", 1);
    ::setenv("LEDGERBRIDGE_CONNECTION_ACME_SYNC_SCHEDULE", "off", 1);

    {
        Serve serve(inst);
        ASSERT_NE(serve.firstLine().find("listening on"), std::string::npos) << serve.firstLine();
        // Three jobs for the healthy connection, one after the other: each completes while the
        // other two connections' plugins crash and hang next to it.
        for (int i = 0; i < 3; ++i) {
            const std::string job = inst.createJob(40);
            std::string status;
            waitFor([&] {
                status = inst.jobStatus(job);
                return status == "completed";
            }, 90s);
            ASSERT_EQ(status, "completed") << "job " << i << "\n" << serve.log().substr(0, 4000);
        }
        EXPECT_EQ(inst.csv().entries.size(), 120u);
        // Both broken plugins reach quarantine (three counted endings each, 2 s apart at most).
        auto quarantined = [&](const std::string& plugin) {
            auto r = inst.ledgerbridge({"plugins", "list"});
            for (std::size_t at = r.out.find(plugin); at != std::string::npos; at = r.out.find(plugin, at + 1))
                if (r.out.find("quarantined", at) < r.out.find('\n', at)) return true;
            return false;
        };
        EXPECT_TRUE(waitFor([&] { return quarantined("lbtest_crashy") && quarantined("lbtest_sleepy"); }, 120s));
        EXPECT_EQ(::kill(serve.pid(), 0), 0) << "the service is still running";
        EXPECT_EQ(serve.stop(SIGTERM), 0) << "and stops cleanly";
    }

    auto history = [&](const std::string& connection) {
        return inst.ledgerbridge({"history", "--connection", connection, "--json", "--limit", "1000"}).out;
    };
    const std::string crashy = history("crashy"), hangs = history("hangs"), acme = history("acme");
    EXPECT_NE(crashy.find("plugin_failure"), std::string::npos) << crashy.substr(0, 3000);
    EXPECT_NE(crashy.find("plugin 'lbtest_crashy'"), std::string::npos) << crashy.substr(0, 3000);
    EXPECT_NE(crashy.find("died of SIGSEGV during push"), std::string::npos) << crashy.substr(0, 3000);
    EXPECT_NE(crashy.find("died of SIGSEGV during lookup"), std::string::npos) << crashy.substr(0, 3000);
    EXPECT_NE(hangs.find("plugin_failure"), std::string::npos) << hangs.substr(0, 3000);
    EXPECT_NE(hangs.find("plugin 'lbtest_sleepy'"), std::string::npos) << hangs.substr(0, 3000);
    EXPECT_NE(hangs.find("push did not finish within 3s (the call deadline)"), std::string::npos) << hangs.substr(0, 3000);
    EXPECT_EQ(acme.find("plugin_failure"), std::string::npos) << acme.substr(0, 3000);
    // Quarantined runs fail before the engine starts (no history row): `plugins list` says why.
    const auto list = inst.ledgerbridge({"plugins", "list"});
    EXPECT_NE(list.out.find("lbtest_crashy: quarantined: its plugin host process ended 3 times in a row (last: SIGSEGV during lookup; "
                            "file sha256 "),
              std::string::npos)
        << list.out;
    EXPECT_NE(list.out.find("(last: the call deadline (3s) during lookup; file sha256 "), std::string::npos) << list.out;
    EXPECT_EQ(list.exitCode == 0 || list.exitCode == 5, true);

    // An outside SIGKILL of the service while the hanging plugin is inside push: its child dies
    // with it (PR_SET_PDEATHSIG) and nothing counts against the plugin — three times over.
    ASSERT_EQ(inst.ledgerbridge({"plugins", "enable", "lbtest_sleepy"}).exitCode, 0);
    ::setenv("LEDGERBRIDGE_PLUGINS_CALL_DEADLINE", "10m", 1);
    ::setenv("LEDGERBRIDGE_CONNECTION_CRASHY_SCHEDULE", "every 1d", 1);
    for (int i = 0; i < 3; ++i) {
        // A new job when the last one ended; else the open one is resumed (its lookup hangs).
        try {
            inst.sim().admin("POST", "/admin/export-jobs", "{\"companyId\":\"" + hangsCompany + "\",\"items\":5}");
        } catch (const std::exception&) {
        }
        Serve serve(inst);
        // The session's child of the hanging plugin, inside push (the short-lived child that only
        // reads the manifest is gone long before 1.5 s).
        int child = 0;
        ASSERT_TRUE(waitFor([&] {
            for (int c : childrenOf(serve.pid()))
                if (maps(c, "lbtest_sleepy.so")) child = c;
            if (child == 0) return false;
            std::this_thread::sleep_for(1500ms);
            if (::kill(child, 0) == 0) return true;
            child = 0;
            return false;
        }, 60s)) << serve.log().substr(0, 3000);
        serve.stop(SIGKILL);
        EXPECT_TRUE(waitFor([&] { return ::kill(child, 0) != 0; }, 10s)) << "the plugin's process outlived the service";
    }
    const auto after = inst.ledgerbridge({"plugins", "list"});
    std::string sleepyRow;
    for (std::size_t at = after.out.find("lbtest_sleepy"); at != std::string::npos && sleepyRow.empty();
         at = after.out.find("lbtest_sleepy", at + 1))
        sleepyRow = after.out.substr(at, after.out.find('\n', at) - at);
    EXPECT_EQ(sleepyRow.find("quarantined"), std::string::npos) << after.out;
    ::unsetenv("LEDGERBRIDGE_CONNECTION_ACME_SCHEDULE");
    ::unsetenv("LEDGERBRIDGE_CONNECTION_ACME_SYNC_SCHEDULE");
    ::unsetenv("LEDGERBRIDGE_PLUGINS_CALL_DEADLINE");
    ::unsetenv("LEDGERBRIDGE_CONNECTION_CRASHY_SCHEDULE");
}

// `[plugins] isolation = in-process` still loads the plugin into ledgerbridge itself (for a
// debugger) with the same settings handling: a relative path setting, a whole export.
TEST(Isolation, InProcessLoadingStillExportsEveryEntry) {
    Installation inst({"--items", "30"});
    inst.createJob(30);
    ::setenv("LEDGERBRIDGE_PLUGINS_ISOLATION", "in-process", 1);
    const auto r = inst.ledgerbridge({"run"});
    ::unsetenv("LEDGERBRIDGE_PLUGINS_ISOLATION");
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(inst.csv().entries.size(), 30u);
}
