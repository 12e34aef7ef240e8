// The CLI in-process: help on every level, usage errors, config validate/show, history.
#include <gtest/gtest.h>

#include "CliTestSupport.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>


#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/store/PostgresSession.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge::cli;
namespace fs = std::filesystem;

namespace {

struct Result {
    int code;
    std::string out;
    std::string err;
};

Result cli(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    int code = runCli(args, out, err);
    return {code, out.str(), err.str()};
}

class CliConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        // With the CSV plugin installed: run and validate check that each connection's plugin loads.
        ledgerbridge::clitest::makeInstallation("lb-cli", dir);
        ::setenv("LB_CLI_TEST_SECRET", "cli-test-client-secret", 1);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string writeConfig(const std::string& text) {
        auto p = (dir / "ledgerbridge.ini").string();
        std::ofstream(p) << text;
        return p;
    }
    fs::path dir;
};

const char* kConfig = R"(environment = local
[state]
dir = state
token_key = env:LB_CLI_TEST_SECRET
[environment.local]
auth_url = https://127.0.0.1:9
api_url = https://127.0.0.1:9
client_id = demo
client_secret = env:LB_CLI_TEST_SECRET
[connection.acme]
company_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90
plugin = csv
setting.output_dir = out
)";

}  // namespace

TEST(Cli, RootHelpListsCommandsAndExitCodes) {
    auto r = cli({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* word : {"config", "auth", "run", "serve", "plugins", "history", "version", "Exit codes:",
                             "4    a connection needs re-authorisation"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

TEST(Cli, HelpWorksOnEveryLevel) {
    const auto root = makeRootCommand();
    for (const auto& c : root.subcommands) {
        auto r = cli({c.name, "--help"});
        EXPECT_EQ(r.code, 0) << c.name;
        EXPECT_NE(r.out.find("ledgerbridge " + c.name), std::string::npos) << r.out;
        for (const auto& s : c.subcommands) {
            auto rs = cli({c.name, s.name, "--help"});
            EXPECT_EQ(rs.code, 0) << c.name << " " << s.name;
            EXPECT_NE(rs.out.find("Usage:"), std::string::npos);
        }
    }
}

TEST(Cli, UnknownCommandAndOptionAreUsageErrors) {
    auto r = cli({"frobnicate"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ledgerbridge: unknown command 'frobnicate'; available: config, auth, run, sync, serve, plugins, status, history, validate, promote, state, "
                     "version\n");
    r = cli({"history", "--bogus"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ledgerbridge: unknown option --bogus for 'history'; see 'ledgerbridge history --help'\n");
    r = cli({"history", "--limit"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ledgerbridge: option --limit needs a value (N)\n");
    r = cli({"config"});
    EXPECT_EQ(r.code, 2) << "a group without its subcommand prints help to stderr";
    EXPECT_NE(r.err.find("Commands:"), std::string::npos);
}

TEST_F(CliConfigTest, ValidateGoodConfigSummarises) {
    auto path = writeConfig(kConfig);
    auto r = cli({"config", "validate", "--config", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(path + ": OK"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("acme: company 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90 -> plugin csv (oauth)"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "state")) << "validate writes nothing";
}

TEST_F(CliConfigTest, ValidateReportsEveryProblemWithLineAndExitsTwo) {
    auto path = writeConfig(std::string(kConfig) + "bogus line\n[connection.b]\nplugin = csv\n");
    auto r = cli({"config", "validate", "--config", path});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(path + ": 2 problems:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path + ":14: line 'bogus line' is neither"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path + ":15: connection.b.company_id: is missing"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "state"));
}

TEST_F(CliConfigTest, UnknownEnvironmentFromTheCommandLineIsOneClearMessage) {
    auto path = writeConfig(kConfig);
    auto r = cli({"config", "validate", "--config", path, "--environment", "prod"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--environment: environment: unknown environment 'prod'"), std::string::npos) << r.err;
}

TEST_F(CliConfigTest, MissingSecretFileIsNamed) {
    std::string text = kConfig;
    text.replace(text.find("client_secret = env:LB_CLI_TEST_SECRET"), 38, "client_secret = file:missing-secret");
    auto path = writeConfig(text);
    auto r = cli({"config", "validate", "--config", path});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("secret file " + (dir / "missing-secret").string() + " does not exist"), std::string::npos) << r.err;
}

TEST_F(CliConfigTest, ShowPrintsEffectiveValuesAndNeverASecret) {
    auto path = writeConfig(kConfig);
    ::setenv("LEDGERBRIDGE_CONNECTION_ACME_PLUGIN", "datev", 1);
    auto r = cli({"config", "show", "--config", path});
    ::unsetenv("LEDGERBRIDGE_CONNECTION_ACME_PLUGIN");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("plugin = datev"), std::string::npos) << "environment override applied\n" << r.out;
    EXPECT_NE(r.out.find("client_secret = env:LB_CLI_TEST_SECRET"), std::string::npos);
    EXPECT_EQ(r.out.find("cli-test-client-secret"), std::string::npos);
}

TEST_F(CliConfigTest, HistoryOnAFreshStoreSaysSoAndJsonIsAnEmptyList) {
    auto path = writeConfig(kConfig);
    auto r = cli({"history", "--config", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("No runs recorded yet"), std::string::npos);
    r = cli({"history", "--config", path, "--json"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "[]\n");
    r = cli({"history", "--config", path, "--limit", "many"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ledgerbridge: --limit takes a positive whole number, not 'many'\n");
}

// [state] url puts the store on PostgreSQL (scripts/with-postgres provides one; skipped without
// it): the CLI reads what another process wrote there, no SQLite file appears, and a wrong
// password is one clear message that does not repeat it.
TEST_F(CliConfigTest, StateUrlPutsTheStoreOnPostgreSQL) {
    const char* url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    if (!url || !*url) GTEST_SKIP() << "LEDGERBRIDGE_TEST_PG_URL is not set: run under scripts/with-postgres";
    const char* passwordEnv = std::getenv("LEDGERBRIDGE_TEST_PG_PASSWORD");
    const std::string password = passwordEnv ? passwordEnv : "";
    const std::string schema = "cli_" + std::to_string(::getpid());
    ledgerbridge::store::PostgresSession admin(url, password, 10000);
    admin.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
    const std::string storeUrl = std::string(url) + "?options=-csearch_path%3D" + schema;
    std::string text = kConfig;
    text.insert(text.find("[environment.local]"), "url = " + storeUrl + "\npassword = env:LB_CLI_TEST_PG_PASSWORD\n\n");
    auto path = writeConfig(text);
    {
        ledgerbridge::store::StateStore s((dir / "elsewhere").string(), {storeUrl, password});
        ledgerbridge::store::Runs runs(s);
        runs.finish(runs.start("acme", "fp", false), "ok", "{}");
    }
    ::setenv("LB_CLI_TEST_PG_PASSWORD", password.c_str(), 1);
    auto r = cli({"history", "--config", path, "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"acme\""), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir / "state" / "ledgerbridge.db")) << "the state is on PostgreSQL, not in a SQLite file";

    ::setenv("LB_CLI_TEST_PG_PASSWORD", "not-the-password-42", 1);
    r = cli({"history", "--config", path});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("state store: cannot connect to postgresql://"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("not-the-password-42"), std::string::npos) << r.err;
    ::unsetenv("LB_CLI_TEST_PG_PASSWORD");
    admin.exec("DROP SCHEMA " + schema + " CASCADE");
}

TEST_F(CliConfigTest, UnusableStateDirectoryIsOneClearMessage) {
    auto path = writeConfig(kConfig);
    std::ofstream((dir / "blocker").string()) << "x";
    auto r = cli({"history", "--config", path, "--state-dir", (dir / "blocker" / "state").string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("cannot create the state directory " + (dir / "blocker" / "state").string()), std::string::npos)
        << r.err;
}

// `run` checks the state database before anything else: a damaged page is refused with exit
// code 1 and the way to recover, and nothing runs (the Pleo URLs here lead nowhere).
TEST_F(CliConfigTest, RunRefusesADamagedStateDatabaseWithWhatToDo) {
    auto path = writeConfig(kConfig);
    ASSERT_EQ(cli({"history", "--config", path}).code, 0);  // creates the database
    const std::string db = (dir / "state" / "ledgerbridge.db").string();
    {
        ledgerbridge::store::StateStore s((dir / "state").string());
        s.transaction([](ledgerbridge::store::Session& d) {
            d.exec("CREATE TABLE filler (x TEXT)");
            for (int i = 0; i < 200; ++i) d.exec("INSERT INTO filler VALUES (printf('%.2000c', 'x'))");
        });
    }  // closed: everything is in the main file
    const auto size = fs::file_size(db);
    {
        std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
        const std::string garbage(4096, '\x5a');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto r = cli({"run", "--config", path});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("state store: the database file " + db + " is damaged (SQLite integrity_check: "), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("State: damage and recovery"), std::string::npos) << r.err;
}

TEST(Cli, SyncHelpNamesItsOptionsAndExitCodes) {
    auto r = cli({"sync", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("ledgerbridge sync [--connection NAME] [--dry-run] [--full]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3 some records refused"), std::string::npos) << r.out;
    auto bad = cli({"sync", "--fulll"});
    EXPECT_EQ(bad.code, 2) << bad.err;
}

TEST_F(CliConfigTest, ShowOriginSaysWhereEachValueCameFrom) {
    auto path = writeConfig(std::string(kConfig) + "[log]\nformat = json\n[environment.staging]\nclient_id = partner\n"
                                                   "client_secret = env:LB_CLI_TEST_SECRET\n");
    ::setenv("LEDGERBRIDGE_LOG_FORMAT", "human", 1);
    auto r = cli({"config", "show", "--origin", "--config", path, "--state-dir", "/srv/lb-state"});
    ::unsetenv("LEDGERBRIDGE_LOG_FORMAT");
    ASSERT_EQ(r.code, 0) << r.err;
    for (const std::string& line : std::vector<std::string>{"auth_url = https://127.0.0.1:9    ; " + path + ":6",
                                   "dir = /srv/lb-state    ; --state-dir",
                                   "format = human    ; environment variable LEDGERBRIDGE_LOG_FORMAT",
                                   "level = info    ; default",
                                   "setting.output_dir = out    ; " + path + ":13",
                                   "sync_schedule = every 1d    ; default"})
        EXPECT_NE(r.out.find(line + "\n"), std::string::npos) << line << "\n" << r.out;
    // The built-in profiles' endpoints are ledgerbridge's own.
    r = cli({"config", "show", "--origin", "--config", path, "--environment", "staging"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("auth_url = https://auth.staging.pleo.io    ; built in\n"), std::string::npos) << r.out;
    // Without --origin, no origins.
    r = cli({"config", "show", "--config", path});
    EXPECT_EQ(r.out.find("    ; default"), std::string::npos) << r.out;
}
