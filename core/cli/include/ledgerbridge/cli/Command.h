// The command tree of the `ledgerbridge` executable. A command has a name, a one-line summary,
// a usage line, its options, and either subcommands or a handler. `--help` works at every
// level and is generated from this data, so help and behaviour cannot drift apart.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ledgerbridge::cli {

struct OptionSpec {
    std::string name;          ///< long name without dashes, e.g. "connection"
    std::string valueName;     ///< empty for a flag, else what the value is, e.g. "NAME"
    std::string description;
};

class Invocation;

struct Command {
    std::string name;
    std::string summary;       ///< one line, shown in the parent's list
    std::string usage;         ///< e.g. "ledgerbridge run [--connection NAME] [--dry-run]"
    std::string details;       ///< paragraphs shown in --help after the usage
    std::vector<OptionSpec> options;
    std::vector<Command> subcommands;
    std::function<int(Invocation&)> handler;  ///< returns the process exit code
};

/// The global options every command accepts (before or after the command words).
const std::vector<OptionSpec>& globalOptions();

/// What the user typed, parsed against a command's options.
class Invocation {
public:
    Invocation(const Command& command, std::map<std::string, std::string> options, std::vector<std::string> positional,
               std::ostream& out, std::ostream& err)
        : command_(command), options_(std::move(options)), positional_(std::move(positional)), out_(out), err_(err) {}

    bool flag(const std::string& name) const { return options_.count(name) != 0; }
    std::optional<std::string> option(const std::string& name) const;
    /// The option's value or throws UsageError naming it.
    std::string required(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }
    const Command& command() const { return command_; }
    std::ostream& out() { return out_; }
    std::ostream& err() { return err_; }

private:
    const Command& command_;
    std::map<std::string, std::string> options_;
    std::vector<std::string> positional_;
    std::ostream& out_;
    std::ostream& err_;
};

/// Parses `args` (without the program name) against `root` and runs the chosen handler.
/// Prints help for `--help`, a usage error (exit 2) for unknown commands/options, and turns
/// escaping exceptions into one clear message and their exit code. Never throws.
int dispatch(const Command& root, const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// The help text of `command` reached through `path` (e.g. {"ledgerbridge", "auth"}).
std::string helpText(const Command& command, const std::vector<std::string>& path);

}  // namespace ledgerbridge::cli
