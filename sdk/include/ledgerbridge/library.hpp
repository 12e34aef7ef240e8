// Opening a plugin library, host side, header-only: read the file with boost::dll::library_info
// (no plugin code runs) to confirm the entry symbol and its ABI major, then load it
// rtld_now | rtld_local, call the entry point and negotiate the minor version. Libraries are
// never unloaded. Used by the conformance kit (so the SDK works without the host) and by the
// host's loader, which adds its file-safety checks and quarantine in front of this.
#pragma once

#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <vector>

#include "ledgerbridge/plugin_abi.h"

namespace ledgerbridge::sdk {

/// What can be known about a plugin file without running any of its code.
struct LibraryFacts {
    std::vector<std::string> entrySymbols;  ///< every exported ledgerbridge_plugin_abi_* name
    bool hasExpectedEntry = false;          ///< LB_PLUGIN_ENTRY_SYMBOL is among them
};

/// A plugin file could not be used; what() is one sentence naming the file, what was expected
/// and what was found.
class LibraryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads the file's symbol names (no code runs). Throws LibraryError when it is not a shared
/// library this platform can read, or carries no entry symbol of this host's ABI major.
inline LibraryFacts inspectLibrary(const std::string& path) {
    LibraryFacts facts;
    std::vector<std::string> names;
    try {
        boost::dll::library_info info(boost::dll::fs::path(path), true);
        names = info.symbols();
    } catch (const std::exception& e) {
        throw LibraryError(path + ": cannot read it as a shared library (" + e.what() + ")");
    }
    const std::string prefix = LB_PLUGIN_ENTRY_PREFIX;
    for (const std::string& n : names)
        if (n.compare(0, prefix.size(), prefix) == 0) facts.entrySymbols.push_back(n);
    for (const std::string& n : facts.entrySymbols) facts.hasExpectedEntry = facts.hasExpectedEntry || n == LB_PLUGIN_ENTRY_SYMBOL;
    if (facts.hasExpectedEntry) return facts;
    if (facts.entrySymbols.empty())
        throw LibraryError(path + ": not a ledgerbridge plugin: expected the exported symbol " LB_PLUGIN_ENTRY_SYMBOL
                                  " (ABI major " + std::to_string(LB_ABI_MAJOR) + "), found no " LB_PLUGIN_ENTRY_PREFIX
                                  "* symbol");
    std::string found;
    for (const std::string& n : facts.entrySymbols) found += (found.empty() ? "" : ", ") + n;
    throw LibraryError(path + ": incompatible plugin ABI: expected major " + std::to_string(LB_ABI_MAJOR) +
                       " (symbol " LB_PLUGIN_ENTRY_SYMBOL "), found " + found);
}

/// The smallest table a plugin declaring ABI 1.`minor` may hand over (plugin_abi.h, rule 1):
/// the host checks the size of the minor the plugin was built for, never its own sizeof, so a
/// plugin built against older headers loads in a newer host.
inline std::size_t pluginTableSizeForMinor(std::uint32_t minor) {
    return minor == 0 ? LB_PLUGIN_API_SIZE_1_0 : LB_PLUGIN_API_SIZE_1_1;
}

/// Checks the table a plugin's entry point returned against a host of ABI
/// `hostMajor`.`hostMinor` (this header's version unless a test plays an older host).
/// Throws LibraryError naming the file and both versions.
inline void negotiate(const std::string& path, const lb_plugin_api* api, std::uint32_t hostMajor = LB_ABI_MAJOR,
                      std::uint32_t hostMinor = LB_ABI_MINOR) {
    const std::string host = std::to_string(hostMajor) + "." + std::to_string(hostMinor);
    if (!api) throw LibraryError(path + ": the plugin's entry point returned no table for host ABI " + host);
    const std::string plugin = std::to_string(api->abi_major) + "." + std::to_string(api->abi_minor);
    if (api->abi_major != hostMajor)
        throw LibraryError(path + ": incompatible plugin ABI: this host speaks ABI " + host + " (major " +
                           std::to_string(hostMajor) + "), the plugin " + plugin);
    if (api->abi_minor > hostMinor)
        throw LibraryError(path + ": plugin needs a newer host: the plugin was built for ABI " + plugin +
                           ", this host speaks ABI " + host + " and older; upgrade ledgerbridge or rebuild the "
                           "plugin against the " + host + " SDK");
    const std::size_t needed = pluginTableSizeForMinor(api->abi_minor);
    if (api->struct_size < needed)
        throw LibraryError(path + ": plugin table too small: expected at least " + std::to_string(needed) +
                           " bytes for ABI " + plugin + ", found " + std::to_string(api->struct_size));
    if (!api->describe || !api->create || !api->configure || !api->check || !api->plan || !api->push ||
        !api->lookup || !api->destroy)
        throw LibraryError(path + ": plugin table incomplete: expected every ABI " + plugin + " slot, found a NULL one");
}

/// Loads the library (rtld_now | rtld_local), never to be unloaded, and returns its negotiated
/// table. Precondition: inspectLibrary(path) succeeded (the caller checked the file first).
/// Runs the library's static initialisers and entry point. Throws LibraryError.
inline const lb_plugin_api* openLibrary(const std::string& path) {
    // Never unloaded: a plugin's code and static data must stay mapped until exit, so the
    // handles live in a registry that is never destroyed (reachable, not a leak report).
    static std::mutex* mutex = new std::mutex;
    static std::list<boost::dll::shared_library>* libraries = new std::list<boost::dll::shared_library>;
    boost::dll::shared_library* lib = nullptr;
    try {
        boost::dll::shared_library loaded(boost::dll::fs::path(path),
                                          boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
        std::lock_guard<std::mutex> lock(*mutex);
        libraries->push_back(std::move(loaded));
        lib = &libraries->back();
    } catch (const std::exception& e) {
        throw LibraryError(path + ": cannot load it: " + e.what());
    }
    if (!lib->has(LB_PLUGIN_ENTRY_SYMBOL))
        throw LibraryError(path + ": not a ledgerbridge plugin: expected the exported symbol " LB_PLUGIN_ENTRY_SYMBOL
                                  ", found none after loading");
    // The boost::dll alias is a `const void*` holding the entry function's address.
    const void* address = lib->get<const void*>(LB_PLUGIN_ENTRY_SYMBOL);
    auto entry = reinterpret_cast<lb_plugin_entry_fn>(reinterpret_cast<std::intptr_t>(address));
    const lb_plugin_api* api = entry(LB_ABI_MAJOR, LB_ABI_MINOR);
    negotiate(path, api);
    return api;
}

}  // namespace ledgerbridge::sdk
