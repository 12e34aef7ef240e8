// The loader's checks before and while loading, each refusal with its exact message.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "LoaderFixture.h"
#include "ledgerbridge/common/Exception.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;

TEST_F(LoaderTest, LoadsAGoodPluginAndNegotiatesItsVersion) {
    const std::string path = install("good");
    auto plugin = loader->load(path);
    EXPECT_EQ(plugin->name(), "lbtest_good");
    EXPECT_EQ(plugin->path(), path);
    EXPECT_EQ(plugin->abiMajor(), 1u);
    EXPECT_EQ(plugin->abiMinor(), static_cast<unsigned>(LB_ABI_MINOR));
    EXPECT_EQ(loader->load(path), plugin) << "the same file loads once";
    EXPECT_FALSE(health->unfinishedCall("lbtest_good")) << "loading runs plugin code, bracketed like a call";
}

TEST_F(LoaderTest, MissingEntrySymbolIsRefusedBeforeLoading) {
    const std::string path = install("nosymbol");
    EXPECT_EQ(loadError(path), path + ": not a ledgerbridge plugin: expected the exported symbol "
                                      "ledgerbridge_plugin_abi_1 (ABI major 1), found no ledgerbridge_plugin_abi_* symbol");
}

TEST_F(LoaderTest, WrongAbiMajorIsRefusedBeforeLoading) {
    const std::string path = install("major2");
    EXPECT_EQ(loadError(path), path + ": incompatible plugin ABI: expected major 1 (symbol ledgerbridge_plugin_abi_1), "
                                      "found ledgerbridge_plugin_abi_2");
}

TEST_F(LoaderTest, NewerAbiMinorIsRefusedAfterNegotiation) {
    const std::string path = install("newminor");
    const std::string host = "1." + std::to_string(LB_ABI_MINOR), plugin = "1." + std::to_string(LB_ABI_MINOR + 1);
    EXPECT_EQ(loadError(path), path + ": plugin needs a newer host: the plugin was built for ABI " + plugin +
                                   ", this host speaks ABI " + host + " and older; upgrade ledgerbridge or rebuild the "
                                   "plugin against the " + host + " SDK");
}

TEST_F(LoaderTest, WorldWritableFileIsRefused) {
    const std::string path = install("good");
    fs::permissions(path, fs::perms::all);
    EXPECT_EQ(loadError(path), path + ": refused: the file is writable by group or others (mode 0777); "
                                      "expected no group/other write (run chmod go-w)");
}

TEST_F(LoaderTest, GroupWritableDirectoryIsRefused) {
    const std::string path = install("good");
    fs::permissions(pluginDir, fs::perms::group_write, fs::perm_options::add);
    EXPECT_EQ(loadError(path), path + ": refused: its directory " + pluginDir +
                                   " is writable by group or others (mode 0775); expected no group/other write "
                                   "(run chmod go-w)");
}

TEST_F(LoaderTest, FileOutsideThePluginDirectoriesIsRefused) {
    const std::string inside = install("good");
    const std::string outside = root + "/lbtest_good.so";
    fs::copy_file(inside, outside);
    EXPECT_EQ(loadError(outside), outside + ": refused: plugins load only from the configured plugin directories (" +
                                      pluginDir + "); found it in " + root);
}

TEST_F(LoaderTest, SymlinkOutOfThePluginDirectoryIsRefused) {
    const std::string real = root + "/lbtest_good.so";
    fs::copy_file(install("good"), real);
    fs::remove(pluginDir + "/lbtest_good.so");
    fs::create_symlink(real, pluginDir + "/lbtest_good.so");
    EXPECT_EQ(loadError(pluginDir + "/lbtest_good.so"),
              pluginDir + "/lbtest_good.so: refused: plugins load only from the configured plugin directories (" +
                  pluginDir + "); found it in " + root);
}

TEST_F(LoaderTest, DirectoryIsNotARegularFile) {
    fs::create_directory(pluginDir + "/dir.so");
    EXPECT_EQ(loadError(pluginDir + "/dir.so"),
              pluginDir + "/dir.so: refused: expected a regular file, found another kind of file");
}

TEST_F(LoaderTest, FileNameMustMatchThePluginName) {
    const std::string path = install("good", "renamed");
    EXPECT_EQ(loadError(path), path + ": refused: expected the file to be named after the plugin (lbtest_good.so), "
                                      "found renamed.so");
}

TEST_F(LoaderTest, InspectReportsFactsAndRefusalsWithoutThrowing) {
    const auto good = loader->inspect(install("good"), true);
    EXPECT_TRUE(good.refusal.empty()) << good.refusal;
    EXPECT_EQ(good.entrySymbols, std::vector<std::string>{"ledgerbridge_plugin_abi_1"});
    EXPECT_TRUE(good.loaded);
    EXPECT_EQ(good.manifest.name, "lbtest_good");
    const auto bad = loader->inspect(install("major2"), false);
    EXPECT_FALSE(bad.loaded);
    EXPECT_NE(bad.refusal.find("found ledgerbridge_plugin_abi_2"), std::string::npos) << bad.refusal;
}

TEST_F(LoaderTest, ListShowsEveryCandidateWithItsStatus) {
    install("good");
    const std::string bad = install("major2");
    const auto rows = loader->list();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].name, "lbtest_good");
    EXPECT_EQ(rows[0].version, "0.0.1");
    EXPECT_EQ(rows[0].abi, "1." + std::to_string(LB_ABI_MINOR));
    EXPECT_EQ(rows[0].capabilities, "none");
    EXPECT_EQ(rows[0].maturity, "alpha");
    EXPECT_EQ(rows[0].status, "ok");
    EXPECT_EQ(rows[1].name, "lbtest_major2");
    EXPECT_EQ(rows[1].status, bad + ": incompatible plugin ABI: expected major 1 (symbol ledgerbridge_plugin_abi_1), "
                                    "found ledgerbridge_plugin_abi_2");
    EXPECT_EQ(loader::capabilityNames(LB_CAP_LOOKUP | LB_CAP_DRY_RUN), "lookup,dry-run");
}
