// `ledgerbridge plugins list|inspect|check|enable` in-process, on a plugin folder of its own
// holding the real CSV plugin and a file that only pretends to be a plugin; quarantine is the
// state store's, shared with runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "CliTestSupport.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/loader/FileHash.h"
#include "ledgerbridge/plugin_abi.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;
namespace fs = std::filesystem;

namespace {

// The first-party plugins are built with this SDK, so they report its ABI version.
const std::string kAbi = std::to_string(LB_ABI_MAJOR) + "." + std::to_string(LB_ABI_MINOR);

using Result = clitest::CliResult;

class PluginsCommand : public ::testing::Test {
protected:
    void SetUp() override {
        clitest::makeInstallation("lb-plugins", dir);
        if (HasFatalFailure()) return;
        std::ofstream(dir / "plugins/fake.so") << "not an ELF file";
        ::setenv("LB_PLUGINS_TEST_SECRET", "plugins-test-client-secret", 1);
        config = (dir / "ledgerbridge.ini").string();
        std::ofstream(config) << clitest::localConfig(
            "LB_PLUGINS_TEST_SECRET",
            "[connection.acme]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90\nplugin = csv\n"
            "setting.output_dir = out\n"
            "[connection.broken]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a91\nplugin = csv\n"
            "setting.output_dir = missing-folder\n");
    }
    void TearDown() override { fs::remove_all(dir); }
    Result cli(std::vector<std::string> args) { return clitest::runInProcess(config, std::move(args)); }
    fs::path dir;
    std::string config;
};

}  // namespace

