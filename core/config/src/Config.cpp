// Loading and validating the configuration: see Config.h. Every problem is collected with its
// file:line and a hint, so one `config validate` shows everything to fix at once.
#include "ledgerbridge/config/Config.h"

#include <Poco/Path.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/HostPort.h"
#include "ledgerbridge/config/Suggest.h"

extern char** environ;

namespace ledgerbridge::config {
namespace {

const std::set<std::string> kTopKeys = {"environment",    "state.dir",      "state.token_key",        "log.level",
                                        "state.url",      "state.password",
                                        "log.format",     "log.file",       "plugins.dir",            "service.listen",
                                        "service.webhook_secret", "service.grace_period",
                                        "service.max_concurrent_runs", "service.missed_run_spread",
                                        "state.history_max_age", "state.history_max_runs",
                                        "plugins.isolation", "plugins.call_deadline", "plugins.max_memory_mb",
                                        "plugins.max_cpu", "plugins.max_open_files", "plugins.quarantine_after"};
const std::set<std::string> kProfileKeys = {"auth_url", "api_url",  "client_id", "client_secret", "redirect_uri",
                                            "scopes",   "ca_file", "resolve",   "allow_http",
                                            "requests_per_minute", "token_timeout"};
const std::set<std::string> kConnectionKeys = {"company_id",           "plugin",           "credential",
                                               "api_key",              "schedule",         "target.client_id",
                                               "target.client_secret", "target.redirect_uri", "target.scopes",
                                               "target.authorize_url", "target.token_url", "target.ca_file",
                                               "auto_export",          "auto_export_review_status",
                                               "auto_export_families", "auto_export_max_entries",
                                               "target.token_hosts",  "sync_schedule",    "target.grant"};
// The search filters' allowed values, as Pleo's accounting-entries.yml lists them (ReviewStatus,
// AccountingEntryFamily): a typo is refused here, not answered with 400 by Pleo at 3 a.m.
const std::set<std::string> kReviewStatuses = {"NOT_OK",  "NOT_REQUIRED", "NOT_SET", "OK", "WAITING_FOR_EXPENSE_OWNER",
                                               "WAITING_FOR_REVIEWER", "WAITING_FOR_COMPANY_REVIEWER",
                                               "WAITING_FOR_TEAM_REVIEWER", "WAITING_FOR_TAG_REVIEWER"};
const std::set<std::string> kFamilies = {"BALANCE_AMENDMENT", "BILL_INVOICE", "CARD_PURCHASE", "CASHBACK", "CREDIT_NOTE",
                                         "MILEAGE", "OUT_OF_POCKET", "OVERDRAFT", "PER_DIEM", "PLEO_INVOICE",
                                         "REIMBURSEMENT", "WALLET", "BILL_INVOICE_PAYMENT"};
const std::set<std::string> kTopSections = {"state", "log", "plugins", "service"};
// LEDGERBRIDGE_* variables the process reads that are not key overrides. The test hooks' ones
// (LEDGERBRIDGE_CRASH_AT, LEDGERBRIDGE_TEST_LEASE_MS) only where the hooks are compiled in: a
// release binary must not hold the names at all (scripts/check-release looks for the first),
// and there they are variables nothing reads.
const std::set<std::string> kProcessVariables = {"LEDGERBRIDGE_CONFIG",
#ifdef LEDGERBRIDGE_TEST_HOOKS
                                                 "LEDGERBRIDGE_CRASH_AT", "LEDGERBRIDGE_TEST_LEASE_MS",
#endif
                                                 "LEDGERBRIDGE_REFERENCE_DIR",
                                                 "LEDGERBRIDGE_REPLICA_ID"};  // lease identity (store/Leases.h)

std::vector<std::string> names(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& v : s) out += (out.empty() ? "" : ", ") + v;
    return out;
}

// Shapes checked character by character, not with std::regex: GCC 12 at -O1 and above reports
// a false -Wmaybe-uninitialized inside <regex> (GCC bug 105562), which failed the Asan and
// Release builds with -Werror; and these shapes are simple enough to read as code.
bool isHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool allOf(const std::string& s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }

/// 8-4-4-4-12 hex digits.
bool isUuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isHexDigit(s[i])) return false;
    }
    return true;
}

/// [a-z0-9][a-z0-9_-]{0,63}
bool isPluginName(const std::string& s) {
    auto lowerOrDigit = [](char c) { return (c >= 'a' && c <= 'z') || isDigit(c); };
    if (s.empty() || s.size() > 64 || !lowerOrDigit(s[0])) return false;
    return std::all_of(s.begin() + 1, s.end(), [&](char c) { return lowerOrDigit(c) || c == '_' || c == '-'; });
}

/// 127.a.b.c with a, b and c of 1 to 3 digits, each at most 255.
bool isLoopbackIpv4(const std::string& host) {
    if (host.rfind("127.", 0) != 0) return false;
    std::istringstream parts(host.substr(4) + ".");
    std::string part;
    int count = 0;
    while (std::getline(parts, part, '.')) {
        if (++count > 3 || part.empty() || part.size() > 3 || !allOf(part, isDigit) || std::stoi(part) > 255)
            return false;
    }
    return count == 3 && host.back() != '.';
}

bool isLoopbackHost(const std::string& host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || isLoopbackIpv4(host);
}

