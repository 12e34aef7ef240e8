// Parsing the command line against the command tree, help generation, and the one place where
// exceptions become messages and exit codes: see Command.h.
#include "ledgerbridge/cli/Command.h"

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::cli {

const std::vector<OptionSpec>& globalOptions() {
    static const std::vector<OptionSpec> opts = {
        {"config", "PATH", "configuration file (default: $LEDGERBRIDGE_CONFIG, else ./ledgerbridge.ini)"},
        {"environment", "NAME", "environment profile to use, overriding the file (staging, production, or custom)"},
        {"state-dir", "DIR", "state directory, overriding [state] dir"},
        {"log-level", "LEVEL", "debug, info, warn or error"},
        {"log-format", "FORMAT", "human, json, or auto (human on a terminal, JSON lines otherwise)"},
        {"help", "", "show help for the command"},
    };
    return opts;
}

std::optional<std::string> Invocation::option(const std::string& name) const {
    auto it = options_.find(name);
    if (it == options_.end()) return std::nullopt;
    return it->second;
}

std::string Invocation::required(const std::string& name) const {
    auto v = option(name);
    if (!v || v->empty()) throw UsageError("missing --" + name + "; see: " + command_.usage);
    return *v;
}

namespace {

void printOptions(std::ostream& out, const std::vector<OptionSpec>& opts) {
    for (const auto& o : opts) {
        std::string left = "  --" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
        out << std::left << std::setw(28) << left << (left.size() >= 28 ? "\n" + std::string(28, ' ') : "")
            << o.description << '\n';
    }
}

const OptionSpec* findOption(const Command& c, const std::string& name) {
    for (const auto& o : c.options)
        if (o.name == name) return &o;
    for (const auto& o : globalOptions())
        if (o.name == name) return &o;
    return nullptr;
}

}  // namespace

std::string helpText(const Command& command, const std::vector<std::string>& path) {
    std::ostringstream out;
    std::string full;
    for (const auto& p : path) full += (full.empty() ? "" : " ") + p;
    out << full << " - " << command.summary << "\n\n";
    out << "Usage: " << (command.usage.empty() ? full + (command.subcommands.empty() ? "" : " COMMAND") : command.usage)
        << "\n";
    if (!command.details.empty()) out << "\n" << command.details << "\n";
    if (!command.subcommands.empty()) {
        out << "\nCommands:\n";
        for (const auto& s : command.subcommands)
            out << "  " << std::left << std::setw(12) << s.name << s.summary << '\n';
        out << "\nRun '" << full << " COMMAND --help' for a command's options.\n";
    }
    if (!command.options.empty()) {
        out << "\nOptions:\n";
        printOptions(out, command.options);
    }
    out << "\nGlobal options:\n";
    printOptions(out, globalOptions());
    return out.str();
}

int dispatch(const Command& root, const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const Command* current = &root;
    std::vector<std::string> path = {root.name};
    std::map<std::string, std::string> options;
    std::vector<std::string> positional;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            if (a == "-h") {
                options["help"] = "";
                continue;
            }
            if (a.rfind("--", 0) == 0 && a.size() > 2) {
                std::string name = a.substr(2), value;
                bool inlineValue = false;
                if (auto eq = name.find('='); eq != std::string::npos) {
                    value = name.substr(eq + 1);
                    name = name.substr(0, eq);
                    inlineValue = true;
                }
                const OptionSpec* spec = findOption(*current, name);
                if (!spec)
                    throw UsageError("unknown option --" + name + " for '" + path.back() + "'; see '" +
                                     [&] {
                                         std::string p;
                                         for (const auto& s : path) p += (p.empty() ? "" : " ") + s;
                                         return p;
                                     }() +
                                     " --help'");
                if (!spec->valueName.empty() && !inlineValue) {
                    if (i + 1 >= args.size()) throw UsageError("option --" + name + " needs a value (" + spec->valueName + ")");
                    value = args[++i];
                } else if (spec->valueName.empty() && inlineValue) {
                    throw UsageError("option --" + name + " takes no value");
                }
                options[name] = value;
                continue;
            }
            if (positional.empty() && !current->subcommands.empty()) {
                auto it = std::find_if(current->subcommands.begin(), current->subcommands.end(),
                                       [&](const Command& c) { return c.name == a; });
                if (it == current->subcommands.end()) {
                    std::string names;
                    for (const auto& c : current->subcommands) names += (names.empty() ? "" : ", ") + c.name;
                    throw UsageError("unknown command '" + a + "'; available: " + names);
                }
                current = &*it;
                path.push_back(a);
                continue;
            }
            positional.push_back(a);
        }
        if (current == &root && options.count("version") && !options.count("help")) {
            // `ledgerbridge --version`, the habit of every other tool: the version command's output.
            for (const Command& c : root.subcommands)
                if (c.name == "version" && c.handler) {
                    Invocation inv(c, options, positional, out, err);
                    return c.handler(inv);
                }
        }
        if (options.count("help") || !current->handler) {
            std::string text = helpText(*current, path);
            if (!options.count("help") && path.size() == 1 && args.empty()) {
                out << text;
                return toInt(ExitCode::Ok);
            }
            if (!options.count("help")) {
                err << text;
                return toInt(ExitCode::UsageOrConfig);
            }
            out << text;
            return toInt(ExitCode::Ok);
        }
        Invocation inv(*current, options, positional, out, err);
        return current->handler(inv);
    } catch (const Exception& e) {
        err << "ledgerbridge: " << describe(e) << '\n';
        return toInt(e.exitCode());
    } catch (const std::exception& e) {
        err << "ledgerbridge: unexpected error: " << describe(e) << '\n';
        return toInt(ExitCode::Failure);
    }
}

}  // namespace ledgerbridge::cli
