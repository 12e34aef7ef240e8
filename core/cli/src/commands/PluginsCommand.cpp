// `ledgerbridge plugins`: what is in the plugin folder and whether it may run (list), what one
// file is before and after loading (inspect), whether a connection's plugin can reach its
// target with the connection's settings (check), and lifting a crash quarantine (enable).
// All through the host's loader, so the same file checks and quarantine apply as in a run; list
// and inspect read manifests in a plugin host process unless `[plugins] isolation = in-process`,
// so a plugin that crashes while loading cannot take the command down.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <iomanip>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/host/ConfiguredPlugin.h"
#include "ledgerbridge/host/SqlitePluginHealth.h"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/loader/ProcessSession.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace ledgerbridge::cli {
namespace {

const char* settingType(sdk::SettingType t) {
    switch (t) {
        case sdk::SettingType::Int: return "integer";
        case sdk::SettingType::Bool: return "true|false";
        case sdk::SettingType::Path: return "path";
        default: return "text";
    }
}

/// A row's status as a word and a reason: "ok", "quarantined" (the crash record's reason,
/// shared with runs through the state store) or "refused" (the loader's sentence without the
/// path it starts with: the row shows the path).
struct Status {
    std::string word, reason;
};

Status statusOf(const loader::PluginListing& row, const std::string& name, loader::PluginHealthStore& health) {
    if (row.status == "ok") return {"ok", ""};
    // The refusal says so when this file is quarantined (a replaced file is not).
    if (auto why = health.quarantined(name); why && row.status.find(" is quarantined because ") != std::string::npos)
        return {"quarantined", *why + "; run `ledgerbridge plugins enable " + name + "` once it is fixed"};
    std::string reason = row.status;
    if (reason.rfind(row.path + ": ", 0) == 0) reason = reason.substr(row.path.size() + 2);
    if (reason.rfind("refused: ", 0) == 0) reason = reason.substr(9);
    return {"refused", reason};
}

/// The loader's options for reading manifests: through a plugin host process (the default) or,
/// with `[plugins] isolation = in-process`, in this one.
loader::LoaderOptions manifestReading(const config::Config& cfg, loader::PluginHealthStore& health) {
    loader::LoaderOptions o{{cfg.pluginDir}, {}};
    if (cfg.plugins.mode != "in-process") o.describe = loader::isolatedDescriber(host::isolationOptions(cfg), health);
    return o;
}

int list(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    host::SqlitePluginHealth health(app.store());
    loader::BasicHostServices services;
    loader::PluginLoader pluginLoader(manifestReading(cfg, health), services, health);
    const auto rows = pluginLoader.list();
    std::vector<std::string> names;
    std::vector<Status> statuses;
    bool allOk = true;
    for (const auto& r : rows) {
        names.push_back(r.name.empty() ? std::filesystem::path(r.path).stem().string() : r.name);
        statuses.push_back(statusOf(r, names.back(), health));
        allOk = allOk && statuses.back().word == "ok";
    }
    if (inv.flag("json")) {
        Poco::JSON::Array arr;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto& r = rows[k];
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("name", names[k]);
            o.set("version", r.version);
            o.set("abi", r.abi);
            o.set("capabilities", r.capabilities);
            o.set("maturity", r.maturity);
            o.set("path", r.path);
            o.set("status", statuses[k].word);
            o.set("reason", statuses[k].reason);
            arr.add(o);
        }
        if (rows.empty())
            inv.out() << "[]";
        else
            arr.stringify(inv.out(), 2);
        inv.out() << '\n';
        return allOk ? 0 : toInt(ExitCode::PluginFailure);
    }
    if (rows.empty()) {
        inv.out() << "No plugins in " << cfg.pluginDir << " (set [plugins] dir).\n";
        return 0;
    }
    inv.out() << std::left << std::setw(10) << "NAME" << std::setw(9) << "VERSION" << std::setw(6) << "ABI" << std::setw(46)
              << "CAPABILITIES" << std::setw(13) << "STATUS" << "PATH\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto& r = rows[k];
        inv.out() << std::left << std::setw(10) << names[k] << std::setw(9) << (r.version.empty() ? "-" : r.version)
                  << std::setw(6) << (r.abi.empty() ? "-" : r.abi) << std::setw(46)
                  << (r.capabilities.empty() ? "-" : r.capabilities) << std::setw(13) << statuses[k].word << r.path << "\n";
    }
    bool first = true;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (statuses[k].word == "ok") continue;
        inv.out() << (first ? "\n" : "") << names[k] << ": " << statuses[k].word << ": " << statuses[k].reason << "\n";
        first = false;
    }
    return allOk ? 0 : toInt(ExitCode::PluginFailure);
}