/// host:port:address as in curl's --resolve: a host name, 1 to 5 digits, an IPv4 or IPv6 address.
bool isResolveItem(const std::string& item) {
    const auto c1 = item.find(':');
    const auto c2 = c1 == std::string::npos ? c1 : item.find(':', c1 + 1);
    if (c2 == std::string::npos) return false;
    const std::string host = item.substr(0, c1), port = item.substr(c1 + 1, c2 - c1 - 1), address = item.substr(c2 + 1);
    auto hostChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-'; };
    auto addressChar = [](char c) { return isHexDigit(c) || c == '.' || c == ':' || c == '[' || c == ']'; };
    return !host.empty() && allOf(host, hostChar) && !port.empty() && port.size() <= 5 && allOf(port, isDigit) &&
           !address.empty() && allOf(address, addressChar);
}

/// 127.x.y.z:PORT, localhost:PORT or [::1]:PORT — what the service's HTTP endpoint accepts.
bool isLoopbackHostPort(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    const std::string host = s.substr(0, colon), port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(port) > 65535)
        return false;
    if (host == "localhost" || host == "[::1]") return true;
    return isLoopbackIpv4(host);
}

std::string absolutePath(const std::string& p, const std::string& baseDir) {
    if (p.empty()) return p;
    Poco::Path path(p);
    if (path.isAbsolute()) return path.toString();
    Poco::Path base(baseDir.empty() ? Poco::Path::current() : baseDir);
    base.makeDirectory();
    return base.resolve(path).toString();
}

/// The default [plugins] dir: <prefix>/lib/ledgerbridge/plugins, the prefix being the folder
/// above the running executable's bin/ — where `cmake --install` puts the plugins, and the build
/// tree's layout too, so an installed binary finds its own plugins wherever it was installed.
std::string installedPluginDir() {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "plugins";  // no /proc: the folder next to the configuration file
    return (exe.parent_path().parent_path() / "lib" / "ledgerbridge" / "plugins").lexically_normal().string();
}

bool fileReadable(const std::string& path) {
    std::ifstream in(path);
    return static_cast<bool>(in);
}

class Loader {
public:
    Loader(const std::string& fileName, const std::string& baseDir, const Overrides& overrides,
           const std::map<std::string, std::string>& env, bool checkSecrets)
        : file_(fileName), baseDir_(baseDir), overrides_(overrides), env_(env), checkSecrets_(checkSecrets) {}

    LoadResult run(const std::string& text) {
        doc_ = IniDocument::parse(text, file_, problems_);
        applyEnvironmentOverrides();
        applyCommandLineOverrides();
        checkSections();
        checkPlaceholders();
        Config cfg;
        cfg.file = file_;
        readTop(cfg);
        readProfiles(cfg);
        readConnections(cfg);
        checkActiveProfile(cfg);
        cfg.values = doc_.values();
        LoadResult result;
        result.problems = problems_;
        result.warnings = warnings_;
        if (problems_.empty()) result.config = std::move(cfg);
        return result;
    }

private:
    void problem(const Origin& at, const std::string& key, const std::string& msg, const std::string& hint = {}) {
        problems_.push_back({at, key, msg, hint});
    }

    Origin sectionOrigin(const std::string& section) const {
        auto it = doc_.sections().find(section);
        return it == doc_.sections().end() ? Origin{file_, 0} : it->second;
    }

    std::string get(const std::string& key, const std::string& fallback = {}) const {
        const IniValue* v = doc_.find(key);
        return v ? v->value : fallback;
    }

    Origin originOf(const std::string& key) const {
        const IniValue* v = doc_.find(key);
        return v ? v->origin : Origin{file_, 0};
    }

    void applyEnvironmentOverrides() {
        std::set<std::string> candidates(kTopKeys.begin(), kTopKeys.end());
        for (const auto& [key, _] : doc_.values()) candidates.insert(key);
        for (const auto& [section, _] : doc_.sections()) {
            if (section.rfind("environment.", 0) == 0)
                for (const auto& k : kProfileKeys) candidates.insert(section + "." + k);
            if (section.rfind("connection.", 0) == 0)
                for (const auto& k : kConnectionKeys) candidates.insert(section + "." + k);
        }
        std::vector<std::string> known(kProcessVariables.begin(), kProcessVariables.end());
        std::set<std::string> applied;
        for (const auto& key : candidates) {
            std::string var = overrideVariable(key);
            known.push_back(var);
            auto it = env_.find(var);
            if (it != env_.end()) {
                doc_.set(key, IniValue{it->second, Origin{"environment variable " + var, 0}});
                applied.insert(var);
            }
        }
        // A misspelt override is silently ignored by design of the prefix scheme; say so, since
        // the operator believes a value is in effect that is not.
        // Only variables that look like overrides (a section's prefix, or close to a known
        // variable): build and test tools use the prefix for their own variables too.
        std::vector<std::string> suffixes;
        for (const auto& k : known) suffixes.push_back(k.substr(13));
        for (const auto& [var, _] : env_) {
            if (var.rfind("LEDGERBRIDGE_", 0) != 0 || applied.count(var) || kProcessVariables.count(var)) continue;
            // Compared without the common prefix, which would make every name look close.
            const std::string suffix = var.substr(13);
            const std::string match = closestMatch(suffix, suffixes);
            const std::string near = match.empty() ? "" : "LEDGERBRIDGE_" + match;
            bool sectionLike = suffix == "ENVIRONMENT";
            for (const char* section : {"STATE_", "LOG_", "PLUGINS_", "SERVICE_", "ENVIRONMENT_", "CONNECTION_"})
                sectionLike = sectionLike || suffix.rfind(section, 0) == 0;
            if (near.empty() && !sectionLike) continue;
            warnings_.push_back({Origin{"environment variable " + var, 0}, "",
                                 "overrides no key of " + file_ + "; it is ignored",
                                  near.empty() ? "an override is LEDGERBRIDGE_ + the key in upper case with '_' for "
                                                "every other character, e.g. LEDGERBRIDGE_STATE_DIR, and only for a "
                                                "section the file has"
                                              : "did you mean " + near + "?"});
        }
    }

