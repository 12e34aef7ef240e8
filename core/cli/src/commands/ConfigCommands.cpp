// `ledgerbridge config validate|show`.
#include <iomanip>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/cli/StartupChecks.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/config/Config.h"

namespace ledgerbridge::cli {
namespace {

/// Everything `run` and `serve` check before they start, through the same code (the file as
/// loadConfigOrThrow reads it, then cli::checkStartup), printed with the same text they refuse
/// with: a configuration that validates starts.
int validate(Invocation& inv) {
    AppContext app(inv);
    config::Overrides o;
    o.environment = inv.option("environment");
    o.stateDir = inv.option("state-dir");
    auto result = config::loadConfig(app.configPath(), o, config::processEnvironment(), true);
    std::vector<config::Problem> warnings = result.warnings;
    if (result.config) {
        StartupChecks checks = checkStartup(*result.config, true);
        result.problems = checks.problems;
        warnings.insert(warnings.end(), checks.warnings.begin(), checks.warnings.end());
    }
    for (const auto& w : warnings) inv.err() << "warning: " << redact(w.str()) << '\n';
    if (!result.problems.empty()) {
        inv.err() << redact(config::problemsReport(result.file, result.problems)) << '\n';
        return toInt(ExitCode::UsageOrConfig);
    }
    const auto& c = *result.config;
    const auto& p = c.activeProfile();
    inv.out() << c.file << ": OK\n"
              << "  environment  " << p.name << (p.builtIn ? " (built in)" : "") << "\n"
              << "  auth server  " << p.authUrl << "\n"
              << "  API          " << p.apiUrl << "\n"
              << "  state        " << c.stateDir << "\n"
              << "  service      " << c.service.listen << ", webhooks "
              << (c.service.webhookSecret.empty() ? "off" : "on") << ", grace period " << c.service.gracePeriodSeconds << "s\n"
              << "  connections  " << c.connections.size() << "\n";
    for (const auto& conn : c.connections)
        inv.out() << "    " << conn.name << ": company " << conn.companyId << " -> plugin " << conn.plugin << " ("
                  << conn.credential << ")\n";
    return toInt(ExitCode::Ok);
}

/// Writes `key = value` lines; with --origin each ends with where the value came from: the
/// file and line, the environment variable, the command-line option, or "default" ("built in"
/// for the fixed endpoints of the staging and production profiles).
class ShowWriter {
public:
    ShowWriter(std::ostream& out, const config::Config& c, bool origins) : out_(out), c_(c), origins_(origins) {}
    void section(const std::string& header, const std::string& prefix) {
        out_ << "\n[" << header << "]\n";
        prefix_ = prefix;
    }
    void line(const std::string& key, const std::string& value, const char* fallback = "default") {
        out_ << key << " = " << value;
        if (origins_) {
            auto it = c_.values.find(prefix_ + key);
            out_ << "    ; " << (it == c_.values.end() ? std::string(fallback) : it->second.origin.str());
        }
        out_ << "\n";
    }

private:
    std::ostream& out_;
    const config::Config& c_;
    bool origins_;
    std::string prefix_;
};

std::string joined(const std::vector<std::string>& v, const char* separator = ", ") {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : separator) + x;
    return out;
}

int show(Invocation& inv) {
    AppContext app(inv);
    const auto& c = app.config(false);
    const auto& p = c.activeProfile();
    const bool origins = inv.flag("origin");
    ShowWriter w(inv.out(), c, origins);
    inv.out() << "; effective configuration of " << c.file << "\n"
              << "; secrets are shown as references (env:/file:), never as values\n"
              << "environment = " << c.environment << "    ; from " << c.environmentOrigin.str() << "\n\n"
              << "; selected profile, with built-in values filled in";
    w.section("environment." + p.name, "environment." + p.name + ".");
    const char* endpoint = p.builtIn ? "built in" : "default";
    w.line("auth_url", p.authUrl, endpoint);
    w.line("api_url", p.apiUrl, endpoint);
    w.line("client_id", p.clientId);
    w.line("client_secret", p.clientSecret.empty() ? "(not set)" : p.clientSecret.reference);
    w.line("redirect_uri", p.redirectUri);
    w.line("scopes", p.scopes);
    if (!p.caFile.empty()) w.line("ca_file", p.caFile);
    w.line("requests_per_minute", std::to_string(p.requestsPerMinute));
    w.section("state", "state.");
    w.line("dir", c.stateDir);
    w.line("token_key", c.tokenKey.empty() ? "(not set)" : c.tokenKey.reference);
    w.section("plugins", "plugins.");
    w.line("dir", c.pluginDir);
    w.section("service", "service.");
    w.line("listen", c.service.listen);
    w.line("webhook_secret", c.service.webhookSecret.empty() ? "(not set: no webhook receiver)" : c.service.webhookSecret.reference);
    w.line("grace_period", std::to_string(c.service.gracePeriodSeconds) + "s");
    w.section("log", "log.");
    w.line("level", c.logLevel);
    w.line("format", c.logFormat);
    for (const auto& conn : c.connections) {
        w.section("connection." + conn.name, "connection." + conn.name + ".");
        w.line("company_id", conn.companyId);
        w.line("plugin", conn.plugin);
        w.line("credential", conn.credential);
        if (!conn.apiKey.empty()) w.line("api_key", conn.apiKey.reference);
        if (!conn.schedule.empty()) w.line("schedule", conn.schedule);
        if (origins) w.line("sync_schedule", conn.syncSchedule);
        if (conn.autoExport.enabled) {
            w.line("auto_export", "on");
            w.line("auto_export_review_status", joined(conn.autoExport.reviewStatus));
            w.line("auto_export_families", conn.autoExport.families.empty() ? "(every family)" : joined(conn.autoExport.families));
            w.line("auto_export_max_entries", std::to_string(conn.autoExport.maxEntries));
        }
        for (const auto& [k, v] : conn.settings) w.line("setting." + k, redact(v.value));
        const config::TargetOAuth& t = conn.target;
        if (t.configured()) {
            w.line("target.client_id", t.clientId);
            w.line("target.client_secret", t.clientSecret.empty() ? "(not set)" : t.clientSecret.reference);
            if (!t.redirectUri.empty()) w.line("target.redirect_uri", t.redirectUri);
            if (!t.scopes.empty()) w.line("target.scopes", t.scopes);
            if (!t.authorizeUrl.empty()) w.line("target.authorize_url", t.authorizeUrl);
            if (!t.tokenUrl.empty()) w.line("target.token_url", t.tokenUrl);
            if (!t.caFile.empty()) w.line("target.ca_file", t.caFile);
            if (!t.tokenHosts.empty()) w.line("target.token_hosts", joined(t.tokenHosts, " "));
        }
    }
    return toInt(ExitCode::Ok);
}

}  // namespace

