// A configured plugin's manifest, read the way a run reads it. Commands that only need to know
// what a plugin declares (its OAuth needs, its version, its path settings and target identity)
// must not load third-party code into the CLI process: a plugin that crashes while loading
// would end the command instead of failing it with a sentence that names the plugin.
#pragma once

#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/loader/PluginHealthStore.h"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::host {

/// The manifest of the plugin file `path`: from a short-lived plugin host process
/// (loader::describePlugin — a quarantined file is refused before any of its code runs, a
/// crash while loading ends that child and is counted in `health`), or, with `[plugins]
/// isolation = in-process`, loaded into this process by the loader with all its checks.
/// Throws PluginError naming the plugin and the cause.
sdk::Manifest pluginManifest(const config::Config& config, const std::string& path, loader::PluginHealthStore& health);

}  // namespace ledgerbridge::host