    /// Values copied from an example and never filled in: refused with their line, so the
    /// service does not first meet them as a 401 from Pleo or an unknown company.
    void checkPlaceholders() {
        for (const auto& [key, v] : doc_.values())
            if (isPlaceholder(v.value))
                problem(v.origin, key, "'" + v.value + "' is a placeholder from an example",
                        "replace it with the real value");
    }

    void applyCommandLineOverrides() {
        if (overrides_.environment) doc_.set("environment", IniValue{*overrides_.environment, Origin{"--environment", 0}});
        if (overrides_.stateDir) doc_.set("state.dir", IniValue{*overrides_.stateDir, Origin{"--state-dir", 0}});
    }

    void checkSections() {
        for (const auto& [section, at] : doc_.sections()) {
            bool known = kTopSections.count(section) || section.rfind("environment.", 0) == 0 ||
                         section.rfind("connection.", 0) == 0;
            if (!known)
                problem(at, "[" + section + "]", "unknown section",
                        "known sections: [state], [log], [plugins], [service], [environment.NAME], [connection.NAME]");
        }
        for (const auto& [key, v] : doc_.values()) {
            auto dot = key.find('.');
            if (dot == std::string::npos) {
                if (key != "environment")
                    problem(v.origin, key, "unknown top-level key", "the only key before the first section is 'environment'");
                continue;
            }
            std::string section = key.substr(0, dot);
            if (kTopSections.count(section) && !kTopKeys.count(key)) {
                std::set<std::string> known;
                for (const auto& k : kTopKeys)
                    if (k.rfind(section + ".", 0) == 0) known.insert(k.substr(section.size() + 1));
                problem(v.origin, key, "unknown key in [" + section + "]" + didYouMean(key.substr(dot + 1), names(known)),
                        "known keys: " + join(known));
            }
        }
    }

    void readTop(Config& cfg) {
        cfg.environment = get("environment");
        cfg.environmentOrigin = originOf("environment");
        if (cfg.environment.empty())
            problem(Origin{file_, 1}, "environment", "no environment is selected",
                    "add 'environment = staging' (or production, or a custom [environment.NAME]) at the top, or pass --environment");
        cfg.stateDir = absolutePath(get("state.dir", "state"), baseDir_);
        cfg.pluginDir = absolutePath(get("plugins.dir", installedPluginDir()), baseDir_);
        cfg.logLevel = get("log.level", "info");
        cfg.logFormat = get("log.format", "auto");
        cfg.logFile = absolutePath(get("log.file"), baseDir_);
        static const std::set<std::string> levels = {"debug", "info", "warn", "error"};
        static const std::set<std::string> formats = {"auto", "human", "json"};
        if (!levels.count(cfg.logLevel))
            problem(originOf("log.level"), "log.level", "'" + cfg.logLevel + "' is not a log level", "use one of " + join(levels));
        if (!formats.count(cfg.logFormat))
            problem(originOf("log.format"), "log.format", "'" + cfg.logFormat + "' is not a log format", "use one of " + join(formats));
        cfg.tokenKey = secretRef("state.token_key");
        readStateDatabase(cfg);
        readService(cfg);
        readPlugins(cfg.plugins);
    }

    // [state] url and password: the PostgreSQL store (core/store/README.md). The URL is checked
    // for its scheme and for a password written into it; the server is reached only when the
    // store opens.
    void readStateDatabase(Config& cfg) {
        cfg.stateUrl = get("state.url");
        cfg.statePassword = secretRef("state.password");
        if (!cfg.stateUrl.empty()) {
            Poco::URI uri;
            try {
                uri = Poco::URI(cfg.stateUrl);
            } catch (const std::exception&) {
            }
            if (uri.getScheme() != "postgresql" && uri.getScheme() != "postgres") {
                problem(originOf("state.url"), "state.url", "is not a PostgreSQL URL",
                        "write postgresql://user@host:5432/database, or remove it to keep the state in [state] dir (SQLite)");
            } else if (uri.getUserInfo().find(':') != std::string::npos) {
                problem(originOf("state.url"), "state.url", "holds a password; secrets are never stored in the config file",
                        "remove it from the URL and add password = env:VARIABLE or file:/path under [state]");
            }
        } else if (!cfg.statePassword.empty()) {
            problem(originOf("state.password"), "state.password", "is set but [state] url is not",
                    "add url = postgresql://user@host:5432/database under [state], or remove password");
        }
        if (checkSecrets_ && !cfg.statePassword.empty()) {
            const std::string why = checkSecret(cfg.statePassword);
            if (!why.empty()) problem(cfg.statePassword.origin, "state.password", why, "");
        }
    }

    // [plugins] isolation and limits (core/loader/README.md, "Plugins in their own process").
    void readPlugins(PluginIsolation& p) {
        if (const std::string mode = get("plugins.isolation"); !mode.empty()) {
            if (mode == "process" || mode == "in-process")
                p.mode = mode;
            else
                problem(originOf("plugins.isolation"), "plugins.isolation", "'" + mode + "' is not an isolation mode",
                        "use process (the default: each plugin session in its own process) or in-process (for "
                        "debugging a plugin under a debugger)");
        }
        p.callDeadlineSeconds = readDuration("plugins.call_deadline", p.callDeadlineSeconds, false);
        p.maxCpuSeconds = readDuration("plugins.max_cpu", p.maxCpuSeconds, true);
        p.maxMemoryMb = readCount("plugins.max_memory_mb", 0, 1 << 20, p.maxMemoryMb,
                                  "the address space of a plugin's process in MiB, e.g. 4096 (0: no limit)");
        p.maxOpenFiles = readCount("plugins.max_open_files", 16, 1 << 20, p.maxOpenFiles,
                                   "open files of a plugin's process, e.g. 256");
        p.quarantineAfter = readCount("plugins.quarantine_after", 1, 1000, p.quarantineAfter,
                                      "consecutive crashes before a plugin is quarantined, e.g. 3");
    }

