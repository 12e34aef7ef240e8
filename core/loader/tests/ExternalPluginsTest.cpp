// The host's loader on plugins built out of tree against the installed SDK, with g++ and with
// clang++, by scripts/check-sdk. Its own executable because it needs check-sdk's output: CTest
// runs sdk_out_of_tree_check first (fixture sdk_external_plugins), so on a clean checkout this
// test runs rather than skips, and the other loader tests do not wait for check-sdk.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "LoaderFixture.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {

/// The plugins to load, ':'-separated: LEDGERBRIDGE_EXTERNAL_PLUGINS when set (check-sdk sets
/// it when it runs this test itself), else the list check-sdk leaves in <build>/sdk-check.
std::string externalPlugins() {
    if (const char* list = std::getenv("LEDGERBRIDGE_EXTERNAL_PLUGINS"); list && *list) return list;
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    if (!bin) return {};
    std::ifstream in(std::string(bin) + "/sdk-check/external-plugins");
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

TEST_F(LoaderTest, ExternallyBuiltPluginsLoadIntoTheHost) {
    const std::string paths = externalPlugins();
    ASSERT_FALSE(paths.empty()) << "no externally built plugins: run scripts/check-sdk first (ctest runs it as "
                                   "the fixture sdk_out_of_tree_check)";
    int n = 0;
    for (std::size_t start = 0; start <= paths.size();) {
        const std::size_t end = std::min(paths.find(':', start), paths.size());
        const fs::path from = paths.substr(start, end - start);
        start = end + 1;
        if (from.empty()) continue;
        const std::string dir = root + "/ext" + std::to_string(++n);
        fs::create_directory(dir);
        fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
        const std::string to = dir + "/" + from.filename().string();
        fs::copy_file(from, to);
        loader::PluginLoader ext({{dir}, {}}, services, *health);
        auto plugin = ext.load(to);
        EXPECT_EQ(plugin->abiMajor(), 1u) << from;
        auto session = plugin->open();
        EXPECT_FALSE(plugin->manifest().name.empty()) << from;
    }
    EXPECT_GT(n, 0);
}
