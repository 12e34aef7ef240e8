// Shared by the CLI tests that need an installation folder with a real plugin in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

}  // namespace ledgerbridge::clitest
