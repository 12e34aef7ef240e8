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

int show(Invocation& inv) {
    AppContext app(inv);
    const auto& c = app.config(false);
    const auto& p = c.activeProfile();
    inv.out() << "; effective configuration of " << c.file << "\n"
              << "; secrets are shown as references (env:/file:), never as values\n"
              << "environment = " << c.environment << "    ; from " << c.environmentOrigin.str() << "\n\n"
              << "; selected profile, with built-in values filled in\n"
              << "[environment." << p.name << "]\n"
              << "auth_url = " << p.authUrl << "\n"
              << "api_url = " << p.apiUrl << "\n"
              << "client_id = " << p.clientId << "\n"
              << "client_secret = " << (p.clientSecret.empty() ? "(not set)" : p.clientSecret.reference) << "\n"
              << "redirect_uri = " << p.redirectUri << "\n"
              << "scopes = " << p.scopes << "\n";
    if (!p.caFile.empty()) inv.out() << "ca_file = " << p.caFile << "\n";
    inv.out() << "requests_per_minute = " << p.requestsPerMinute << "\n";
    inv.out() << "\n[state]\ndir = " << c.stateDir << "\n"
              << "token_key = " << (c.tokenKey.empty() ? "(not set)" : c.tokenKey.reference) << "\n"
              << "\n[plugins]\ndir = " << c.pluginDir << "\n"
              << "\n[service]\nlisten = " << c.service.listen << "\n"
              << "webhook_secret = " << (c.service.webhookSecret.empty() ? "(not set: no webhook receiver)" : c.service.webhookSecret.reference)
              << "\ngrace_period = " << c.service.gracePeriodSeconds << "s\n"
              << "\n[log]\nlevel = " << c.logLevel << "\nformat = " << c.logFormat << "\n";
    for (const auto& conn : c.connections) {
        inv.out() << "\n[connection." << conn.name << "]\n"
                  << "company_id = " << conn.companyId << "\n"
                  << "plugin = " << conn.plugin << "\n"
                  << "credential = " << conn.credential << "\n";
        if (!conn.apiKey.empty()) inv.out() << "api_key = " << conn.apiKey.reference << "\n";
        if (!conn.schedule.empty()) inv.out() << "schedule = " << conn.schedule << "\n";
        if (conn.autoExport.enabled) {
            auto joined = [](const std::vector<std::string>& v) {
                std::string out;
                for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
                return out;
            };
            inv.out() << "auto_export = on\n"
                      << "auto_export_review_status = " << joined(conn.autoExport.reviewStatus) << "\n"
                      << "auto_export_families = " << (conn.autoExport.families.empty() ? "(every family)" : joined(conn.autoExport.families)) << "\n"
                      << "auto_export_max_entries = " << conn.autoExport.maxEntries << "\n";
        }
        for (const auto& [k, v] : conn.settings) inv.out() << "setting." << k << " = " << redact(v.value) << "\n";
        const config::TargetOAuth& t = conn.target;
        if (t.configured()) {
            inv.out() << "target.client_id = " << t.clientId << "\n"
                      << "target.client_secret = " << (t.clientSecret.empty() ? "(not set)" : t.clientSecret.reference) << "\n";
            if (!t.redirectUri.empty()) inv.out() << "target.redirect_uri = " << t.redirectUri << "\n";
            if (!t.scopes.empty()) inv.out() << "target.scopes = " << t.scopes << "\n";
            if (!t.authorizeUrl.empty()) inv.out() << "target.authorize_url = " << t.authorizeUrl << "\n";
            if (!t.tokenUrl.empty()) inv.out() << "target.token_url = " << t.tokenUrl << "\n";
            if (!t.caFile.empty()) inv.out() << "target.ca_file = " << t.caFile << "\n";
            if (!t.tokenHosts.empty()) {
                inv.out() << "target.token_hosts =";
                for (const std::string& h : t.tokenHosts) inv.out() << " " << h;
                inv.out() << "\n";
            }
        }
    }
    return toInt(ExitCode::Ok);
}

}  // namespace

Command makeConfigCommand() {
    Command validateCmd{"validate", "check the configuration and report every problem with file:line and a fix",
                        "ledgerbridge config validate [--config PATH] [--environment NAME]",
                        "Checks syntax, required values, URLs, plugin names, company ids and that every secret the\n"
                        "selected environment needs can be read. Exit code 0 when valid, 2 with one line per problem.",
                        {}, {}, validate};
    Command showCmd{"show", "print the effective configuration (after overrides), secrets redacted",
                    "ledgerbridge config show [--config PATH] [--environment NAME]", "", {}, {}, show};
    Command cmd;
    cmd.name = "config";
    cmd.summary = "validate or show the configuration";
    cmd.subcommands = {validateCmd, showCmd};
    return cmd;
}

}  // namespace ledgerbridge::cli
