// The effective configuration of one ledgerbridge process: the selected environment profile,
// the connections (one per Pleo company), the state directory and logging. Loaded from one INI
// file, then environment-variable overrides, then command-line overrides, in that order.
//
// File layout (see config/*.ini for complete, commented examples):
//
//   environment = staging              ; which profile is active (or --environment / LEDGERBRIDGE_ENVIRONMENT)
//   [state]        dir, token_key (secret ref), url (postgresql://user@host:port/db: the shared
//                  PostgreSQL store instead of dir's SQLite file), password (secret ref)
//   [log]          level, format, file
//   [plugins]      dir, isolation (process|in-process), call_deadline, max_memory_mb, max_cpu,
//                  max_open_files, quarantine_after
//   [service]      listen, webhook_secret (secret ref), grace_period (30s, 2m)
//   [environment.NAME]  auth_url, api_url, client_id, client_secret (ref), redirect_uri, scopes,
//                       ca_file, resolve, allow_http
//   [connection.NAME]   company_id, plugin, credential (oauth|api_key), api_key (ref),
//                       schedule, sync_schedule, setting.KEY = value ...
//
// `staging` and `production` are built in with Pleo's real endpoints; their files sections add
// only credentials (production's endpoints cannot be replaced).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/config/IniDocument.h"
#include "ledgerbridge/config/Secret.h"

namespace ledgerbridge::config {

/// One environment: where Pleo's auth server and API live and which OAuth client we are there.
struct EnvironmentProfile {
    std::string name;
    bool builtIn = false;         ///< staging/production: endpoints fixed by ledgerbridge
    std::string authUrl;          ///< e.g. https://auth.staging.pleo.io (the OAuth issuer)
    std::string apiUrl;           ///< e.g. https://external.staging.pleo.io
    std::string clientId;
    SecretRef clientSecret;       ///< never inline
    std::string redirectUri = "http://127.0.0.1:8765/callback";
    std::string scopes;           ///< space-separated
    std::string caFile;           ///< an extra CA to trust (system CAs are always trusted)
    std::vector<std::string> resolve;  ///< "host:port:address" name-resolution overrides
    bool allowHttp = false;       ///< plain http:// endpoints (custom profiles only)
    int requestsPerMinute = 500;  ///< budget for the Pleo API (Pleo allows 600); 0 = no limit
    /// token_timeout: how long one request to the token endpoint may wait for the server
    /// (connect, send, each read); the refresh lease is derived from it (core/oauth/README.md).
    int tokenTimeoutSeconds = 30;
};

/// One Pleo company connected to one target plugin.
/// The target system's OAuth client for a connection whose plugin declares OAuth needs (Xero):
/// the host runs authorization code + PKCE against the target's identity server
/// (`ledgerbridge auth login --connection NAME --target`) and hands the plugin access tokens.
/// Endpoints and scopes come from the plugin's manifest unless given here.
struct TargetOAuth {
    std::string clientId;         ///< target.client_id; empty = the connection has no target OAuth
    SecretRef clientSecret;       ///< target.client_secret (env:/file: reference)
    std::string redirectUri;      ///< target.redirect_uri (default: the environment's redirect_uri)
    std::string scopes;           ///< target.scopes (default: the manifest's)
    std::string authorizeUrl;     ///< target.authorize_url (default: the manifest's)
    std::string tokenUrl;         ///< target.token_url (default: the manifest's)
    std::string caFile;           ///< target.ca_file: extra CA to trust for these endpoints (test doubles)
    /// target.grant: "authorization_code" (default: `auth login --target`, PKCE, refresh tokens)
    /// or "client_credentials" (service to service: the host asks the token URL itself).
    std::string grant = "authorization_code";
    bool clientCredentials() const { return grant == "client_credentials"; }
    /// target.token_hosts ("host[:port]", comma- or space-separated): the only hosts the
    /// target's bearer token goes to; replaces the manifest's tokenHosts when set.
    std::vector<std::string> tokenHosts;
    bool configured() const { return !clientId.empty(); }
};

/// Automatic exports of one connection (auto_export* keys): the host searches Pleo's accounting
/// entries that are ready and creates a non-interactive export job for them itself.
struct AutoExport {
    bool enabled = false;                       ///< auto_export = on|off (off by default)
    /// auto_export_review_status: reviewStatus filter of the search (Pleo's ReviewStatus values).
    std::vector<std::string> reviewStatus = {"OK", "NOT_REQUIRED"};
    /// auto_export_families: families filter (Pleo's AccountingEntryFamily values); empty = every family.
    std::vector<std::string> families;
    int maxEntries = 500;                       ///< auto_export_max_entries: entries per created job (1..10000)
};

struct Connection {
    std::string name;
    Origin origin;                ///< the [connection.NAME] header
    std::string companyId;        ///< Pleo company UUID
    std::string plugin;           ///< plugin name, e.g. "csv"
    std::string credential = "oauth";  ///< "oauth" (authorization code grant) or "api_key"
    SecretRef apiKey;             ///< with credential = api_key
    std::string schedule;         ///< cron expression or interval (service mode)
    /// sync_schedule: when the service runs the master-data sync (same syntax as schedule;
    /// default "every 1d"; "off" = only `ledgerbridge sync` and the first run after a login).
    std::string syncSchedule = "every 1d";
    std::map<std::string, IniValue> settings;  ///< plugin settings (setting.KEY), validated by the plugin
    TargetOAuth target;           ///< target.* keys
    AutoExport autoExport;        ///< auto_export* keys
};

/// [service]: what `ledgerbridge serve` needs beyond the connections.
struct ServiceSettings {
    std::string listen = "127.0.0.1:9464";  ///< loopback host:port of /healthz, /metrics, /webhooks/pleo (port 0: any free one)
    SecretRef webhookSecret;                ///< whsec_... of Pleo's webhook subscription (env:/file:); empty = no webhooks
    int gracePeriodSeconds = 30;            ///< SIGTERM: how long the batch in flight may take before exit 130
    int maxConcurrentRuns = 0;              ///< service.max_concurrent_runs; 0 = from the cores (service::defaultMaxConcurrentRuns)
    long long missedRunSpreadSeconds = 120; ///< service.missed_run_spread: missed runs after downtime fire within this window
    long long historyMaxAgeSeconds = 30LL * 86400;  ///< state.history_max_age: older runs are pruned (0 = keep)
    int historyMaxRuns = 500;               ///< state.history_max_runs: runs kept per connection (0 = keep all)
};

/// [plugins]: how plugin sessions run (core/loader/README.md, "Plugins in their own process").
struct PluginIsolation {
    std::string mode = "process";         ///< plugins.isolation: process | in-process (debugging only)
    long long callDeadlineSeconds = 600;  ///< plugins.call_deadline: one call (a batch, a page) at most
    int maxMemoryMb = 4096;               ///< plugins.max_memory_mb: RLIMIT_AS of the plugin's process (0: none)
    long long maxCpuSeconds = 3600;       ///< plugins.max_cpu: RLIMIT_CPU of one session's process (0: none)
    int maxOpenFiles = 256;               ///< plugins.max_open_files: RLIMIT_NOFILE
    int quarantineAfter = 3;              ///< plugins.quarantine_after: consecutive crashes before quarantine
};

struct Config {
    std::string file;             ///< absolute path of the file read ("" when built from text in tests)
    std::string environment;      ///< the selected profile's name
    Origin environmentOrigin;
    std::map<std::string, EnvironmentProfile> profiles;
    std::vector<Connection> connections;
    std::string stateDir;         ///< absolute
    SecretRef tokenKey;           ///< AES-256 key protecting tokens at rest
    std::string stateUrl;         ///< state.url: PostgreSQL instead of <stateDir>/ledgerbridge.db ("" = SQLite)
    SecretRef statePassword;      ///< state.password: the PostgreSQL role's password (never in the URL)
    std::string pluginDir;        ///< absolute; default <prefix>/lib/ledgerbridge/plugins beside <prefix>/bin
    PluginIsolation plugins;
    std::string logLevel = "info";
    std::string logFormat = "auto";
    std::string logFile;
    ServiceSettings service;

