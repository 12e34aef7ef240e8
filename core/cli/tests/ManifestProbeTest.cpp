// `auth login --target` and `promote` read a plugin's manifest the way a run does: in a
// short-lived plugin host process ([plugins] isolation defaults to process). The commands run
// in this test's own process (cli::runCli), so a plugin loaded into the CLI that segfaults
// while loading would end the test binary; instead each command must fail with exit code 5 and
// a sentence naming the plugin and how its process ended.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "CliTestSupport.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/Promotions.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;
namespace fs = std::filesystem;

namespace {

using Result = clitest::CliResult;

class ManifestProbe : public ::testing::Test {
protected:
    void SetUp() override {
        clitest::makeInstallation("lb-manifest-probe", dir);
        if (HasFatalFailure()) return;
        const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
        fs::copy_file(fs::path(bin) / "core/loader/tests/testplugins/lbtest_crashload.so",
                      dir / "plugins/lbtest_crashload.so");
        ::setenv("LB_MANIFEST_PROBE_SECRET", "manifest-probe-client-secret", 1);
        config = (dir / "ledgerbridge.ini").string();
        std::ofstream(config) << clitest::localConfig(
            "LB_MANIFEST_PROBE_SECRET",
            "[connection.acme]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90\nplugin = lbtest_crashload\n");
    }
    void TearDown() override { fs::remove_all(dir); }
    Result cli(std::vector<std::string> args) { return clitest::runInProcess(config, std::move(args)); }
    /// The crash of the probing child is the plugin's: counted once per probe.
    int crashesCounted() {
        store::StateStore s((dir / "state").string());
        return store::PluginHealth(s).consecutiveCrashes("lbtest_crashload");
    }
    fs::path dir;
    std::string config;
};

void expectCrashWhileLoadingNamed(const Result& r) {
    EXPECT_EQ(r.code, 5) << "a plugin failure\n" << r.out << r.err;
    EXPECT_NE(r.err.find("plugin 'lbtest_crashload'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("died of SIGSEGV during load"), std::string::npos) << r.err;
}

}  // namespace

TEST_F(ManifestProbe, AuthLoginTargetFailsWithAClearErrorWhenThePluginCrashesWhileLoading) {
    const Result r = cli({"auth", "login", "--connection", "acme", "--target", "--no-browser"});
    expectCrashWhileLoadingNamed(r);
    EXPECT_EQ(r.out.find("authorised"), std::string::npos) << r.out;
    EXPECT_EQ(crashesCounted(), 1);
}

TEST_F(ManifestProbe, PromoteFailsWithAClearErrorWhenThePluginCrashesWhileLoading) {
    {
        // A passing validation, so promote gets as far as reading today's plugins.
        store::StateStore s((dir / "state").string());
        store::ValidationRecord v;
        v.environment = "staging";
        v.passed = true;
        v.plugins = "lbtest_crashload 1.0.0 0000\n";
        v.user = "test";
        store::Promotions(s).recordValidation(v);
    }
    const Result r = cli({"promote", "--to", "production", "--accept-local-validation"});
    expectCrashWhileLoadingNamed(r);
    EXPECT_EQ(r.out.find("Promoted"), std::string::npos) << r.out;
    {
        store::StateStore s((dir / "state").string());
        EXPECT_FALSE(store::Promotions(s).latestPromotion("production")) << "nothing is recorded";
    }
    EXPECT_EQ(crashesCounted(), 1);
}
