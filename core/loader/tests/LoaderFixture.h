// Loader test fixture: a private plugin directory (0755) and health directory under a fresh
// temp dir, test plugins copied in on demand, a loader over them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ledgerbridge/loader/PluginLoader.h"

/// A minimal entry named `id` (job-1, key lb-<id>, dated 2026-01-01, no lines).
ledgerbridge::sdk::Entry testEntry(const std::string& id);

class LoaderTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    /// Copies test plugin `lbtest_<name>.so` into the plugin dir as `as` (default same name),
    /// mode 0755; returns its path.
    std::string install(const std::string& name, std::string as = {});
    /// A new loader over the same directories (like a process restart).
    std::unique_ptr<ledgerbridge::loader::PluginLoader> newLoader();
    /// The PluginError message of loading `path`, or "" when it loads.
    std::string loadError(const std::string& path);

    std::string root, pluginDir, healthDir;
    ledgerbridge::loader::BasicHostServices services;
    std::unique_ptr<ledgerbridge::loader::FilePluginHealthStore> health;
    std::unique_ptr<ledgerbridge::loader::PluginLoader> loader;
};