Command makeConfigCommand() {
    Command validateCmd{"validate", "check the configuration and report every problem with file:line and a fix",
                        "ledgerbridge config validate [--config PATH] [--environment NAME]",
                        "Runs every check `run` and `serve` make before they start, through the same code: syntax,\n"
                        "required values, URLs, company ids, placeholders, every secret the selected environment\n"
                        "needs, schedules, each connection's plugin installed and loadable (manifest read, ABI\n"
                        "negotiated; no export runs) and its settings against the plugin's manifest, the webhook\n"
                        "secret. A configuration that validates starts; one that does not is refused by run and\n"
                        "serve with the same lines. Exit code 0 when valid, 2 with one line per problem.",
                        {}, {}, validate};
    Command showCmd{"show", "print the effective configuration (after overrides), secrets redacted",
                    "ledgerbridge config show [--config PATH] [--environment NAME] [--origin]",
                    "--origin ends each line with where its value came from: FILE:LINE, the environment\n"
                    "variable, the command-line option, or default (built in: the fixed Pleo endpoints).",
                    {{"origin", "", "say where each value came from"}}, {}, show};
    Command cmd;
    cmd.name = "config";
    cmd.summary = "validate or show the configuration";
    cmd.subcommands = {validateCmd, showCmd};
    return cmd;
}

}  // namespace ledgerbridge::cli
