// Loader test fixture implementation.
#include "LoaderFixture.h"

#include <cstdlib>
#include <filesystem>

#include "ledgerbridge/common/Exception.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;

sdk::Entry testEntry(const std::string& id) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-1";
    e.idempotencyKey = "lb-" + id;
    e.date = "2026-01-01";
    return e;
}

void LoaderTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "lb-loader-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root = fs::canonical(pattern).string();
    pluginDir = root + "/plugins";
    healthDir = root + "/health";
    fs::create_directories(pluginDir);
    fs::permissions(root, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(pluginDir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec);
    health = std::make_unique<loader::FilePluginHealthStore>(healthDir);
    loader = newLoader();
}

void LoaderTest::TearDown() {
    loader.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
}

std::string LoaderTest::install(const std::string& name, std::string as) {
    const char* dir = std::getenv("LEDGERBRIDGE_LOADER_TEST_PLUGINS");
    EXPECT_NE(dir, nullptr);
    if (as.empty()) as = "lbtest_" + name;
    const std::string to = pluginDir + "/" + as + ".so";
    fs::copy_file(std::string(dir) + "/lbtest_" + name + ".so", to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
    return to;
}

std::unique_ptr<loader::PluginLoader> LoaderTest::newLoader() {
    return std::make_unique<loader::PluginLoader>(loader::LoaderOptions{{pluginDir}, {}}, services, *health);
}

std::string LoaderTest::loadError(const std::string& path) {
    try {
        loader->load(path);
        return "";
    } catch (const PluginError& e) {
        return e.what();
    }
}