TEST_F(PluginsCommand, ListShowsEachPluginAndRefusesAFakeOne) {
    auto r = cli({"plugins", "list"});
    EXPECT_EQ(r.code, 5) << "a refused plugin in the folder is exit code 5\n" << r.out << r.err;
    EXPECT_NE(r.out.find("csv       1.0.0    " + kAbi + "   idempotency-keys,lookup,dry-run"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ok           " + (dir / "plugins/csv.so").string()), std::string::npos) << "status, then path\n" << r.out;
    EXPECT_NE(r.out.find("refused      " + (dir / "plugins/fake.so").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fake: refused: cannot read it as a shared library"), std::string::npos)
        << "the reason, without the path again\n" << r.out;
    auto json = cli({"plugins", "list", "--json"});
    EXPECT_NE(json.out.find("\"status\": \"ok\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"status\": \"refused\",\n    \"reason\": \"cannot read it as a shared library"), std::string::npos)
        << json.out;
}

TEST_F(PluginsCommand, InspectShowsTheManifestAndRefusesWithoutRunningCode) {
    auto r = cli({"plugins", "inspect", "csv.so"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("entry symbols: ledgerbridge_plugin_abi_1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("name:          csv 1.0.0 (ABI " + kAbi + ")"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("output_dir"), std::string::npos) << r.out;
    // Outside the plugin folder: refused, but what can be read without loading is shown.
    fs::copy_file(dir / "plugins/csv.so", dir / "csv.so");
    auto outside = cli({"plugins", "inspect", (dir / "csv.so").string()});
    EXPECT_EQ(outside.code, 5);
    EXPECT_NE(outside.out.find("(read without loading: ledgerbridge_plugin_abi_1)"), std::string::npos) << outside.out;
    EXPECT_NE(outside.out.find("refused:"), std::string::npos) << outside.out;
    auto fake = cli({"plugins", "inspect", "fake.so"});
    EXPECT_EQ(fake.code, 5);
    EXPECT_NE(fake.out.find("refused:"), std::string::npos) << fake.out;
}

TEST_F(PluginsCommand, CheckRunsThePluginsCheckWithTheConnectionsSettings) {
    auto ok = cli({"plugins", "check", "acme"});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_NE(ok.out.find("its check passed"), std::string::npos) << ok.out;
    auto bad = cli({"plugins", "check", "broken"});
    EXPECT_EQ(bad.code, 5) << bad.out << bad.err;
    EXPECT_NE(bad.err.find("missing-folder"), std::string::npos) << bad.err;
    auto unknown = cli({"plugins", "check", "nope"});
    EXPECT_EQ(unknown.code, 2) << unknown.err;
}

TEST_F(PluginsCommand, AQuarantinedPluginIsRefusedUntilEnabled) {
    {
        store::StateStore s((dir / "state").string());
        store::PluginHealth(s).quarantine("csv", "crashed 3 times in a row (last in push)");
    }
    auto listed = cli({"plugins", "list"});
    EXPECT_EQ(listed.code, 5);
    EXPECT_NE(listed.out.find("quarantined  " + (dir / "plugins/csv.so").string()), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("csv: quarantined: crashed 3 times in a row (last in push); run `ledgerbridge plugins "
                              "enable csv` once it is fixed"),
              std::string::npos)
        << listed.out;
    auto check = cli({"plugins", "check", "acme"});
    EXPECT_EQ(check.code, 5);
    EXPECT_NE(check.err.find("plugins enable csv"), std::string::npos) << check.err;
    auto enabled = cli({"plugins", "enable", "csv"});
    EXPECT_EQ(enabled.code, 0);
    EXPECT_NE(enabled.out.find("enabled again"), std::string::npos) << enabled.out;
    EXPECT_EQ(cli({"plugins", "check", "acme"}).code, 0);
}

TEST_F(PluginsCommand, APluginThatCrashesWhileLoadingIsListedAndInspectedFromItsOwnProcess) {
    // Manifests are read in a plugin host process ([plugins] isolation defaults to process): the
    // segfault ends that child, never this command (which runs inside this test's process).
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    fs::copy_file(fs::path(bin) / "core/loader/tests/testplugins/lbtest_crashload.so",
                  dir / "plugins/lbtest_crashload.so");
    auto listed = cli({"plugins", "list"});
    EXPECT_EQ(listed.code, 5) << listed.err;
    EXPECT_NE(listed.out.find("csv       "), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("lbtest_crashload: refused: "), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("died of SIGSEGV during load"), std::string::npos) << listed.out;
    auto inspected = cli({"plugins", "inspect", "lbtest_crashload.so"});
    EXPECT_EQ(inspected.code, 5);
    EXPECT_NE(inspected.out.find("entry symbols: ledgerbridge_plugin_abi_1"), std::string::npos) << inspected.out;
    EXPECT_NE(inspected.out.find("died of SIGSEGV during load"), std::string::npos) << inspected.out;
}

TEST_F(PluginsCommand, AQuarantineBelongsToTheFileAReplacedFileIsListedOkAndEnableStillLiftsIt) {
    const std::string csv = (dir / "plugins/csv.so").string();
    const std::string sha = loader::fileSha256(csv);
    {
        store::StateStore s((dir / "state").string());
        store::PluginHealth health(s);
        for (int i = 0; i < 3; ++i) {
            health.recordCallStart("csv", "push");
            health.recordCrash("csv", sha);
        }
        health.quarantine("csv", "its plugin host process ended 3 times in a row (last: SIGSEGV during push; file sha256 " +
                                     sha.substr(0, 12) + ")");
    }
    auto listed = cli({"plugins", "list"});
    EXPECT_EQ(listed.code, 5);
    EXPECT_NE(listed.out.find("csv: quarantined: its plugin host process ended 3 times in a row (last: SIGSEGV during "
                              "push; file sha256 " + sha.substr(0, 12) + "); run `ledgerbridge plugins enable csv`"),
              std::string::npos)
        << listed.out;
    // A new build of the plugin (other bytes): its predecessor's crashes are not its own.
    std::ofstream(csv, std::ios::app) << "rebuilt";
    auto replacedList = cli({"plugins", "list"});
    EXPECT_NE(replacedList.out.find("ok           " + csv), std::string::npos) << replacedList.out;
    EXPECT_EQ(replacedList.out.find("csv: quarantined"), std::string::npos) << replacedList.out;
    auto enabled = cli({"plugins", "enable", "csv"});
    EXPECT_NE(enabled.out.find("enabled again (it was quarantined: its plugin host process ended 3 times"),
              std::string::npos)
        << enabled.out;
    store::StateStore s((dir / "state").string());
    EXPECT_FALSE(store::PluginHealth(s).quarantined("csv"));
}
