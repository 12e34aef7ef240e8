// "A configuration that validates starts": `config validate`, `serve` and `run` as real
// processes on one good and many broken configurations. For each broken one, validate fails
// (exit 2) exactly when serve and run refuse to start (exit 2), and all three print the same
// lines with file:line; the good one validates, serve starts listening, and run gets past its
// start (no Pleo is reachable, so it stops later, not with exit 2).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iterator>
#include <thread>
#include <fstream>
#include <regex>
#include <sstream>

#include "CliTestSupport.h"
#include "SimHarness.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/StateStore.h"

namespace fs = std::filesystem;
namespace simtest = ledgerbridge::oauth::simtest;

namespace {

const char* kGood = R"(environment = local
[state]
dir = state
token_key = env:LB_STARTUP_TEST_TOKEN_KEY
[log]
file = serve.log
[plugins]
dir = plugins
[environment.local]
auth_url = https://127.0.0.1:9
api_url = https://127.0.0.1:9
client_id = demo
client_secret = env:LB_STARTUP_TEST_CLIENT_SECRET
[service]
listen = 127.0.0.1:0
grace_period = 5s
[connection.acme]
company_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90
plugin = csv
schedule = every 15m
setting.output_dir = out
)";

struct Broken {
    const char* what;
    std::string from, to;   ///< replace `from` in kGood with `to`
    std::string expected;   ///< a line validate must print (after "<file>:")
    bool runRefuses = true; ///< false: only the service needs it
};

class StartupChecks : public ::testing::Test {
protected:
    void SetUp() override {
        ledgerbridge::clitest::makeInstallation("lb-startup", dir);
        if (HasFatalFailure()) return;
        const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
        fs::copy_file(fs::path(bin) / "lib/ledgerbridge/plugins/sie.so", dir / "plugins/sie.so");
        ::setenv("LB_STARTUP_TEST_TOKEN_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
        ::setenv("LB_STARTUP_TEST_CLIENT_SECRET", "startup-test-client-secret", 1);
        config = (dir / "ledgerbridge.ini").string();
    }
    void TearDown() override { fs::remove_all(dir); }

    void write(const std::string& text) { std::ofstream(config) << text; }
    simtest::ProcessResult lb(std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config});
        return simtest::run(simtest::binary("ledgerbridge"), args);
    }

    fs::path dir;
    std::string config;
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

/// validate's report: from "<file>: N problem(s):" to the end of stderr.
std::string reportOf(const std::string& err, const std::string& file) {
    const auto at = err.find(file + ": ");
    return at == std::string::npos ? "" : err.substr(at);
}

}  // namespace

TEST_F(StartupChecks, ValidateFailsExactlyWhenServeAndRunRefuseWithTheSameLines) {
    const std::vector<Broken> cases = {
        {"cron minute out of range", "schedule = every 15m", "schedule = cron 61 6 * * *",
         ":20: connection.acme.schedule = \"cron 61 6 * * *\" is not a valid schedule: the minute field"},
        {"no schedule kind", "schedule = every 15m", "schedule = hourly",
         ":20: connection.acme.schedule = \"hourly\" is not a valid schedule: it must start with \"every\" or \"cron\""},
        {"unknown time zone", "schedule = every 15m", "schedule = cron 0 6 * * 1-5 Europe/Copenhagn",
         ":20: connection.acme.schedule = \"cron 0 6 * * 1-5 Europe/Copenhagn\" is not a valid schedule: The time "
         "zone Europe/Copenhagn is unknown"},
        {"bad sync schedule", "schedule = every 15m", "schedule = every 15m\nsync_schedule = every 1d jitter 2d",
         ":21: connection.acme.sync_schedule = \"every 1d jitter 2d\" is not a valid schedule: the jitter must be "
         "shorter than the interval"},
        {"plugin not installed", "plugin = csv", "plugin = cvs",
         ":19: connection.acme.plugin: plugin 'cvs' is not installed: " + (fs::path("PLUGINS") / "cvs.so").string() +
             " does not exist (did you mean 'csv'?) (installed in PLUGINS: csv, junk, sie)"},
        {"plugin not loadable", "plugin = csv", "plugin = junk",
         ":19: connection.acme.plugin: plugin 'junk' cannot be loaded: "},
        {"unknown setting", "setting.output_dir = out", "setting.output_dir = out\nsetting.delimeter = ;",
         ":22: connection.acme.setting.delimeter: plugin 'csv': unknown setting (did you mean 'delimiter'?) (its "
         "settings: output_dir, columns, delimiter"},
        {"required setting missing", "setting.output_dir = out", "setting.ouptut_dir = out",
         ":17: connection.acme.setting.output_dir: plugin 'csv': required setting is missing (add "
         "setting.output_dir = ... under [connection.acme]: Existing directory the CSV files are written to.)"},
        {"wrong type", "plugin = csv\nschedule = every 15m\nsetting.output_dir = out",
         "plugin = sie\nschedule = every 15m\nsetting.output_dir = out\nsetting.company_name = Acme AB\n"
         "setting.org_nr = 556677-8899\nsetting.fiscal_year_start = 20260101\nsetting.fiscal_year_end = 20261231\n"
         "setting.checksum = maybe",
         ":26: connection.acme.setting.checksum: plugin 'sie': expected true or false, got 'maybe'"},
        {"webhook secret unreadable", "grace_period = 5s", "grace_period = 5s\nwebhook_secret = env:LB_STARTUP_TEST_UNSET",
         ":17: service.webhook_secret: ", false},
    };
    std::ofstream(dir / "plugins/junk.so") << "not a shared library";
    const std::string plugins = (dir / "plugins").string();
    for (const Broken& b : cases) {
        SCOPED_TRACE(b.what);
        write(replaced(kGood, b.from, b.to));
        const auto validate = lb({"config", "validate"});
        ASSERT_EQ(validate.exitCode, 2) << validate.out << validate.err;
        const std::string expected = std::regex_replace(b.expected, std::regex("PLUGINS"), plugins);
        EXPECT_NE(validate.err.find(config + expected), std::string::npos) << validate.err;
        const std::string report = reportOf(validate.err, config);
        ASSERT_FALSE(report.empty()) << validate.err;

        const auto serve = lb({"serve"});
        EXPECT_EQ(serve.exitCode, 2) << serve.out << serve.err;
        EXPECT_NE(serve.err.find(report), std::string::npos) << "serve:\n" << serve.err << "validate:\n" << report;
        EXPECT_EQ(serve.out.find("listening"), std::string::npos) << serve.out;

        const auto run = lb({"run"});
        if (b.runRefuses) {
            EXPECT_EQ(run.exitCode, 2) << run.out << run.err;
            EXPECT_NE(run.err.find(report), std::string::npos) << "run:\n" << run.err << "validate:\n" << report;
        } else {
            EXPECT_NE(run.exitCode, 2) << "a cron `run` does not need the webhook secret: " << run.err;
        }
    }
}