int inspect(Invocation& inv) {
    if (inv.positional().size() != 1) throw UsageError("plugins inspect takes one plugin file, e.g. plugins inspect csv.so");
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::string file = inv.positional()[0];
    if (file.find('/') == std::string::npos) file = (std::filesystem::path(cfg.pluginDir) / file).string();
    host::SqlitePluginHealth health(app.store());
    loader::BasicHostServices services;
    loader::PluginLoader pluginLoader(manifestReading(cfg, health), services, health);
    loader::PluginInspection i = pluginLoader.inspect(file, !inv.flag("no-load"));
    std::ostream& out = inv.out();
    out << "file:          " << i.path << "\n";
    out << "entry symbols: ";
    for (std::size_t k = 0; k < i.entrySymbols.size(); ++k) out << (k ? ", " : "") << i.entrySymbols[k];
    out << (i.entrySymbols.empty() ? "(none)" : "") << "\n";
    if (!i.refusal.empty()) {
        // A file the loader refuses before reading it (outside the plugin folder, unsafe
        // permissions) may still be worth knowing about: its symbols are read, never run.
        if (i.entrySymbols.empty() && std::filesystem::is_regular_file(file)) {
            try {
                const auto facts = sdk::inspectLibrary(file);
                out << "               (read without loading: ";
                for (std::size_t k = 0; k < facts.entrySymbols.size(); ++k) out << (k ? ", " : "") << facts.entrySymbols[k];
                out << ")\n";
            } catch (const std::exception&) {
                // not a plugin at all; the refusal says enough
            }
        }
        out << "refused:       " << i.refusal << "\n";
        return toInt(ExitCode::PluginFailure);
    }
    if (!i.loaded) {
        out << "checks:        passed (not loaded: --no-load)\n";
        return 0;
    }
    const sdk::Manifest& m = i.manifest;
    out << "name:          " << m.name << " " << m.version << " (ABI " << i.abiMajor << "." << i.abiMinor << ")\n"
        << "target:        " << m.targetSystem << "\n"
        << "description:   " << m.description << "\n"
        << "capabilities:  " << loader::capabilityNames(m.capabilities) << "\n";
    if (m.oauth)
        out << "target OAuth:  " << m.oauth->authorizeUrl << " (scopes: " << m.oauth->scopes
            << "); run `ledgerbridge auth login --connection NAME --target`\n";
    out << "settings:\n";
    for (const auto& s : m.settings)
        out << "  " << std::left << std::setw(24) << s.key << std::setw(11) << settingType(s.type)
            << (s.secret ? "secret (env:/file: reference) " : "") << (s.defaultValue ? "default " + (s.defaultValue->empty() ? "\"\"" : *s.defaultValue) : "required")
            << (s.description.empty() ? "" : " — " + s.description) << "\n";
    return 0;
}

int check(Invocation& inv) {
    if (inv.positional().size() != 1) throw UsageError("plugins check takes one connection name, e.g. plugins check acme");
    AppContext app(inv);
    const config::Config& cfg = app.config(true);
    const std::string name = inv.positional()[0];
    host::ConfiguredPlugin configured(cfg, name, app.store(), nullptr);
    configured.session().check();
    inv.out() << "Connection '" << name << "': plugin " << configured.manifest().name << " "
              << configured.manifest().version << " is configured and its check passed ("
              << configured.targetRequests() << " requests to the target, nothing written).\n";
    return 0;
}

int enable(Invocation& inv) {
    if (inv.positional().size() != 1) throw UsageError("plugins enable takes one plugin name, e.g. plugins enable csv");
    AppContext app(inv);
    const std::string name = inv.positional()[0];
    host::SqlitePluginHealth health(app.store());
    auto reason = health.quarantined(name);
    health.enable(name);
    if (reason)
        inv.out() << "Plugin '" << name << "' is enabled again (it was quarantined: " << *reason
                  << "). If it keeps crashing it is quarantined again after "
                  << (app.config().plugins.mode == "in-process" ? loader::kQuarantineAfterCrashes
                                                                : app.config().plugins.quarantineAfter)
                  << " crashes in a row.\n";
    else
        inv.out() << "Plugin '" << name << "' was not quarantined; nothing to do.\n";
    return 0;
}

}  // namespace

Command makePluginsCommand() {
    Command listCmd{"list", "every plugin in the plugin folder: name, version, ABI, capabilities, status, path",
                    "ledgerbridge plugins list [--json]",
                    "Runs the loader's checks on every *.so in [plugins] dir (location, owner and mode, entry\n"
                    "symbol and ABI before loading, quarantine). Status is ok, quarantined (crashed the process\n"
                    "3 times in a row; see `plugins enable`) or refused, each with its reason. Exit code 5 when\n"
                    "any plugin would be refused.",
                    {{"json", "", "machine-readable output"}}, {}, list};
    Command inspectCmd{"inspect", "what a plugin file is: the checks before loading, then its manifest",
                       "ledgerbridge plugins inspect FILE [--no-load]",
                       "FILE is a path, or a file name in [plugins] dir. --no-load stops after the checks that\n"
                       "run no plugin code (boost::dll::library_info).",
                       {{"no-load", "", "only the checks that run no plugin code"}}, {}, inspect};
    Command checkCmd{"check", "load a connection's plugin with its settings and run the plugin's check",
                     "ledgerbridge plugins check CONNECTION",
                     "Credentials and connectivity of the target, without writing anything. Exit code 5 with\n"
                     "the plugin's message when the check fails.",
                     {}, {}, check};
    Command enableCmd{"enable", "lift the crash quarantine of a plugin", "ledgerbridge plugins enable NAME",
                      "A plugin that crashed the process three times in a row is quarantined (refused) until\n"
                      "it is enabled again here, shared by every process using this state directory.",
                      {}, {}, enable};
    Command cmd;
    cmd.name = "plugins";
    cmd.summary = "list, inspect, check and enable export plugins";
    cmd.subcommands = {listCmd, inspectCmd, checkCmd, enableCmd};
    return cmd;
}

}  // namespace ledgerbridge::cli
