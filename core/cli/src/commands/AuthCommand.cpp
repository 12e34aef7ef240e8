// `ledgerbridge auth`: log a connection in to Pleo (authorization code + PKCE through a
// loopback redirect, or a pasted redirect URL), show every connection's grant without ever
// printing a token (with the installation's status at Pleo), refresh a grant now, forget a
// grant locally, and disconnect (delete the installation at Pleo, which revokes its tokens).
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>

#include <iomanip>
#include <iostream>
#include <filesystem>
#include <optional>
#include <ostream>
#include <tuple>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/oauth/LoginFlow.h"
#include "ledgerbridge/host/PleoConnection.h"
#include "ledgerbridge/host/PluginManifest.h"
#include "ledgerbridge/host/SqlitePluginHealth.h"
#include "ledgerbridge/pleo/InstallationsClient.h"
#include "ledgerbridge/host/Promotion.h"
#include "ledgerbridge/host/TargetAuth.h"
#include "ledgerbridge/host/TargetIdentity.h"
#include "ledgerbridge/store/Grants.h"

namespace ledgerbridge::cli {
namespace {

std::string formatTime(std::int64_t ms) {
    if (ms <= 0) return "-";
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%d %H:%M:%S UTC");
}

/// `auth login --target`: the connection's target system (an ERP such as Xero) through the
/// flow its plugin declares. Its OAuth needs come from its manifest, read like a run reads it
/// (in a plugin host process unless `[plugins] isolation = in-process`): a plugin that crashes
/// while loading fails the command, it does not end it.
int loginTarget(Invocation& inv, AppContext& app, const config::Connection& conn, std::chrono::seconds timeout) {
    const config::Config& cfg = app.config();
    host::SqlitePluginHealth health(app.store());
    const sdk::Manifest manifest =
        host::pluginManifest(cfg, (std::filesystem::path(cfg.pluginDir) / (conn.plugin + ".so")).string(), health);
    if (!host::TargetAuth::needed(conn, manifest.oauth))
        throw UsageError("Plugin '" + conn.plugin + "' of connection '" + conn.name +
                         "' does not authorise with its target by OAuth; only `ledgerbridge auth login --connection " +
                         conn.name + "` (Pleo) is needed.");
    host::TargetAuth target(cfg, conn, manifest.oauth, app.store(), /*createKey=*/true,
                            host::targetIdentity(conn, manifest));
    if (conn.target.clientCredentials()) {
        // Nothing to log in: asking for a token once checks the client id, secret and scopes now.
        target.accessToken();
        inv.out() << "Connection '" << conn.name << "' gets its target token by client credentials (target.grant = "
                  << "client_credentials); no login is needed. The token endpoint issued a token.\n";
        return 0;
    }
    oauth::LoginOptions options;
    options.paste = inv.flag("paste");
    options.pasteInput = &std::cin;
    options.timeout = timeout;
    options.preflight = false;  // identity servers such as Xero's show their own error pages
    if (!inv.flag("no-browser") && !options.paste) options.openBrowser = oauth::openInSystemBrowser;
    oauth::LoginResult r = target.login(options, inv.out());
    inv.out() << "Connection '" << conn.name << "' is authorised with its target system (" << conn.plugin << ").\n"
              << "  scopes:      " << r.grant.scopes << "\n"
              << "  valid until: " << formatTime(r.grant.accessExpiresAt) << " (refreshed automatically)\n";
    return 0;
}

int login(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::string name = inv.required("connection");
    std::chrono::seconds timeout{300};
    if (auto t = inv.option("timeout")) {
        try {
            std::size_t used = 0;
            long v = std::stol(*t, &used);
            if (used != t->size() || v <= 0) throw std::invalid_argument("range");
            timeout = std::chrono::seconds(v);
        } catch (const std::exception&) {
            throw UsageError("--timeout takes a whole number of seconds greater than 0, not '" + *t + "'");
        }
    }
    host::requirePromotion(cfg, app.store());  // production only after a recorded promotion
    if (inv.flag("target")) return loginTarget(inv, app, cfg.connection(name), timeout);
    oauth::ConnectionAuth auth(cfg, name, app.store(), /*createKey=*/true);
    if (auth.keyCreated())
        inv.out() << "Created a new token key in " << cfg.tokenKey.reference.substr(5)
                  << " (32 random bytes, mode 0600). Back it up with the state directory: stored tokens cannot be "
                     "read without it.\n";
    oauth::LoginOptions options;
    options.paste = inv.flag("paste");
    options.pasteInput = &std::cin;
    options.timeout = timeout;
    if (!inv.flag("no-browser") && !options.paste) options.openBrowser = oauth::openInSystemBrowser;
    oauth::LoginFlow flow(cfg, auth.connection(), auth.client(), app.store(), auth.crypto(), inv.out());
    oauth::LoginResult r = flow.run(options);
    inv.out() << "Connection '" << name << "' is authorised in environment '" << cfg.environment << "'.\n"
              << "  subject:     " << (r.grant.subject.empty() ? "-" : r.grant.subject) << "\n"
              << "  scopes:      " << r.grant.scopes << "\n"
              << "  valid until: " << formatTime(r.grant.accessExpiresAt) << " (refreshed automatically)\n";
    return 0;
}

struct Row {
    std::string connection, credential, state, subject, scopes, reason, environmentNote, installation, installationNote;
    std::string client, clientNote;  ///< whether the authorization server accepts client_id/client_secret
    std::string target;  ///< the target grant: how it is obtained and until when its token is valid
    std::int64_t validUntil = 0, lastRefresh = 0, obtainedAt = 0;
    bool needsReauth = false;
};

/// The connection's target grant, from the store only (no plugin is loaded): the grant type and
/// the latest stored token of the plugin's kind; "" without target OAuth.
std::string targetState(store::Grants& grants, const config::Connection& c) {
    if (!c.target.configured()) return {};
    std::optional<store::GrantRecord> latest;
    for (const auto& g : grants.findAnyEnvironment(c.name, c.plugin))
        if (!latest || g.accessExpiresAt > latest->accessExpiresAt) latest = g;
    std::string s = c.target.grant;
    if (latest && latest->needsReauth)
        return s + ", needs re-authorisation: " + latest->reauthReason;
    if (latest)
        return s + ", token valid until " + formatTime(latest->accessExpiresAt) +
               (c.target.clientCredentials() ? " (a new one is requested before expiry)" : " (refreshed automatically)");
    return s + (c.target.clientCredentials() ? ", no token yet (requested at the next run; no login needed)"
                                             : ", not authorised: run `ledgerbridge auth login --connection " + c.name +
                                                   " --target`");
}

/// The installation's status at Pleo ("ACTIVATED", "ERROR (AUTH_ERROR)", "none"), or a note
/// saying why it is not shown. Never changes the command's outcome: a status that cannot be
/// read is shown as unknown with the reason.
void readInstallation(AppContext& app, const config::Connection& c, Row& row) {
    if (c.credential == "api_key") {
        row.installationNote = "not managed: Pleo activates installations of OAuth connections only (Installations API)";
        return;
    }
    try {
        // A status command stays quick: two tries and a short budget, not a run's patience.
        pleo::ClientOptions quick;
        quick.retry.maxAttempts = 2;
        quick.retry.budget = std::chrono::seconds(5);
        quick.timeoutSeconds = 15;
        host::PleoConnection pleoConn(app.config(), c.name, app.store(), quick);
        auto got = pleo::InstallationsClient(pleoConn.api()).get(pleo::companyUuid(c.companyId));
        row.installation = !got ? "none" : got->status + (got->errorCode.empty() ? "" : " (" + got->errorCode + ")");
    } catch (const std::exception& e) {
        row.installation = "unknown";
        row.installationNote = e.what();
    }
}

/// The authorization server's word on the environment's client_id/client_secret ("accepted",
/// "refused" with the sentence, "unknown" with why, "" when it cannot be asked), asked once per
/// command through `connection`'s OAuth client: a wrong secret is a configuration error that
/// logging in again would not fix, and it would otherwise show only at the next refresh.
std::pair<std::string, std::string> checkClient(AppContext& app, const config::Connection& connection) {
    try {
        oauth::ConnectionAuth auth(app.config(), connection.name, app.store());
        if (!auth.client().checkClientCredentials()) return {};
        return {"accepted", ""};
    } catch (const oauth::ClientCredentialsRejected& e) {
        return {"refused", e.what()};
    } catch (const std::exception& e) {
        return {"unknown", e.what()};
    }
}

int status(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::vector<const config::Connection*> selected;
    if (auto only = inv.option("connection"))
        selected.push_back(&cfg.connection(*only));
    else
        for (const auto& each : cfg.connections) selected.push_back(&each);
    store::Grants grants(app.store());
    std::vector<Row> rows;
    bool anyNeedsLogin = false, clientRefused = false;
    std::optional<std::pair<std::string, std::string>> client;  // asked once: one client per environment
    for (const auto* c : selected) {
        Row row;
        row.connection = c->name;
        row.credential = c->credential;
        row.target = targetState(grants, *c);
        if (c->credential == "api_key") {
            row.state = "API key";
            if (!inv.flag("local")) readInstallation(app, *c, row);
            rows.push_back(row);
            continue;
        }
        config::Fingerprint fp = config::environmentFingerprint(cfg.activeProfile(), c->companyId);
        auto g = grants.find(c->name, fp.value);
        if (!g) {
            row.state = "not authorised";
            row.needsReauth = true;
            if (!grants.findAnyEnvironment(c->name).empty())
                row.environmentNote = "authorised only in another environment";
            row.reason = "run `ledgerbridge auth login --connection " + c->name + "`";
        } else {
            row.subject = g->subject;
            row.scopes = g->scopes;
            row.validUntil = g->needsReauth ? 0 : g->accessExpiresAt;
            row.lastRefresh = g->lastRefreshAt;
            row.obtainedAt = g->obtainedAt;
            row.needsReauth = g->needsReauth;
            row.state = g->needsReauth ? "needs re-authorisation" : "authorised";
            if (g->needsReauth)
                row.reason = g->reauthReason + "; run `ledgerbridge auth login --connection " + c->name + "`";
            else if (!inv.flag("local"))
                readInstallation(app, *c, row);
        }
        if (!inv.flag("local")) {
            if (!client) client = checkClient(app, *c);
            std::tie(row.client, row.clientNote) = *client;
            clientRefused = clientRefused || row.client == "refused";
        }
        anyNeedsLogin = anyNeedsLogin || row.needsReauth;
        rows.push_back(row);
    }
    if (inv.flag("json")) {
        Poco::JSON::Array arr;
        for (const auto& r : rows) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("connection", r.connection);
            o.set("environment", cfg.environment);
            o.set("credential", r.credential);
            o.set("state", r.state);
            o.set("needsReauthorization", r.needsReauth);
            o.set("subject", r.subject);
            o.set("scopes", r.scopes);
            o.set("validUntil", r.validUntil > 0 ? formatTime(r.validUntil) : std::string());
            o.set("lastRefresh", r.lastRefresh > 0 ? formatTime(r.lastRefresh) : std::string());
            o.set("authorisedAt", r.obtainedAt > 0 ? formatTime(r.obtainedAt) : std::string());
            o.set("reason", r.reason);
            if (!r.installation.empty()) o.set("installation", r.installation);
            if (!r.installationNote.empty()) o.set("installationNote", r.installationNote);
            if (!r.client.empty()) o.set("client", r.client);
            if (!r.clientNote.empty()) o.set("clientNote", r.clientNote);
            if (!r.target.empty()) o.set("target", r.target);
            if (!r.environmentNote.empty()) o.set("note", r.environmentNote);
            arr.add(o);
        }
        arr.stringify(inv.out(), 2);
        inv.out() << '\n';
    } else {
        if (rows.empty()) inv.out() << "No connections are configured.\n";
        for (const auto& r : rows) {
            inv.out() << r.connection << " (" << cfg.environment << "): " << r.state << "\n";
            if (!r.installation.empty()) inv.out() << "  installation: " << r.installation << "\n";
            if (!r.installationNote.empty()) inv.out() << "  installation: " << r.installationNote << "\n";
            if (!r.target.empty()) inv.out() << "  target:       " << r.target << "\n";
            if (r.credential == "api_key") continue;
            if (!r.subject.empty()) inv.out() << "  subject:      " << r.subject << "\n";
            if (!r.scopes.empty()) inv.out() << "  scopes:       " << r.scopes << "\n";
            if (r.validUntil > 0) inv.out() << "  valid until:  " << formatTime(r.validUntil) << "\n";
            if (r.obtainedAt > 0) inv.out() << "  last refresh: " << formatTime(r.lastRefresh) << "\n";
            if (!r.client.empty())
                inv.out() << "  client:       " << r.client << (r.clientNote.empty() ? "" : ": " + r.clientNote) << "\n";
            if (!r.environmentNote.empty()) inv.out() << "  note:         " << r.environmentNote << "\n";
            if (!r.reason.empty()) inv.out() << "  fix:          " << r.reason << "\n";
        }
    }
    // A refused client is fixed in the configuration, not by logging in: it decides the code.
    if (clientRefused) return toInt(ExitCode::UsageOrConfig);
    return anyNeedsLogin ? toInt(ExitCode::NeedsReauthorization) : 0;
}

int logout(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::string name = inv.required("connection");
    const config::Connection& c = cfg.connection(name);
    config::Fingerprint fp = config::environmentFingerprint(cfg.activeProfile(), c.companyId);
    bool existed = store::Grants(app.store()).erase(name, fp.value);
    if (existed) {
        log::info("Forgot the grant of connection '" + name + "'.", {{"fingerprint", fp.value}});
        inv.out() << "Forgot the grant of connection '" << name << "' in environment '" << cfg.environment
                  << "'. To also withdraw the app's access at Pleo, remove it in Pleo's integrations settings.\n";
    } else {
        inv.out() << "Connection '" << name << "' had no stored grant in environment '" << cfg.environment
                  << "'; nothing to forget.\n";
    }
    return 0;
}

/// `auth disconnect`: deletes the connection's installation at Pleo (Pleo then revokes every
/// access and refresh token of the client for it) and forgets the local grant. Asks first
/// unless --yes; a refused or unanswered question changes nothing.
int disconnect(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::string name = inv.required("connection");
    const config::Connection& c = cfg.connection(name);
    config::Fingerprint fp = config::environmentFingerprint(cfg.activeProfile(), c.companyId);
    if (c.credential != "api_key" && !store::Grants(app.store()).find(name, fp.value)) {
        // Without a grant there is no credential to ask Pleo with (and none left to revoke).
        inv.out() << "Connection '" << name << "' has no stored grant in environment '" << cfg.environment
                  << "'; nothing to disconnect. To remove the app's installation at Pleo, log in again and "
                     "disconnect, or remove it in Pleo's integrations settings.\n";
        return 0;
    }
    if (!inv.flag("yes")) {
        inv.out() << "Disconnect connection '" << name << "' in environment '" << cfg.environment
                  << "'? Pleo deletes its installation and revokes its tokens; exports stop until `ledgerbridge auth "
                     "login --connection "
                  << name << "`. Type the connection's name to confirm: " << std::flush;
        std::string answer;
        if (!std::getline(std::cin, answer) || answer != name) {
            inv.out() << "\nNot confirmed; nothing was changed.\n";
            return toInt(ExitCode::UsageOrConfig);
        }
    }
    bool existed = false;
    {
        host::PleoConnection pleoConn(cfg, name, app.store());
        existed = pleo::InstallationsClient(pleoConn.api()).remove();
    }
    bool hadGrant = c.credential != "api_key" && store::Grants(app.store()).erase(name, fp.value);
    log::info("connection disconnected", {{"connection", name}, {"installation_deleted", existed ? "yes" : "no"}});
    inv.out() << "Connection '" << name << "' is disconnected in environment '" << cfg.environment << "': "
              << (existed ? "Pleo deleted its installation and revoked its tokens"
                          : "Pleo had no installation for it")
              << (hadGrant ? "; the local grant is forgotten" : "") << ".\n";
    return 0;
}

int refresh(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.config();
    std::string name = inv.required("connection");
    oauth::ConnectionAuth auth(cfg, name, app.store());
    oauth::TokenManager& tokens = auth.tokens();
    // Single-flight: when another process refreshes this grant at the same moment, its tokens
    // are used instead of refreshing twice.
    tokens.refresh(tokens.currentGeneration());
    oauth::Introspection info = auth.client().introspect(tokens.accessToken());
    if (!info.active)
        throw ReauthorizationRequired(oauth::reauthorizationMessage(
            name, "the authorization server reports the refreshed access token as inactive"));
    auto g = store::Grants(app.store()).find(name, auth.fingerprint().value);
    inv.out() << "Connection '" << name << "': access token refreshed and verified; valid until "
              << formatTime(g ? g->accessExpiresAt : 0) << ".\n";
    return 0;
}

}  // namespace

