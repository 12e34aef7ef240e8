// A configured plugin's manifest without its code in this process: see PluginManifest.h.
#include "ledgerbridge/host/PluginManifest.h"

#include "ledgerbridge/host/ConfiguredPlugin.h"
#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/loader/ProcessSession.h"

namespace ledgerbridge::host {

sdk::Manifest pluginManifest(const config::Config& config, const std::string& path, loader::PluginHealthStore& health) {
    if (config.plugins.mode != "in-process") return loader::describePlugin(isolationOptions(config), path, health).manifest;
    // Debugging a plugin under a debugger: the operator asked for its code in this process.
    loader::BasicHostServices services;
    loader::PluginLoader pluginLoader(loader::LoaderOptions{{config.pluginDir}, {}}, services, health);
    return pluginLoader.load(path)->manifest();
}

}  // namespace ledgerbridge::host