    // A whole number in [lo, hi]; `fallback` when the key is absent or wrong (then a problem with its line).
    int readCount(const std::string& key, int lo, int hi, int fallback, const std::string& hint) {
        const std::string v = get(key);
        if (v.empty()) return fallback;
        const bool digits = v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        const long long n = digits ? std::stoll(v) : -1;
        if (n < lo || n > hi) {
            problem(originOf(key), key,
                    "'" + v + "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi), hint);
            return fallback;
        }
        return static_cast<int>(n);
    }

    // 30s, 2m, 12h, 30d (0 allowed when `zeroOk`: "off"); seconds, `fallback` when absent or wrong.
    long long readDuration(const std::string& key, long long fallback, bool zeroOk) {
        const std::string v = get(key);
        if (v.empty()) return fallback;
        std::size_t digits = 0;
        while (digits < v.size() && std::isdigit(static_cast<unsigned char>(v[digits]))) ++digits;
        const std::string unit = v.substr(digits);
        const long long n = digits == 0 || digits > 7 ? -1 : std::stoll(v.substr(0, digits));
        const long long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
        if (n < 0 || scale == 0 || (n == 0 && !zeroOk)) {
            problem(originOf(key), key, "'" + v + "' is not a duration",
                    std::string("write it like 90s, 2m, 12h or 30d") + (zeroOk ? " (0 turns it off)" : ""));
            return fallback;
        }
        return n * scale;
    }

    // [service]: read by `ledgerbridge serve` (service::serviceOptionsFromConfig takes the typed
    // values from here, so each is parsed once and a bad one is reported with its line).
    void readService(Config& cfg) {
        cfg.service.webhookSecret = secretRef("service.webhook_secret");  // refuses an inline secret with its line
        if (const std::string grace = get("service.grace_period"); !grace.empty()) {
            std::size_t digits = 0;
            while (digits < grace.size() && std::isdigit(static_cast<unsigned char>(grace[digits]))) ++digits;
            const std::string unit = grace.substr(digits);
            const long long n = digits == 0 || digits > 5 ? 0 : std::stoll(grace.substr(0, digits));
            if (n <= 0 || !(unit.empty() || unit == "s" || unit == "m"))
                problem(originOf("service.grace_period"), "service.grace_period", "'" + grace + "' is not a duration",
                        "write seconds like 30s or minutes like 2m (at least 1s)");
            else
                cfg.service.gracePeriodSeconds = static_cast<int>(unit == "m" ? n * 60 : n);
        }
        cfg.service.maxConcurrentRuns = readCount("service.max_concurrent_runs", 1, 1024, cfg.service.maxConcurrentRuns,
                                                  "the number of runs executing at once, e.g. 16");
        cfg.service.missedRunSpreadSeconds =
            readDuration("service.missed_run_spread", cfg.service.missedRunSpreadSeconds, true);
        cfg.service.historyMaxAgeSeconds = readDuration("state.history_max_age", cfg.service.historyMaxAgeSeconds, true);
        cfg.service.historyMaxRuns = readCount("state.history_max_runs", 0, 1000000, cfg.service.historyMaxRuns,
                                               "runs kept per connection, e.g. 500 (0 keeps all)");
        if (const std::string listen = get("service.listen"); !listen.empty()) {
            if (isLoopbackHostPort(listen))
                cfg.service.listen = listen;
            else
                problem(originOf("service.listen"), "service.listen", "'" + listen + "' is not a loopback host:port",
                        "the service listens on loopback only, e.g. 127.0.0.1:9464 or [::1]:9464; put a TLS reverse "
                        "proxy in front for webhooks");
        }
    }

    SecretRef secretRef(const std::string& key) {
        const IniValue* v = doc_.find(key);
        if (!v || v->value.empty()) return {};
        if (!isSecretReference(v->value)) {
            problem(v->origin, key, "holds a secret written inline; secrets are never stored in the config file",
                    "write env:VARIABLE or file:/path/to/secret (mode 0600) instead");
            return {};
        }
        SecretRef ref{v->value, v->origin, key};
        if (ref.reference.rfind("file:", 0) == 0) ref.reference = "file:" + absolutePath(ref.reference.substr(5), baseDir_);
        return ref;
    }

    void checkUrl(const std::string& key, const std::string& url, bool allowHttp) {
        if (url.empty()) return;
        Poco::URI uri;
        try {
            uri = Poco::URI(url);
        } catch (const std::exception&) {
            problem(originOf(key), key, "'" + url + "' is not a URL", "write it like https://auth.example.com");
            return;
        }
        if (uri.getScheme() == "http" && !allowHttp) {
            problem(originOf(key), key, "uses plain http://; tokens would travel unencrypted",
                    "use https://, or set allow_http = true in a custom local profile");
        } else if (uri.getScheme() != "https" && uri.getScheme() != "http") {
            problem(originOf(key), key, "'" + url + "' is not an http(s) URL", "write it like https://auth.example.com");
        } else if (uri.getHost().empty()) {
            problem(originOf(key), key, "'" + url + "' has no host name", "write it like https://auth.example.com");
        }
    }

    /// allow_http = true only where plain HTTP cannot leave the machine: both endpoints on a
    /// loopback host (127.0.0.0/8, ::1, localhost). The flag also lets the connection's plugin
    /// reach its target over plain HTTP, so anything wider would send tokens in clear text.
    /// A host that this profile's `resolve` pins to a loopback address (a test double standing in
    /// for a real name) never leaves the machine either.
    static bool resolvedToLoopback(const EnvironmentProfile& p, const std::string& host) {
        for (const std::string& item : p.resolve) {
            const auto first = item.find(':');
            const auto second = first == std::string::npos ? first : item.find(':', first + 1);
            if (second == std::string::npos) continue;
            if (item.compare(0, first, host) == 0 && first == host.size() && isLoopbackHost(item.substr(second + 1)))
                return true;
        }
        return false;
    }

    void checkAllowHttp(const EnvironmentProfile& p, const std::string& prefix) {
        if (!p.allowHttp) return;
        for (const std::string* url : {&p.authUrl, &p.apiUrl}) {
            std::string host;
            try {
                host = Poco::URI(*url).getHost();
            } catch (const std::exception&) {
                continue;  // reported by checkUrl
            }
            if (url->empty() || isLoopbackHost(host) || resolvedToLoopback(p, host)) continue;
            problem(originOf(prefix + "allow_http"), prefix + "allow_http",
                    "is accepted only for loopback hosts, but " + *url + " is on '" + host + "'",
                    "remove allow_http and use https://; plain HTTP is for a simulator on 127.0.0.1, ::1 or localhost");
            return;
        }
    }

    void readProfiles(Config& cfg) {
        // Built-in profiles first; a file section adds credentials to them.
        EnvironmentProfile staging;
        staging.name = "staging";
        staging.builtIn = true;
        staging.authUrl = kStagingAuthUrl;
        staging.apiUrl = kStagingApiUrl;
        EnvironmentProfile production = staging;
        production.name = "production";
        production.authUrl = kProductionAuthUrl;
        production.apiUrl = kProductionApiUrl;
        cfg.profiles["staging"] = staging;
        cfg.profiles["production"] = production;

        for (const auto& [section, at] : doc_.sections()) {
            if (section.rfind("environment.", 0) != 0) continue;
            std::string name = section.substr(12);
            std::string prefix = section + ".";
            for (const auto& [key, v] : doc_.values())
                if (key.rfind(prefix, 0) == 0 && !kProfileKeys.count(key.substr(prefix.size())))
                    problem(v.origin, key,
                            "unknown key in [" + section + "]" + didYouMean(key.substr(prefix.size()), names(kProfileKeys)),
                            "known keys: " + join(kProfileKeys));
            EnvironmentProfile& p = cfg.profiles[name];
            p.name = name;
            bool builtIn = p.builtIn;
            for (const char* k : {"auth_url", "api_url", "allow_http"}) {
                if (builtIn && doc_.has(prefix + k))
                    problem(originOf(prefix + k), prefix + k,
                            "the " + name + " profile's endpoints are Pleo's and cannot be replaced",
                            "remove this line; to test against a local simulator use a custom [environment.local] profile, or 'resolve' with the simulator's CA in ca_file");
            }
            if (!builtIn) {
                p.authUrl = get(prefix + "auth_url");
                p.apiUrl = get(prefix + "api_url");
                std::string allow = get(prefix + "allow_http", "false");
                if (allow != "true" && allow != "false")
                    problem(originOf(prefix + "allow_http"), prefix + "allow_http", "must be true or false");
                p.allowHttp = allow == "true";
            }
            if (doc_.has(prefix + "requests_per_minute")) {
                std::string v = get(prefix + "requests_per_minute");
                bool digits = !v.empty() && v.size() <= 4 &&
                              std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
                if (!digits || std::stoi(v) > 600)
                    problem(originOf(prefix + "requests_per_minute"), prefix + "requests_per_minute",
                            "'" + v + "' is not a request budget from 0 to 600",
                            "Pleo allows 600 requests a minute; the default 500 leaves room, 0 turns the limiter off "
                            "(only for the local simulator and benchmarks)");
                else
                    p.requestsPerMinute = std::stoi(v);
            }
            p.tokenTimeoutSeconds = static_cast<int>(readDuration(prefix + "token_timeout", p.tokenTimeoutSeconds, false));
            if (p.tokenTimeoutSeconds > 600) {
                problem(originOf(prefix + "token_timeout"), prefix + "token_timeout",
                        "'" + get(prefix + "token_timeout") + "' is longer than 10 minutes",
                        "a token request that takes longer holds every other process's refresh; 30s is the default");
                p.tokenTimeoutSeconds = 600;
            }
            p.clientId = get(prefix + "client_id");
            p.clientSecret = secretRef(prefix + "client_secret");
            p.redirectUri = get(prefix + "redirect_uri", p.redirectUri);
            p.scopes = get(prefix + "scopes");
            p.caFile = absolutePath(get(prefix + "ca_file"), baseDir_);
            if (!p.caFile.empty() && !fileReadable(p.caFile))
                problem(originOf(prefix + "ca_file"), prefix + "ca_file", "CA file " + p.caFile + " cannot be read",
                        "fix the path, or remove the line to trust only the system's CAs");
            std::string resolve = get(prefix + "resolve");
            std::istringstream rs(resolve);
            std::string item;
            while (std::getline(rs, item, ',')) {
                item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
                if (item.empty()) continue;
                if (!isResolveItem(item))
                    problem(originOf(prefix + "resolve"), prefix + "resolve", "'" + item + "' is not host:port:address",
                            "e.g. auth.staging.pleo.io:443:127.0.0.1");
                else
                    p.resolve.push_back(item);
            }
            (void)at;
        }
    }

    void checkActiveProfile(const Config& cfg) {
        if (cfg.environment.empty()) return;
        auto it = cfg.profiles.find(cfg.environment);
        if (it == cfg.profiles.end()) {
            std::set<std::string> names;
            for (const auto& [n, _] : cfg.profiles) names.insert(n);
            problem(cfg.environmentOrigin, "environment", "unknown environment '" + cfg.environment + "'",
                    "choose one of " + join(names) + ", or add an [environment." + cfg.environment + "] section");
            return;
        }
        const EnvironmentProfile& p = it->second;
        std::string prefix = "environment." + p.name + ".";
        Origin at = sectionOrigin("environment." + p.name);
        bool needsOAuth = std::any_of(cfg.connections.begin(), cfg.connections.end(),
                                      [](const Connection& c) { return c.credential == "oauth"; });
        if (!p.builtIn) {
            if (p.authUrl.empty()) problem(at, prefix + "auth_url", "is missing", "the OAuth server's base URL, e.g. https://127.0.0.1:8443");
            if (p.apiUrl.empty()) problem(at, prefix + "api_url", "is missing", "the Export API's base URL");
            checkUrl(prefix + "auth_url", p.authUrl, p.allowHttp);
            checkUrl(prefix + "api_url", p.apiUrl, p.allowHttp);
            checkAllowHttp(p, prefix);
        }
        if (needsOAuth) {
            if (p.clientId.empty())
                problem(at, prefix + "client_id", "is missing for the selected environment '" + p.name + "'",
                        "add client_id = <your Pleo OAuth client id> under [environment." + p.name + "]");
            if (p.clientSecret.empty() && !doc_.has(prefix + "client_secret"))
                problem(at, prefix + "client_secret", "is missing for the selected environment '" + p.name + "'",
                        "add client_secret = env:VARIABLE or file:/path under [environment." + p.name + "]");
            if (cfg.tokenKey.empty() && !doc_.has("state.token_key"))
                problem(sectionOrigin("state"), "state.token_key", "is missing; tokens are encrypted at rest with this key",
                        "add token_key = file:/path/to/key under [state] (ledgerbridge auth creates the file if absent)");
            Poco::URI redirect;
            try {
                redirect = Poco::URI(p.redirectUri);
            } catch (const std::exception&) {
            }
            bool loopback = redirect.getScheme() == "http" &&
                            (redirect.getHost() == "127.0.0.1" || redirect.getHost() == "localhost" || redirect.getHost() == "::1");
            if (!loopback || redirect.getPort() == 0)
                problem(originOf(prefix + "redirect_uri"), prefix + "redirect_uri",
                        "'" + p.redirectUri + "' is not a loopback redirect URI",
                        "use http://127.0.0.1:PORT/callback, registered with the OAuth client");
            if (checkSecrets_ && !p.clientSecret.empty()) {
                std::string why = checkSecret(p.clientSecret);
                if (!why.empty()) problem(p.clientSecret.origin, p.clientSecret.key, why);
            }
        }
        if (checkSecrets_) {
            for (const auto& c : cfg.connections) {
                if (c.credential == "api_key" && !c.apiKey.empty()) {
                    std::string why = checkSecret(c.apiKey);
                    if (!why.empty()) problem(c.apiKey.origin, c.apiKey.key, why);
                }
            }
        }
    }

    void readConnections(Config& cfg) {
        for (const auto& [section, at] : doc_.sections()) {
            if (section.rfind("connection.", 0) != 0) continue;
            Connection c;
            c.name = section.substr(11);
            c.origin = at;
            std::string prefix = section + ".";
            // The section's keys are a contiguous range of the sorted map: a scan of every
            // key for every connection took minutes at 10,000 connections.
            const auto& values = doc_.values();
            for (auto it = values.lower_bound(prefix); it != values.end() && it->first.rfind(prefix, 0) == 0; ++it) {
                const auto& [key, v] = *it;
                std::string local = key.substr(prefix.size());
                if (local.rfind("setting.", 0) == 0) {
                    IniValue setting = v;
                    c.settings[local.substr(8)] = setting;
                } else if (!kConnectionKeys.count(local)) {
                    problem(v.origin, key, "unknown key in [" + section + "]" + didYouMean(local, names(kConnectionKeys)),
                            "known keys: " + join(kConnectionKeys) + ", and setting.NAME for the plugin's settings");
                }
            }
            c.companyId = get(prefix + "company_id");
            c.plugin = get(prefix + "plugin");
            c.credential = get(prefix + "credential", "oauth");
            c.schedule = get(prefix + "schedule");
            c.syncSchedule = get(prefix + "sync_schedule", "every 1d");
            // The syntax is checked in full where schedules are parsed (core/service); here only
            // its shape, so `config validate` names the key and line of an obvious mistake.
            if (c.syncSchedule != "off" && c.syncSchedule.rfind("every ", 0) != 0 && c.syncSchedule.rfind("cron ", 0) != 0)
                problem(originOf(prefix + "sync_schedule"), prefix + "sync_schedule",
                        "'" + c.syncSchedule + "' is not a schedule",
                        "write off, an interval like 'every 1d' or 'every 6h jitter 10m', or 'cron 0 5 * * * Europe/Copenhagen'");
            if (c.companyId.empty())
                problem(at, prefix + "company_id", "is missing", "the Pleo company's UUID, e.g. 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90");
            else if (!isUuid(c.companyId))
                problem(originOf(prefix + "company_id"), prefix + "company_id", "'" + c.companyId + "' is not a UUID",
                        "Pleo company ids look like 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90");
            else if (c.companyId.rfind("00000000-", 0) == 0)
                // Pleo's ids are random (v4): eight leading zeros happen once in four billion,
                // and every example in config/ starts so.
                problem(originOf(prefix + "company_id"), prefix + "company_id",
                        "'" + c.companyId + "' is a placeholder company id",
                        "put the Pleo company's id here (Pleo's web app, Settings, or the simulator's --companies output)");
            if (c.plugin.empty())
                problem(at, prefix + "plugin", "is missing", "name the export plugin, e.g. plugin = csv");
            else if (!isPluginName(c.plugin))
                problem(originOf(prefix + "plugin"), prefix + "plugin", "'" + c.plugin + "' is not a plugin name",
                        "lower-case letters, digits, '-' and '_'");
            if (c.credential != "oauth" && c.credential != "api_key")
                problem(originOf(prefix + "credential"), prefix + "credential", "'" + c.credential + "' is not a credential kind",
                        "use oauth (a partner app's grant) or api_key (the company's own API key)");
            c.apiKey = secretRef(prefix + "api_key");
            if (c.credential == "api_key" && c.apiKey.empty() && !doc_.has(prefix + "api_key"))
                problem(at, prefix + "api_key", "is missing for credential = api_key", "add api_key = env:VARIABLE or file:/path");
            readTarget(c, prefix, at);
            readAutoExport(c, prefix);
            cfg.connections.push_back(std::move(c));
        }
    }

    /// auto_export* keys: a switch, two comma-separated lists checked against Pleo's enums and a
    /// bounded count, each problem with its file:line.
    void readAutoExport(Connection& c, const std::string& prefix) {
        AutoExport& a = c.autoExport;
        const std::string on = get(prefix + "auto_export", "off");
        if (on == "on" || on == "true" || on == "yes") a.enabled = true;
        else if (on != "off" && on != "false" && on != "no")
            problem(originOf(prefix + "auto_export"), prefix + "auto_export", "'" + on + "' is not on or off",
                    "auto_export = on lets ledgerbridge create export jobs for ready entries itself; off (the default) waits for Pleo users");
        auto list = [&](const std::string& key, const std::set<std::string>& allowed, std::vector<std::string>& out) {
            if (!doc_.has(prefix + key)) return;
            out.clear();
            std::string text = get(prefix + key);
            std::size_t from = 0;
            while (from <= text.size()) {
                std::size_t comma = text.find(',', from);
                std::string item = text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
                item.erase(0, item.find_first_not_of(" \t"));
                item.erase(item.find_last_not_of(" \t") + 1);
                if (!item.empty()) {
                    if (!allowed.count(item))
                        problem(originOf(prefix + key), prefix + key, "'" + item + "' is not one of Pleo's values",
                                "use a comma-separated list of: " + join(allowed));
                    else
                        out.push_back(item);
                }
                if (comma == std::string::npos) break;
                from = comma + 1;
            }
        };
        list("auto_export_review_status", kReviewStatuses, a.reviewStatus);
        if (doc_.has(prefix + "auto_export_review_status") && a.reviewStatus.empty())
            problem(originOf(prefix + "auto_export_review_status"), prefix + "auto_export_review_status", "is empty",
                    "name at least one review status, e.g. OK, NOT_REQUIRED");
        list("auto_export_families", kFamilies, a.families);
        if (doc_.has(prefix + "auto_export_max_entries")) {
            const std::string n = get(prefix + "auto_export_max_entries");
            int value = 0;
            bool digits = !n.empty() && n.size() <= 6 && n.find_first_not_of("0123456789") == std::string::npos;
            if (digits) value = std::stoi(n);
            if (!digits || value < 1 || value > 10000)
                problem(originOf(prefix + "auto_export_max_entries"), prefix + "auto_export_max_entries",
                        "'" + n + "' is not a number of entries from 1 to 10000", "e.g. auto_export_max_entries = 500");
            else
                a.maxEntries = value;
        }
    }

    void readTarget(Connection& c, const std::string& prefix, const Origin& at) {
        const std::string t = prefix + "target.";
        TargetOAuth& o = c.target;
        o.clientId = get(t + "client_id");
        o.clientSecret = secretRef(t + "client_secret");
        o.redirectUri = get(t + "redirect_uri");
        o.scopes = get(t + "scopes");
        o.authorizeUrl = get(t + "authorize_url");
        o.tokenUrl = get(t + "token_url");
        if (doc_.has(t + "ca_file")) o.caFile = absolutePath(get(t + "ca_file"), baseDir_);
        if (doc_.has(t + "grant")) {
            o.grant = get(t + "grant");
            if (o.grant != "authorization_code" && o.grant != "client_credentials")
                problem(originOf(t + "grant"), t + "grant", "'" + o.grant + "' is not a grant the host runs",
                        "use authorization_code (a person logs in) or client_credentials (service to service)");
        }
        std::string hosts = get(t + "token_hosts");
        for (char& ch : hosts)
            if (ch == ',') ch = ' ';
        std::istringstream words(hosts);
        bool listed = false;
        for (std::string h; words >> h;) {
            listed = true;
            if (parseHostPort(h)) o.tokenHosts.push_back(h);
            else
                problem(originOf(t + "token_hosts"), t + "token_hosts", "'" + h + "' is not a host or host:port",
                        "list the target API's hosts, e.g. api.xero.com or 127.0.0.1:8443 (no scheme, path or wildcard)");
        }
        if (doc_.has(t + "token_hosts") && !listed)
            problem(originOf(t + "token_hosts"), t + "token_hosts", "is empty",
                    "list the target API's hosts, or remove the key to use the plugin's own");
        bool any = false;
        for (const char* k : {"client_secret", "redirect_uri", "scopes", "authorize_url", "token_url", "ca_file", "token_hosts",
                              "grant"})
            any = any || doc_.has(t + k);
        if (any && o.clientId.empty())
            problem(at, t + "client_id", "is missing while other target.* keys are set",
                    "add target.client_id with the target system's OAuth client id (e.g. your Xero app's)");
        if (o.configured() && o.clientSecret.empty() && !doc_.has(t + "client_secret"))
            problem(at, t + "client_secret", "is missing", "add target.client_secret = file:/path or env:VARIABLE");
        for (const char* k : {"authorize_url", "token_url"}) {
            std::string url = get(t + k);
            if (!url.empty() && url.rfind("https://", 0) != 0)
                problem(originOf(t + k), t + k, "'" + url + "' is not an https:// URL",
                        "the target's identity server must be reached over TLS; trust a local test server with target.ca_file");
        }
        if (checkSecrets_ && o.configured() && !o.clientSecret.empty()) {
            std::string why = checkSecret(o.clientSecret);
            if (!why.empty()) problem(o.clientSecret.origin, o.clientSecret.key, why);
        }
    }

    std::string file_;
    std::string baseDir_;
    Overrides overrides_;
    const std::map<std::string, std::string>& env_;
    bool checkSecrets_;
    IniDocument doc_;
    std::vector<Problem> problems_;
    std::vector<Problem> warnings_;
};

}  // namespace