Command makeAuthCommand() {
    Command loginCmd{
        "login",
        "authorise a connection with Pleo (OAuth 2.0 authorization code + PKCE)",
        "ledgerbridge auth login --connection NAME [--target] [--no-browser | --paste] [--timeout SECONDS]",
        "Prints the authorisation address and opens a browser when one is available ($BROWSER: a\n"
        "':'-separated list of commands tried in turn, %s for the address; else xdg-open), says\n"
        "whether it did, then waits for Pleo to redirect back to the environment's redirect_uri (a\n"
        "listener on 127.0.0.1 that ignores requests without this login's state). With\n"
        "--paste, paste the address the browser was redirected to instead (for machines without a\n"
        "local browser). Creates the [state] token_key file when it is a missing file: reference.\n"
        "The grant is stored encrypted (AES-256-GCM) and bound to the environment.\n\n"
        "--target authorises the connection with its target system instead (an ERP such as Xero\n"
        "whose plugin declares OAuth needs), with the connection's target.client_id and\n"
        "target.client_secret; the host keeps and refreshes those tokens for the plugin.",
        {{"connection", "NAME", "the connection to authorise"},
         {"target", "", "authorise with the connection's target system instead of Pleo"},
         {"no-browser", "", "only print the address and wait; do not open a browser"},
         {"paste", "", "read the redirect address from standard input instead of listening"},
         {"timeout", "SECONDS", "how long to wait for the redirect (default 300)"}},
        {},
        login};
    Command statusCmd{"status",
                      "show each connection's grant: valid until, scopes, subject, last refresh (never a token)",
                      "ledgerbridge auth status [--connection NAME] [--json] [--local]",
                      "Also asks Pleo for each authorised connection's installation status (ACTIVATED,\n"
                      "PENDING_INTEGRATION, ERROR with its code, ...) and whether the authorization server\n"
                      "accepts client_id/client_secret (no token is used for that); --local skips both.\n"
                      "Exit code 2 when the client is refused (fix the configuration), else 4 when a listed\n"
                      "connection is not authorised or needs re-authorisation.",
                      {{"connection", "NAME", "only this connection"},
                       {"json", "", "machine-readable output"},
                       {"local", "", "only the local state: ask Pleo nothing"}},
                      {},
                      status};
    Command logoutCmd{"logout",
                      "forget a connection's grant in this environment (locally)",
                      "ledgerbridge auth logout --connection NAME",
                      "",
                      {{"connection", "NAME", "the connection whose grant to forget"}},
                      {},
                      logout};
    Command disconnectCmd{"disconnect",
                          "delete the connection's installation at Pleo (revokes its tokens) and forget its grant",
                          "ledgerbridge auth disconnect --connection NAME [--yes]",
                          "Asks for the connection's name as confirmation unless --yes (for scripts).",
                          {{"connection", "NAME", "the connection to disconnect"},
                           {"yes", "", "do not ask for confirmation"}},
                          {},
                          disconnect};
    Command refreshCmd{"refresh",
                       "refresh a connection's access token now and check it works",
                       "ledgerbridge auth refresh --connection NAME",
                       "Safe to run while exports run: refresh is single-flight across processes.",
                       {{"connection", "NAME", "the connection to refresh"}},
                       {},
                       refresh};
    Command cmd;
    cmd.name = "auth";
    cmd.summary = "log in to Pleo, show, refresh or forget a connection's grant, or disconnect it";
    cmd.subcommands = {loginCmd, statusCmd, logoutCmd, refreshCmd, disconnectCmd};
    return cmd;
}

}  // namespace ledgerbridge::cli
