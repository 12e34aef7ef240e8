// Shared by the CLI tests that need an installation folder with a real plugin in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "ledgerbridge/cli/Commands.h"

namespace ledgerbridge::clitest {

/// A fresh folder under the temp directory named after `prefix`, the process and the running
/// test, holding `plugins/` with the build's CSV plugin (LEDGERBRIDGE_BINARY_DIR) and an empty
/// `out/`. Fails the test (fatally) when the build folder is unknown.
inline void makeInstallation(const std::string& prefix, std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    dir = fs::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "plugins");
    fs::create_directories(dir / "out");
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    ASSERT_NE(bin, nullptr) << "LEDGERBRIDGE_BINARY_DIR is not set";
    fs::copy_file(fs::path(bin) / "lib/ledgerbridge/plugins/csv.so", dir / "plugins/csv.so");
}

/// What a command run in this process printed and returned.
struct CliResult {
    int code;
    std::string out, err;
};

/// Runs `ledgerbridge --config CONFIG ARGS...` in this process (a crash in the command ends the test).
inline CliResult runInProcess(const std::string& config, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    std::ostringstream out, err;
    int code = cli::runCli(args, out, err);
    return {code, out.str(), err.str()};
}

/// A configuration for an installation folder (makeInstallation): environment `local` with no
/// reachable Pleo, its client secret and token key from the environment variable `secretVariable`,
/// the plugins in `plugins/`, and `connections` ([connection.NAME] sections) after it.
inline std::string localConfig(const std::string& secretVariable, const std::string& connections) {
    return "environment = local\n[state]\ndir = state\ntoken_key = env:" + secretVariable +
           "\n[plugins]\ndir = plugins\n[environment.local]\nauth_url = https://127.0.0.1:9\n"
           "api_url = https://127.0.0.1:9\nclient_id = demo\nclient_secret = env:" + secretVariable + "\n" + connections;
}

}  // namespace ledgerbridge::clitest
