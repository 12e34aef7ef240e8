// The root of the command tree, with the exit codes every command shares.
#include "ledgerbridge/cli/Commands.h"

namespace ledgerbridge::cli {

Command makeRootCommand() {
    Command root;
    root.name = "ledgerbridge";
    root.summary = "export Pleo expenses into accounting systems";
    root.usage = "ledgerbridge [--config PATH] [--environment NAME] COMMAND ...";
    root.details =
        "Reads export jobs from Pleo's Export API v3 and delivers every entry to the accounting\n"
        "system through an export plugin, exactly once, reporting each result back to Pleo.\n"
        "\n"
        "Exit codes:\n"
        "  0    everything asked for was done\n"
        "  1    the work failed (network, state store, remote errors); see the message\n"
        "  2    the command line or the configuration is wrong; nothing was written\n"
        "  3    a run finished but some entries were rejected (see the report)\n"
        "  4    a connection needs re-authorisation: run 'ledgerbridge auth login --connection NAME'\n"
        "  5    a plugin could not be loaded, is quarantined, or failed\n"
        "  6    state or tokens belong to another environment (staging vs production)\n"
        "  7    another process is doing the same work right now; try again later\n"
        "  130  interrupted by a signal (safe to run again)";
    root.options = {{"version", "", "print version information and exit (as 'ledgerbridge version')"}};
    root.subcommands = {makeConfigCommand(), makeAuthCommand(),    makeRunCommand(),    makeSyncCommand(),   makeServeCommand(),
                        makePluginsCommand(), makeStatusCommand(), makeHistoryCommand(), makeValidateCommand(), makePromoteCommand(),
                        makeStateCommand(), makeVersionCommand()};
    return root;
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    static const Command root = makeRootCommand();
    return dispatch(root, args, out, err);
}

}  // namespace ledgerbridge::cli
