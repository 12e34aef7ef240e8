// `ledgerbridge state copy`: moves the embedded SQLite state into PostgreSQL (core/store's
// StateCopy does the work; this file finds the source and target, resolves the password from a
// secret reference, draws the progress line and prints the verified result).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/store/PostgresSession.h"
#include "ledgerbridge/store/StateCopy.h"

namespace ledgerbridge::cli {
namespace {

namespace fs = std::filesystem;

/// The SQLite state directory --from names (a state directory, its ledgerbridge.db, or a
/// configuration file), else this configuration's [state] dir. Never creates a database: a
/// path holding none is an error, not an empty state to copy.
std::string sourceStateDir(const Invocation& inv, AppContext& app) {
    std::string dir;
    std::error_code ec;
    if (auto from = inv.option("from")) {
        const fs::path p(*from);
        if (fs::is_directory(p, ec))
            dir = p.string();
        else if (p.filename() == "ledgerbridge.db")
            dir = p.parent_path().empty() ? "." : p.parent_path().string();
        else if (p.extension() == ".ini")
            dir = config::loadConfigOrThrow(*from, {}, false).stateDir;
        else
            throw UsageError("--from " + *from +
                             ": not a state directory, a ledgerbridge.db file or a configuration file (.ini)");
    } else {
        dir = app.config().stateDir;
    }
    if (!fs::is_regular_file(fs::path(dir) / "ledgerbridge.db", ec))
        throw ConfigError("state copy: " + dir + " holds no SQLite state (no ledgerbridge.db); name the state with --from");
    return dir;
}

/// The target: --to with --password (a secret reference), else this configuration's [state] url
/// and password.
store::PostgresLocation targetLocation(const Invocation& inv, AppContext& app) {
    config::SecretRef password;
    store::PostgresLocation at;
    if (auto to = inv.option("to")) {
        // user:password@ in the URL: refused before it reaches a message naming [state] url.
        const std::size_t scheme = to->find("://"), at_ = to->find('@');
        if (scheme != std::string::npos && at_ != std::string::npos && to->find(':', scheme + 3) < at_ &&
            to->find('/', scheme + 3) > at_)
            throw UsageError("--to carries a password; give the URL without it and the password as --password "
                             "env:VARIABLE or file:/path");
        at.url = *to;
    } else {
        const config::Config& cfg = app.config();
        if (cfg.stateUrl.empty())
            throw UsageError("state copy needs --to postgresql://USER@HOST:PORT/DATABASE, or [state] url in " +
                             app.configPath());
        at.url = cfg.stateUrl;
        password = cfg.statePassword;
    }
    if (auto ref = inv.option("password")) {
        if (!config::isSecretReference(*ref))
            throw UsageError("--password takes a secret reference (env:VARIABLE or file:/path), never the password itself");
        password = config::SecretRef{*ref, config::Origin{"the command line", 0, 0}, "--password"};
    }
    if (!password.empty()) at.password = config::resolveSecret(password);
    return at;
}

/// "copying ledger: 45000 of 120000 rows (37%)" redrawn in place at most 5 times a second, on a
/// terminal only (a log file or a pipe gets the result, not a hundred thousand carriage returns).
class ProgressLine {
public:
    explicit ProgressLine(std::ostream& err) : err_(err), on_(&err == &std::cerr && ::isatty(STDERR_FILENO) == 1) {}
    void update(const store::StateCopyProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (!on_ || (now - last_ < std::chrono::milliseconds(200) && p.rowsDone < p.rowsTotal)) return;
        last_ = now;
        const long long percent = p.rowsTotal > 0 ? p.rowsDone * 100 / p.rowsTotal : 100;
        err_ << "\r\033[Kcopying " << p.table << ": " << p.rowsDone << " of " << p.rowsTotal << " rows (" << percent
             << "%)" << std::flush;
        drawn_ = true;
    }
    void end() {
        if (drawn_) err_ << "\r\033[K" << std::flush;
    }

private:
    std::ostream& err_;
    bool on_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_{};
};

int copy(Invocation& inv) {
    AppContext app(inv);
    const std::string dir = sourceStateDir(inv, app);
    const store::PostgresLocation target = targetLocation(inv, app);
    const std::string where = store::PostgresSession::describeUrl(target.url);  // also refuses a bad URL first
    store::StateStore source(dir);

    ProgressLine progress(inv.err());
    store::StateCopyOptions options;
    options.onProgress = [&](const store::StateCopyProgress& p) {
        progress.update(p);
        oauth::testhooks::crashPoint("state-copy:batch");  // tests: SIGKILL with the transaction open
    };
    store::StateCopyReport report;
    try {
        report = store::copySqliteToPostgres(source, target, options);
    } catch (...) {
        progress.end();
        throw;
    }
    progress.end();

    std::ostream& out = inv.out();
    out << "copied the SQLite state " << source.path() << " into " << where << " (schema version "
        << report.schemaVersion << ")\n";
    for (const auto& t : report.tables)
        out << "  " << std::left << std::setw(22) << t.name << std::right << std::setw(10) << t.rows << " rows  checksum "
            << t.checksum << '\n';
    out << "verified: " << report.rows << " rows in " << report.tables.size()
        << " tables, row counts and checksums equal on both sides\n"
        << "next: set [state] url (and password) to this database in the configuration of every machine, then start "
           "ledgerbridge; "
        << source.path() << " is unchanged (keep it until the first runs on PostgreSQL succeeded)\n";
    return 0;
}

}  // namespace

Command makeStateCommand() {
    Command copyCommand{
        "copy",
        "copy the SQLite state into an empty PostgreSQL database",
        "ledgerbridge state copy [--from PATH] [--to postgresql://USER@HOST:PORT/DB] [--password REF]",
        "Copies every table of the embedded SQLite state (connections, encrypted grants, the export\n"
        "ledger with each entry's outcome, plugin and master-data state, runs, promotions, plugin\n"
        "health) into PostgreSQL in one transaction: the target is migrated to the same schema\n"
        "version, identity sequences are moved past the copied ids, and row counts and a checksum\n"
        "per table are compared on both sides before it commits. Killed or failed, it keeps\n"
        "nothing (the empty schema stays; run it again). The SQLite state is not changed, but it is\n"
        "held for writing during the copy, so no run can start meanwhile.\n"
        "\n"
        "Refused: a target holding any ledgerbridge row, tables of its own or another schema version\n"
        "(exit 2); a SQLite state whose leases show a running `run`, `sync` or `serve` (exit 7:\n"
        "stop the service first). Without --to, the configuration's [state] url and password are the\n"
        "target; --from defaults to its [state] dir. Tokens stay encrypted with [state] token_key:\n"
        "every machine using the PostgreSQL state needs the same key. The steps, and going back:\n"
        "README.md, \"When to move from SQLite to PostgreSQL, and how\".\n"
        "\n"
        "Exit codes: 0 copied and verified; 1 the copy failed (nothing kept); 2 refused or wrong\n"
        "arguments (nothing written); 7 the SQLite state is in use.",
        {{"from", "PATH", "the SQLite state: its directory, its ledgerbridge.db, or a configuration file"},
         {"to", "URL", "the PostgreSQL database, postgresql://USER@HOST:PORT/DB (no password in it)"},
         {"password", "REF", "the database password as a secret reference: env:VARIABLE or file:/path"}},
        {},
        copy};
    return Command{"state",
                   "move the state store (SQLite to PostgreSQL)",
                   "ledgerbridge state COMMAND",
                   "",
                   {},
                   {copyCommand},
                   nullptr};
}

}  // namespace ledgerbridge::cli