    /// Every effective key/value after overrides, with where it came from; secrets appear as
    /// their references (env:/file:), never as values.
    std::map<std::string, IniValue> values;

    /// The selected profile. Never fails on a loaded Config (validation guaranteed it exists).
    const EnvironmentProfile& activeProfile() const;
    /// The named connection; throws ConfigError listing the configured names when unknown.
    const Connection& connection(const std::string& name) const;
};

/// Overrides from the command line (highest precedence).
struct Overrides {
    std::optional<std::string> environment;
    std::optional<std::string> stateDir;
};

/// Loading result: the config (when there were no problems) and every problem found.
struct LoadResult {
    std::string file;  ///< the file read, absolute (what messages name)
    std::optional<Config> config;
    std::vector<Problem> problems;
    /// Not errors, but likely mistakes: LEDGERBRIDGE_* environment variables that look like an
    /// override (a section's prefix such as LEDGERBRIDGE_STATE_, or close to a known variable)
    /// but override no key (a typo, or a section the file does not have), each naming the
    /// closest known variable. Other LEDGERBRIDGE_* names belong to build and test tools.
    std::vector<Problem> warnings;
};

/// "FILE: N problem(s):" then one indented line per problem: what `config validate` prints and
/// what `run` and `serve` refuse to start with, word for word.
std::string problemsReport(const std::string& file, const std::vector<Problem>& problems);

/// Whether `value` is an example's placeholder rather than a real value: `<...>`, or a value
/// containing CHANGE_ME, CHANGEME, REPLACE-WITH, REPLACE_WITH or REPLACE_ME (any case).
bool isPlaceholder(const std::string& value);

/// Reads and validates `path`. Never throws for content problems: they are all collected so
/// `config validate` can show them together. `environ` supplies environment overrides
/// (LEDGERBRIDGE_<KEY>), normally the process environment; `checkSecrets` also resolves every
/// secret reference of the selected environment and connections.
LoadResult loadConfig(const std::string& path, const Overrides& overrides,
                      const std::map<std::string, std::string>& environ, bool checkSecrets);

/// Same, from text (tests). `baseDir` anchors relative paths.
LoadResult parseConfig(const std::string& text, const std::string& fileName, const std::string& baseDir,
                       const Overrides& overrides, const std::map<std::string, std::string>& environ,
                       bool checkSecrets);

/// Loads or throws ConfigError whose message is problemsReport(). Logs each warning.
Config loadConfigOrThrow(const std::string& path, const Overrides& overrides, bool checkSecrets);

/// The process environment as a map.
std::map<std::string, std::string> processEnvironment();

/// The environment-variable name that overrides `key`: LEDGERBRIDGE_ + upper-case key with every
/// character other than a letter or digit turned into '_' ("state.dir" -> LEDGERBRIDGE_STATE_DIR).
std::string overrideVariable(const std::string& key);

/// Pleo's real endpoints for the built-in profiles.
inline constexpr const char* kStagingAuthUrl = "https://auth.staging.pleo.io";
inline constexpr const char* kStagingApiUrl = "https://external.staging.pleo.io";
inline constexpr const char* kProductionAuthUrl = "https://auth.pleo.io";
inline constexpr const char* kProductionApiUrl = "https://external.pleo.io";

}  // namespace ledgerbridge::config