TEST_F(StartupChecks, AConfigurationThatValidatesStarts) {
    write(kGood);
    const auto validate = lb({"config", "validate"});
    ASSERT_EQ(validate.exitCode, 0) << validate.err;
    EXPECT_NE(validate.out.find(config + ": OK"), std::string::npos) << validate.out;
    EXPECT_FALSE(fs::exists(dir / "state")) << "validate creates no state";

    simtest::LiveProcess serve(simtest::binary("ledgerbridge"), {"--config", config, "serve"});
    const std::string line = serve.readLineContaining("listening on");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("\\(process ([0-9]+)"))) << line;
    const pid_t pid = static_cast<pid_t>(std::stol(m[1].str()));
    // A reload that would not start is refused with the same check, and the service keeps the
    // configuration it runs.
    write(replaced(kGood, "plugin = csv", "plugin = cvs"));
    ::kill(pid, SIGHUP);
    std::string log;
    for (int i = 0; i < 200 && log.find("could not be reloaded") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        std::ifstream in(dir / "serve.log");
        log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    EXPECT_NE(log.find("could not be reloaded"), std::string::npos) << log;
    EXPECT_NE(log.find("connection.acme.plugin: plugin 'cvs' is not installed"), std::string::npos) << log;
    ::kill(pid, SIGTERM);
    EXPECT_EQ(serve.finish().exitCode, 0);

    // run starts and stops at the missing login (exit 4), not at the configuration.
    write(kGood);
    const auto run = lb({"run"});
    EXPECT_EQ(run.exitCode, 4) << run.out << run.err;
}

TEST_F(StartupChecks, AQuarantinedPluginIsNotLoadedAndOnlyWarnedAbout) {
    // A crash-quarantined plugin's code must not run, not even to read its manifest: validate
    // passes with a warning (runs refuse the plugin themselves and tell Pleo). The file here is
    // no library at all, so loading it would have been a problem.
    std::ofstream(dir / "plugins/junk.so") << "not a shared library";
    write(replaced(replaced(kGood, "plugin = csv", "plugin = junk"), "setting.output_dir = out\n", ""));
    {
        ledgerbridge::store::StateStore state((dir / "state").string());
        ledgerbridge::store::PluginHealth(state).quarantine("junk", "it crashed the process 3 times in a row");
    }
    const auto validate = lb({"config", "validate"});
    EXPECT_EQ(validate.exitCode, 0) << validate.err;
    EXPECT_NE(validate.err.find("warning: " + config + ":19: connection.acme.plugin: plugin 'junk' is quarantined "
                                "because it crashed the process 3 times in a row (runs of this connection are refused "
                                "until `ledgerbridge plugins enable junk`)"),
              std::string::npos)
        << validate.err;
}

TEST_F(StartupChecks, APluginThatCrashesWhileLoadingIsAProblemNotACrashOfValidateOrServe) {
    // The manifest is read in a plugin host process: the segfault ends that child, and the
    // start-up check reports it on the connection's line like any plugin that cannot be loaded.
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    fs::copy_file(fs::path(bin) / "core/loader/tests/testplugins/lbtest_crashload.so", dir / "plugins/lbtest_crashload.so");
    write(replaced(replaced(kGood, "plugin = csv", "plugin = lbtest_crashload"), "setting.output_dir = out\n", ""));
    for (const auto& command : {std::vector<std::string>{"config", "validate"}, std::vector<std::string>{"serve"}}) {
        const auto r = lb(command);
        EXPECT_EQ(r.exitCode, 2) << command[0] << ": " << r.err;
        EXPECT_NE(r.err.find(config + ":19: connection.acme.plugin: plugin 'lbtest_crashload' cannot be loaded: "),
                  std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("died of SIGSEGV during load"), std::string::npos) << r.err;
    }
}