const EnvironmentProfile& Config::activeProfile() const { return profiles.at(environment); }

const Connection& Config::connection(const std::string& name) const {
    std::string names;
    for (const auto& c : connections) {
        if (c.name == name) return c;
        names += (names.empty() ? "" : ", ") + c.name;
    }
    throw ConfigError("no connection named '" + name + "' in " + file + (names.empty() ? "; none is configured" : "; configured: " + names));
}

std::string overrideVariable(const std::string& key) {
    std::string out = "LEDGERBRIDGE_";
    for (char c : key) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
    return out;
}

std::map<std::string, std::string> processEnvironment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return out;
}

LoadResult parseConfig(const std::string& text, const std::string& fileName, const std::string& baseDir,
                       const Overrides& overrides, const std::map<std::string, std::string>& env, bool checkSecrets) {
    LoadResult r = Loader(fileName, baseDir, overrides, env, checkSecrets).run(text);
    r.file = fileName;
    return r;
}

LoadResult loadConfig(const std::string& path, const Overrides& overrides, const std::map<std::string, std::string>& env,
                      bool checkSecrets) {
    std::string absolute = absolutePath(path, "");
    auto refuse = [&](const std::string& what, const std::string& hint) {
        LoadResult r;
        r.file = absolute;
        r.problems.push_back({Origin{absolute, 0}, "", what, hint});
        return r;
    };
    std::error_code ec;
    if (std::filesystem::is_directory(absolute, ec))
        return refuse("is a directory, not a configuration file",
                      "pass the .ini file itself, e.g. --config " + (std::filesystem::path(absolute) / "ledgerbridge.ini").string());
    std::ifstream in(absolute, std::ios::binary);
    if (!in) {
        LoadResult r;
        r.file = absolute;
        r.problems.push_back({Origin{absolute, 0}, "", "the configuration file cannot be read (missing or no permission)",
                              "pass --config PATH or set LEDGERBRIDGE_CONFIG; examples are in config/"});
        return r;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (buf.str().find_first_not_of(" \t\r\n") == std::string::npos)
        return refuse("is empty", "start from an example in config/ (staging.ini, production.ini, demo.ini)");
    std::string baseDir = Poco::Path(absolute).parent().toString();
    return parseConfig(buf.str(), absolute, baseDir, overrides, env, checkSecrets);
}

std::string problemsReport(const std::string& file, const std::vector<Problem>& problems) {
    std::string msg = file + ": " + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") + ":";
    for (const auto& p : problems) msg += "\n  " + p.str();
    return msg;
}

bool isPlaceholder(const std::string& value) {
    if (value.size() >= 2 && value.front() == '<' && value.back() == '>') return true;
    std::string upper = value;
    for (char& c : upper) c = static_cast<char>(c == '-' ? '_' : std::toupper(static_cast<unsigned char>(c)));
    // A marker counts at the start of a word only ("EXCHANGE_MEDIA" holds CHANGE_ME).
    for (const std::string marker : {"CHANGE_ME", "CHANGEME", "REPLACE_WITH", "REPLACE_ME"})
        for (auto at = upper.find(marker); at != std::string::npos; at = upper.find(marker, at + 1))
            if (at == 0 || !std::isalnum(static_cast<unsigned char>(upper[at - 1]))) return true;
    return false;
}

Config loadConfigOrThrow(const std::string& path, const Overrides& overrides, bool checkSecrets) {
    LoadResult r = loadConfig(path, overrides, processEnvironment(), checkSecrets);
    for (const auto& w : r.warnings) log::warn(w.str());
    if (!r.problems.empty()) throw ConfigError(problemsReport(r.file, r.problems));
    return std::move(*r.config);
}

}  // namespace ledgerbridge::config
