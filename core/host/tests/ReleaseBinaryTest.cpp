// A release installation ignores the crash-test hooks. scripts/check-release builds ledgerbridge
// as Release (LEDGERBRIDGE_TEST_HOOKS off), installs it with `cmake --install --component
// runtime`, and runs this test with LEDGERBRIDGE_RELEASE_PREFIX set to that prefix: the
// installed binary, told by LEDGERBRIDGE_CRASH_AT to die at the export's first durable step,
// completes the export instead. The test build's own binary, given the same variable, is
// killed there first: the control that proves the crash point is reached.
// Not registered with CTest (it needs the release build); CI runs it through scripts/check-release.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

/// Points the installation's plugin folder at `pluginDir` (the config ends with its [plugins] section).
void usePluginDir(const std::string& configPath, const std::string& pluginDir) {
    std::string text;
    {
        std::ifstream in(configPath);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto at = text.rfind("\n[plugins]\ndir = ");
    ASSERT_NE(at, std::string::npos) << "the harness config has no [plugins] dir line";
    text.replace(at, std::string::npos, "\n[plugins]\ndir = " + pluginDir + "\n");
    std::ofstream(configPath, std::ios::trunc) << text;
}

}  // namespace

TEST(ReleaseBinary, IgnoresTheCrashHookThatKillsTheTestBuild) {
    const char* prefixEnv = std::getenv("LEDGERBRIDGE_RELEASE_PREFIX");
    ASSERT_TRUE(prefixEnv && *prefixEnv) << "LEDGERBRIDGE_RELEASE_PREFIX is not set: run scripts/check-release";
    const std::string prefix = prefixEnv;
    const std::map<std::string, std::string> crash{{"LEDGERBRIDGE_CRASH_AT", "export:staged"}};

    Installation inst({"--items", "30"});
    const std::string job = inst.createJob();
    const std::vector<std::string> args = inst.argv({"--log-level", "warn", "run", "--no-progress"});

    auto control = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), args, crash);
    ASSERT_TRUE(control.killed) << "the test build's binary did not die at export:staged (exit " << control.exitCode
                                << "): the crash point is not reached, so this test proves nothing\n"
                                << control.err;
    ASSERT_NE(inst.jobStatus(job), "completed");

    usePluginDir(args.at(1), prefix + "/lib/ledgerbridge/plugins");
    auto release = oauth::simtest::run(prefix + "/bin/ledgerbridge", args, crash);
    EXPECT_FALSE(release.killed) << "the installed release binary obeyed LEDGERBRIDGE_CRASH_AT";
    EXPECT_EQ(release.exitCode, 0) << release.err << release.out;
    EXPECT_EQ(inst.jobStatus(job), "completed");
    std::size_t successful = 0;
    for (const auto& item : inst.jobItems(job)) successful += item.status == "successful";
    EXPECT_EQ(successful, 30u);
}
