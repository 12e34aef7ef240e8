// Configuration: good files, each kind of bad file with its exact message, environment selection,
// environment-variable and command-line overrides, fingerprints.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"

using namespace ledgerbridge::config;

namespace {

const char* kGood = R"(; a complete local configuration
environment = local

[state]
dir = state
token_key = env:LB_TEST_TOKEN_KEY

[log]
level = debug

[environment.local]
auth_url = https://127.0.0.1:8443
api_url = https://127.0.0.1:8443
client_id = ledgerbridge-demo
client_secret = env:LB_TEST_CLIENT_SECRET
scopes = export:read export:write

[environment.staging]
client_id = partner-staging
client_secret = file:secrets/staging

[connection.acme]
company_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90
plugin = csv
setting.output_dir = out
)";

LoadResult parse(const std::string& text, std::map<std::string, std::string> env = {}, Overrides o = {}) {
    return parseConfig(text, "lb.ini", "/etc/lb", o, env, false);
}

std::string problemsText(const LoadResult& r) {
    std::string s;
    for (const auto& p : r.problems) s += p.str() + "\n";
    return s;
}

bool hasProblem(const LoadResult& r, const std::string& exact) {
    return std::any_of(r.problems.begin(), r.problems.end(), [&](const Problem& p) { return p.str() == exact; });
}

}  // namespace

TEST(Config, GoodFileLoadsWithProfilesConnectionsAndAbsolutePaths) {
    auto r = parse(kGood);
    ASSERT_TRUE(r.problems.empty()) << problemsText(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.environment, "local");
    EXPECT_EQ(c.activeProfile().authUrl, "https://127.0.0.1:8443");
    EXPECT_EQ(c.activeProfile().clientSecret.reference, "env:LB_TEST_CLIENT_SECRET");
    EXPECT_EQ(c.stateDir, "/etc/lb/state");
    // Not set: the installation's own, <prefix>/lib/ledgerbridge/plugins next to <prefix>/bin.
    EXPECT_EQ(c.pluginDir,
              (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "lib/ledgerbridge/plugins")
                  .lexically_normal()
                  .string());
    EXPECT_EQ(c.logLevel, "debug");
    EXPECT_EQ(c.profiles.at("staging").authUrl, kStagingAuthUrl);
    EXPECT_EQ(c.profiles.at("staging").apiUrl, kStagingApiUrl);
    EXPECT_EQ(c.profiles.at("staging").clientSecret.reference, "file:/etc/lb/secrets/staging");
    EXPECT_EQ(c.profiles.at("production").apiUrl, kProductionApiUrl);
    ASSERT_EQ(c.connections.size(), 1u);
    EXPECT_EQ(c.connection("acme").plugin, "csv");
    EXPECT_EQ(c.connection("acme").settings.at("output_dir").value, "out");
    EXPECT_THROW(c.connection("nope"), ledgerbridge::ConfigError);
}

TEST(Config, EnvironmentIsSelectedByCommandLineOverEnvironmentVariableOverFile) {
    auto r = parse(kGood, {{"LEDGERBRIDGE_ENVIRONMENT", "staging"}});
    ASSERT_TRUE(r.problems.empty()) << problemsText(r);
    EXPECT_EQ(r.config->environment, "staging");
    EXPECT_EQ(r.config->activeProfile().clientId, "partner-staging");
    Overrides o;
    o.environment = "local";
    r = parse(kGood, {{"LEDGERBRIDGE_ENVIRONMENT", "staging"}}, o);
    ASSERT_TRUE(r.problems.empty()) << problemsText(r);
    EXPECT_EQ(r.config->environment, "local");
}

TEST(Config, EnvironmentVariablesOverrideAnyKey) {
    auto r = parse(kGood, {{"LEDGERBRIDGE_STATE_DIR", "/var/lib/lb"},
                           {"LEDGERBRIDGE_CONNECTION_ACME_PLUGIN", "datev"},
                           {"LEDGERBRIDGE_ENVIRONMENT_LOCAL_CLIENT_ID", "other-client"}});
    ASSERT_TRUE(r.problems.empty()) << problemsText(r);
    EXPECT_EQ(r.config->stateDir, "/var/lib/lb");
    EXPECT_EQ(r.config->connection("acme").plugin, "datev");
    EXPECT_EQ(r.config->activeProfile().clientId, "other-client");
    EXPECT_EQ(overrideVariable("connection.acme-eu.plugin"), "LEDGERBRIDGE_CONNECTION_ACME_EU_PLUGIN");
}

TEST(Config, UnknownEnvironmentNamesTheChoices) {
    Overrides o;
    o.environment = "prod";
    auto r = parse(kGood, {}, o);
    EXPECT_TRUE(hasProblem(r, "--environment: environment: unknown environment 'prod' (choose one of local, production, "
                              "staging, or add an [environment.prod] section)"))
        << problemsText(r);
}

TEST(Config, InlineSecretIsRefusedWithTheLineAndTheFix) {
    std::string text = kGood;
    text.replace(text.find("env:LB_TEST_CLIENT_SECRET"), 25, "hunter2-plain-secret");
    auto r = parse(text);
    EXPECT_TRUE(hasProblem(r, "lb.ini:15: environment.local.client_secret: holds a secret written inline; secrets are "
                              "never stored in the config file (write env:VARIABLE or file:/path/to/secret (mode 0600) "
                              "instead)"))
        << problemsText(r);
    EXPECT_FALSE(r.config.has_value());
}

TEST(Config, BuiltInEndpointsCannotBeReplaced) {
    auto r = parse(std::string(kGood) + "[environment.production]\napi_url = https://evil.example.com\n");
    ASSERT_EQ(r.problems.size(), 1u) << problemsText(r);
    EXPECT_EQ(r.problems[0].origin.line, 27);
    EXPECT_EQ(r.problems[0].key, "environment.production.api_url");
    EXPECT_EQ(r.problems[0].message, "the production profile's endpoints are Pleo's and cannot be replaced");
}

TEST(Config, MissingRequiredValuesAreEachReported) {
    auto r = parse("environment = local\n[environment.local]\nauth_url = http://127.0.0.1:1\n"
                   "[connection.a]\ncompany_id = not-a-uuid\n[connection.b]\nplugin = Bad Name\ncredential = password\n");
    EXPECT_TRUE(hasProblem(r, "lb.ini:2: environment.local.api_url: is missing (the Export API's base URL)")) << problemsText(r);
    EXPECT_TRUE(hasProblem(r, "lb.ini:3: environment.local.auth_url: uses plain http://; tokens would travel unencrypted "
                              "(use https://, or set allow_http = true in a custom local profile)"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:2: environment.local.client_id: is missing for the selected environment 'local' (add "
                              "client_id = <your Pleo OAuth client id> under [environment.local])"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:5: connection.a.company_id: 'not-a-uuid' is not a UUID (Pleo company ids look like "
                              "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90)"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:4: connection.a.plugin: is missing (name the export plugin, e.g. plugin = csv)"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:7: connection.b.plugin: 'Bad Name' is not a plugin name (lower-case letters, digits, "
                              "'-' and '_')"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:8: connection.b.credential: 'password' is not a credential kind (use oauth (a partner "
                              "app's grant) or api_key (the company's own API key))"));
    EXPECT_TRUE(hasProblem(r, "lb.ini:6: connection.b.company_id: is missing (the Pleo company's UUID, e.g. "
                              "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90)"));
}

TEST(Config, TargetOAuthKeysAreReadAndChecked) {
    auto good = parse(std::string(kGood) + "target.client_id = xero-app\ntarget.client_secret = file:secrets/xero\n"
                                           "target.scopes = offline_access accounting.transactions\n");
    ASSERT_TRUE(good.problems.empty() && good.config) << problemsText(good);
    const Connection& c = good.config->connections.at(0);
    EXPECT_TRUE(c.target.configured());
    EXPECT_EQ(c.target.clientId, "xero-app");
    EXPECT_EQ(c.target.clientSecret.reference, "file:/etc/lb/secrets/xero");
    EXPECT_EQ(c.target.scopes, "offline_access accounting.transactions");

    auto bad = parse(std::string(kGood) + "target.scopes = x\ntarget.token_url = http://identity.example.com/token\n");
    EXPECT_TRUE(hasProblem(bad, "lb.ini:22: connection.acme.target.client_id: is missing while other target.* keys are set "
                                "(add target.client_id with the target system's OAuth client id (e.g. your Xero app's))"))
        << problemsText(bad);
    EXPECT_TRUE(hasProblem(bad, "lb.ini:27: connection.acme.target.token_url: 'http://identity.example.com/token' is not an "
                                "https:// URL (the target's identity server must be reached over TLS; trust a local test "
                                "server with target.ca_file)"))
        << problemsText(bad);
    auto inline_ = parse(std::string(kGood) + "target.client_id = a\ntarget.client_secret = s3cr3t-value\n");
    EXPECT_FALSE(inline_.problems.empty()) << "an inline target secret is refused";
}

TEST(Config, TargetGrantIsAuthorizationCodeByDefaultClientCredentialsOnRequestAndNothingElse) {
    auto plain = parse(std::string(kGood) + "target.client_id = bc-app\ntarget.client_secret = file:secrets/bc\n");
    ASSERT_TRUE(plain.problems.empty() && plain.config) << problemsText(plain);
    EXPECT_FALSE(plain.config->connections.at(0).target.clientCredentials());
    EXPECT_EQ(plain.config->connections.at(0).target.grant, "authorization_code");
    auto cc = parse(std::string(kGood) + "target.client_id = bc-app\ntarget.client_secret = file:secrets/bc\n"
                                         "target.grant = client_credentials\n");
    ASSERT_TRUE(cc.problems.empty() && cc.config) << problemsText(cc);
    EXPECT_TRUE(cc.config->connections.at(0).target.clientCredentials());
    auto bad = parse(std::string(kGood) + "target.client_id = bc-app\ntarget.client_secret = file:secrets/bc\n"
                                          "target.grant = password\n");
    EXPECT_TRUE(hasProblem(bad, "lb.ini:28: connection.acme.target.grant: 'password' is not a grant the host runs (use "
                                "authorization_code (a person logs in) or client_credentials (service to service))"))
        << problemsText(bad);
    auto orphan = parse(std::string(kGood) + "target.grant = client_credentials\n");
    EXPECT_FALSE(orphan.problems.empty()) << "target.grant without target.client_id is refused";
}

TEST(Config, TargetTokenHostsAreListedAndEachIsCheckedWithItsLine) {
    auto good = parse(std::string(kGood) + "target.client_id = xero-app\ntarget.client_secret = file:secrets/xero\n"
                                           "target.token_hosts = api.xero.com, 127.0.0.1:8443 [::1]:9000\n");
    ASSERT_TRUE(good.problems.empty() && good.config) << problemsText(good);
    EXPECT_EQ(good.config->connections.at(0).target.tokenHosts,
              (std::vector<std::string>{"api.xero.com", "127.0.0.1:8443", "[::1]:9000"}));

    auto bad = parse(std::string(kGood) + "target.client_id = xero-app\ntarget.client_secret = file:secrets/xero\n"
                                          "target.token_hosts = https://api.xero.com/ *.xero.com\n");
    EXPECT_TRUE(hasProblem(bad, "lb.ini:28: connection.acme.target.token_hosts: 'https://api.xero.com/' is not a host or "
                                "host:port (list the target API's hosts, e.g. api.xero.com or 127.0.0.1:8443 (no scheme, "
                                "path or wildcard))"))
        << problemsText(bad);
    EXPECT_TRUE(hasProblem(bad, "lb.ini:28: connection.acme.target.token_hosts: '*.xero.com' is not a host or host:port "
                                "(list the target API's hosts, e.g. api.xero.com or 127.0.0.1:8443 (no scheme, path or "
                                "wildcard))"))
        << problemsText(bad);
    EXPECT_EQ(bad.problems.size(), 2u) << problemsText(bad);
    auto empty = parse(std::string(kGood) + "target.client_id = xero-app\ntarget.client_secret = file:secrets/xero\n"
                                            "target.token_hosts = ,\n");
    EXPECT_TRUE(hasProblem(empty, "lb.ini:28: connection.acme.target.token_hosts: is empty (list the target API's hosts, "
                                  "or remove the key to use the plugin's own)"))
        << problemsText(empty);
}

TEST(Config, ServiceSectionIsCheckedWithLines) {
    auto defaults = parse(kGood);
    ASSERT_TRUE(defaults.problems.empty()) << problemsText(defaults);
    EXPECT_EQ(defaults.config->service.listen, "127.0.0.1:9464");
    EXPECT_EQ(defaults.config->service.gracePeriodSeconds, 30);
    EXPECT_TRUE(defaults.config->service.webhookSecret.empty());

    auto good = parse(std::string(kGood) + "[service]\nlisten = 127.0.0.1:9465\nwebhook_secret = file:secrets/webhook\n"
                                           "grace_period = 2m\n");
    ASSERT_TRUE(good.problems.empty()) << problemsText(good);
    EXPECT_EQ(good.config->service.listen, "127.0.0.1:9465");
    EXPECT_EQ(good.config->service.gracePeriodSeconds, 120);
    EXPECT_EQ(good.config->service.webhookSecret.reference, "file:/etc/lb/secrets/webhook") << "made absolute";
    for (const char* ok : {"[::1]:9464", "localhost:9464", "127.0.0.2:0"})
        EXPECT_TRUE(parse(std::string(kGood) + "[service]\nlisten = " + ok + "\n").problems.empty()) << ok;

    auto bad = parse(std::string(kGood) + "[service]\nlisten = 0.0.0.0:80\nwebhook_secret = whsec_inline\n"
                                          "grace_period = soon\n");
    EXPECT_TRUE(hasProblem(bad, "lb.ini:27: service.listen: '0.0.0.0:80' is not a loopback host:port (the service listens "
                                "on loopback only, e.g. 127.0.0.1:9464 or [::1]:9464; put a TLS reverse proxy in front "
                                "for webhooks)"))
        << problemsText(bad);
    EXPECT_TRUE(hasProblem(bad, "lb.ini:29: service.grace_period: 'soon' is not a duration (write seconds like 30s or "
                                "minutes like 2m (at least 1s))"))
        << problemsText(bad);
    EXPECT_TRUE(hasProblem(bad, "lb.ini:28: service.webhook_secret: holds a secret written inline; secrets are never "
                                "stored in the config file (write env:VARIABLE or file:/path/to/secret (mode 0600) instead)"))
        << problemsText(bad);
    EXPECT_EQ(problemsText(bad).find("whsec_inline"), std::string::npos) << "the inline secret is never repeated";
    for (const char* no : {"127.0.0.1", "127.0.0.1:99999", "127.0.0.256:80", "example.com:9464", "::1:9464"})
        EXPECT_FALSE(parse(std::string(kGood) + "[service]\nlisten = " + no + "\n").problems.empty()) << no;
    for (const char* no : {"0s", "30h", "-5s", "1234567s"})
        EXPECT_FALSE(parse(std::string(kGood) + "[service]\ngrace_period = " + no + "\n").problems.empty()) << no;
}

TEST(Config, ServicePoolAndRunHistoryRetention) {
    auto defaults = parse(kGood);
    ASSERT_TRUE(defaults.problems.empty()) << problemsText(defaults);
    EXPECT_EQ(defaults.config->service.maxConcurrentRuns, 0) << "0: the service picks from the cores";
    EXPECT_EQ(defaults.config->service.missedRunSpreadSeconds, 120);
    EXPECT_EQ(defaults.config->service.historyMaxAgeSeconds, 30LL * 86400);
    EXPECT_EQ(defaults.config->service.historyMaxRuns, 500);

    std::string text = kGood;
    text.insert(text.find("[state]\n") + 8, "history_max_age = 7d\nhistory_max_runs = 0\n");
    auto good = parse(text + "[service]\nmax_concurrent_runs = 16\nmissed_run_spread = 5m\n");
    ASSERT_TRUE(good.problems.empty()) << problemsText(good);
    EXPECT_EQ(good.config->service.maxConcurrentRuns, 16);
    EXPECT_EQ(good.config->service.missedRunSpreadSeconds, 300);
    EXPECT_EQ(good.config->service.historyMaxAgeSeconds, 7 * 86400);
    EXPECT_EQ(good.config->service.historyMaxRuns, 0);

    auto bad = parse(std::string(kGood) + "[service]\nmax_concurrent_runs = 0\nmissed_run_spread = soon\n");
    EXPECT_TRUE(hasProblem(bad, "lb.ini:27: service.max_concurrent_runs: '0' is not a whole number from 1 to 1024 (the "
                                "number of runs executing at once, e.g. 16)"))
        << problemsText(bad);
    EXPECT_TRUE(hasProblem(bad, "lb.ini:28: service.missed_run_spread: 'soon' is not a duration (write it like 90s, 2m, "
                                "12h or 30d (0 turns it off))"))
        << problemsText(bad);
    for (const char* no : {"-1", "1025", "8 threads"})
        EXPECT_FALSE(parse(std::string(kGood) + "[service]\nmax_concurrent_runs = " + no + "\n").problems.empty()) << no;
}

TEST(Config, UnknownSectionsAndKeysAreNamedWithTheKnownOnes) {
    auto r = parse(std::string(kGood) + "[stat]\ndir = x\n[log]\n");
    EXPECT_TRUE(hasProblem(r, "lb.ini:26: [stat]: unknown section (known sections: [state], [log], [plugins], "
                              "[service], [environment.NAME], [connection.NAME])"))
        << problemsText(r);
    std::string text = kGood;
    text.replace(text.find("level = debug"), 13, "lvl = debug");
    r = parse(text);
    EXPECT_TRUE(hasProblem(r, "lb.ini:9: log.lvl: unknown key in [log] (known keys: file, format, level)")) << problemsText(r);
}

TEST(Config, EachConnectionReadsOnlyItsOwnKeysAlsoWhenOneNameIsAPrefixOfAnother) {
    // Keys are read as the section's range of the sorted key map: [connection.acme] must not pick
    // up [connection.acme2]'s keys, and an unknown key is still named.
    auto r = parse(std::string(kGood) + "colour = red\n[connection.acme2]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-"
                                        "2f6b5d7e8a91\nplugin = sie\nsetting.output_dir = other\n");
    ASSERT_EQ(r.problems.size(), 1u) << problemsText(r);
    EXPECT_EQ(r.problems[0].origin.line, 26);
    EXPECT_EQ(r.problems[0].key, "connection.acme.colour");
    EXPECT_EQ(r.problems[0].message, "unknown key in [connection.acme]");
    auto ok = parse(std::string(kGood) + "[connection.acme2]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a91\n"
                                         "plugin = sie\nsetting.output_dir = other\n");
    ASSERT_TRUE(ok.config) << problemsText(ok);
    EXPECT_EQ(ok.config->connection("acme").plugin, "csv");
    EXPECT_EQ(ok.config->connection("acme").settings.size(), 1u);
    EXPECT_EQ(ok.config->connection("acme").settings.at("output_dir").value, "out");
    EXPECT_EQ(ok.config->connection("acme2").plugin, "sie");
    EXPECT_EQ(ok.config->connection("acme2").settings.at("output_dir").value, "other");
}

TEST(Config, NoEnvironmentSelectedSaysHowToSelectOne) {
    auto r = parse("[state]\ndir = x\n");
    ASSERT_EQ(r.problems.size(), 1u) << problemsText(r);
    EXPECT_EQ(r.problems[0].key, "environment");
    EXPECT_EQ(r.problems[0].message, "no environment is selected");
}

TEST(Config, MissingSecretIsReportedWhenSecretsAreChecked) {
    auto r = parseConfig(kGood, "lb.ini", "/nonexistent-dir", {}, {}, true);
    EXPECT_TRUE(hasProblem(r, "lb.ini:15: environment.local.client_secret: environment variable LB_TEST_CLIENT_SECRET is "
                              "not set or empty; export it before running ledgerbridge"))
        << problemsText(r);
}

TEST(Config, UnreadableFileIsOneClearProblem) {
    auto r = loadConfig("/nonexistent/ledgerbridge.ini", {}, {}, false);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].str(), "/nonexistent/ledgerbridge.ini: the configuration file cannot be read (missing or no "
                                   "permission) (pass --config PATH or set LEDGERBRIDGE_CONFIG; examples are in config/)");
    EXPECT_THROW(loadConfigOrThrow("/nonexistent/ledgerbridge.ini", {}, false), ledgerbridge::ConfigError);
}

TEST(Fingerprint, DiffersBetweenStagingAndProductionAndIgnoresCosmetics) {
    auto r = parse(kGood);
    ASSERT_TRUE(r.config);
    const auto& staging = r.config->profiles.at("staging");
    const auto& production = r.config->profiles.at("production");
    std::string company = "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90";
    auto a = environmentFingerprint(staging, company);
    auto b = environmentFingerprint(production, company);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.value.size(), 32u);
    EnvironmentProfile cosmetic = staging;
    cosmetic.authUrl = "HTTPS://AUTH.STAGING.PLEO.IO/";
    EXPECT_EQ(environmentFingerprint(cosmetic, "6D1F3C2A-0B4E-4A8E-9C41-2F6B5D7E8A90"), a);
    EXPECT_NE(environmentFingerprint(staging, company, "tenant-1"), a);
    EXPECT_NE(a.description.find("company 6d1f3c2a"), std::string::npos);
}

// The examples are templates: they load, and the only problems are the values the operator must
// fill in (the Pleo client id and company id), each named with its line.
TEST(Config, ShippedExamplesReportOnlyTheirPlaceholders) {
    const char* src = std::getenv("LEDGERBRIDGE_SOURCE_DIR");
    ASSERT_NE(src, nullptr);
    for (const char* name : {"staging.ini", "production.ini"}) {
        const std::string path = std::string(src) + "/config/" + name;
        auto r = loadConfig(path, {}, {}, false);
        ASSERT_EQ(r.problems.size(), 2u) << name << ":\n" << problemsText(r);
        for (const auto& p : r.problems) EXPECT_NE(p.message.find("placeholder"), std::string::npos) << p.str();
        EXPECT_EQ(r.problems[0].origin.file, path);
    }
    // Filled in through environment overrides (as a deployment might), they are valid.
    const std::map<std::string, std::string> filled = {
        {"LEDGERBRIDGE_ENVIRONMENT_STAGING_CLIENT_ID", "partner-staging"},
        {"LEDGERBRIDGE_ENVIRONMENT_PRODUCTION_CLIENT_ID", "partner-production"},
        {"LEDGERBRIDGE_CONNECTION_ACME_COMPANY_ID", "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90"}};
    auto staging = loadConfig(std::string(src) + "/config/staging.ini", {}, filled, false);
    ASSERT_TRUE(staging.config) << problemsText(staging);
    EXPECT_EQ(staging.config->activeProfile().apiUrl, kStagingApiUrl);
    auto production = loadConfig(std::string(src) + "/config/production.ini", {}, filled, false);
    ASSERT_TRUE(production.config) << problemsText(production);
    EXPECT_EQ(production.config->activeProfile().apiUrl, kProductionApiUrl);
    EXPECT_NE(staging.config->stateDir, production.config->stateDir);
}

// The shapes Config checks by hand (UUID, plugin name, loopback listen address, resolve item),
// at their edges: each candidate replaces one line of the good file.
TEST(Config, ShapesAreCheckedAtTheirEdges) {
    auto with = [](const std::string& line, const std::string& replacement) {
        std::string text = kGood;
        const auto at = text.find(line);
        return parse(text.replace(at, line.size(), replacement));
    };
    auto mentions = [](const LoadResult& r, const std::string& key) {
        return problemsText(r).find(key + ": '") != std::string::npos;
    };
    const std::string company = "company_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90";
    for (const char* ok : {"6D1F3C2A-0B4E-4A8E-9C41-2F6B5D7E8A90", "00000001-0000-0000-0000-000000000000"})
        EXPECT_FALSE(mentions(with(company, std::string("company_id = ") + ok), "connection.acme.company_id")) << ok;
    for (const char* no : {"6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a9", "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a900",
                           "6d1f3c2a0b4e-4a8e-9c41-2f6b5d7e8a90-", "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a9g"})
        EXPECT_TRUE(mentions(with(company, std::string("company_id = ") + no), "connection.acme.company_id")) << no;

    for (const char* ok : {"csv", "0", "my-erp_2", "a123456789012345678901234567890123456789012345678901234567890123"})
        EXPECT_FALSE(mentions(with("plugin = csv", std::string("plugin = ") + ok), "connection.acme.plugin")) << ok;
    for (const char* no : {"-csv", "_csv", "Csv", "c.sv", "a1234567890123456789012345678901234567890123456789012345678901234"})
        EXPECT_TRUE(mentions(with("plugin = csv", std::string("plugin = ") + no), "connection.acme.plugin")) << no;

    for (const char* ok : {"127.0.0.1:1", "127.255.255.255:65535", "127.00.0.1:80"})
        EXPECT_TRUE(parse(std::string(kGood) + "[service]\nlisten = " + ok + "\n").problems.empty()) << ok;
    for (const char* no : {"127.0.0:80", "127.0.0.1.:80", "127.1.2.3.4:80", "127..0.1:80", "127.0.0.1000:80", "1270.0.0.1:80"})
        EXPECT_FALSE(parse(std::string(kGood) + "[service]\nlisten = " + no + "\n").problems.empty()) << no;

    const std::string scopes = "scopes = export:read export:write";
    for (const char* ok : {"auth.staging.pleo.io:443:127.0.0.1", "a-b.c:1:[::1]", "x:65535:fe80::1"})
        EXPECT_FALSE(mentions(with(scopes, scopes + "\nresolve = " + ok), "environment.local.resolve")) << ok;
    for (const char* no : {"auth.pleo.io:443", ":443:127.0.0.1", "auth.pleo.io::127.0.0.1", "auth.pleo.io:123456:127.0.0.1",
                           "auth.pleo.io:443:", "auth_pleo.io:443:127.0.0.1", "auth.pleo.io:44a:127.0.0.1",
                           "auth.pleo.io:443:127.0.0.1/8"})
        EXPECT_TRUE(mentions(with(scopes, scopes + "\nresolve = " + no), "environment.local.resolve")) << no;
}

TEST(Config, TokenTimeoutIsADurationPerEnvironmentWithItsLineWhenWrong) {
    auto r = parse(kGood);
    ASSERT_TRUE(r.config) << problemsText(r);
    EXPECT_EQ(r.config->activeProfile().tokenTimeoutSeconds, 30) << "the default";
    std::string text = kGood;
    text.replace(text.find("scopes = export:read export:write\n"), 34, "scopes = export:read export:write\ntoken_timeout = 2m\n");
    r = parse(text);
    ASSERT_TRUE(r.problems.empty()) << problemsText(r);
    EXPECT_EQ(r.config->activeProfile().tokenTimeoutSeconds, 120);
    for (const auto& [value, problem] : std::vector<std::pair<std::string, std::string>>{
             {"soon", "'soon' is not a duration (write it like 90s, 2m, 12h or 30d)"},
             {"0", "'0' is not a duration (write it like 90s, 2m, 12h or 30d)"},
             {"11m", "'11m' is longer than 10 minutes (a token request that takes longer holds every other process's "
                     "refresh; 30s is the default)"}}) {
        std::string bad = kGood;
        bad.replace(bad.find("scopes = export:read export:write\n"), 34,
                    "scopes = export:read export:write\ntoken_timeout = " + value + "\n");
        r = parse(bad);
        EXPECT_TRUE(hasProblem(r, "lb.ini:17: environment.local.token_timeout: " + problem)) << problemsText(r);
    }
}

// [state] url chooses the PostgreSQL store; its password is a secret reference, never in the URL.
TEST(Config, StateUrlChoosesPostgreSQLWithThePasswordAsASecretReference) {
    const auto withState = [](const std::string& lines) {
        std::string text = kGood;
        const std::string key = "token_key = env:LB_TEST_TOKEN_KEY\n";
        return parse(text.replace(text.find(key), key.size(), key + lines));
    };
    auto sqlite = parse(kGood);
    ASSERT_TRUE(sqlite.problems.empty()) << problemsText(sqlite);
    EXPECT_EQ(sqlite.config->stateUrl, "") << "no url: the SQLite file in [state] dir, as before";

    auto pg = withState("url = postgresql://ledgerbridge@db.internal:5432/ledgerbridge?sslmode=verify-full\n"
                        "password = file:secrets/pg\n");
    ASSERT_TRUE(pg.problems.empty()) << problemsText(pg);
    EXPECT_EQ(pg.config->stateUrl, "postgresql://ledgerbridge@db.internal:5432/ledgerbridge?sslmode=verify-full");
    EXPECT_EQ(pg.config->statePassword.reference, "file:/etc/lb/secrets/pg");

    auto inUrl = withState("url = postgresql://ledgerbridge:s3cret-pw@db/ledgerbridge\n");
    EXPECT_TRUE(hasProblem(inUrl, "lb.ini:7: state.url: holds a password; secrets are never stored in the config file "
                                  "(remove it from the URL and add password = env:VARIABLE or file:/path under [state])"))
        << problemsText(inUrl);
    EXPECT_EQ(problemsText(inUrl).find("s3cret-pw"), std::string::npos) << "the password is never repeated";

    auto inline_ = withState("url = postgresql://ledgerbridge@db/ledgerbridge\npassword = s3cret-pw\n");
    EXPECT_TRUE(hasProblem(inline_, "lb.ini:8: state.password: holds a secret written inline; secrets are never stored in "
                                    "the config file (write env:VARIABLE or file:/path/to/secret (mode 0600) instead)"))
        << problemsText(inline_);

    auto notPg = withState("url = mysql://ledgerbridge@db/ledgerbridge\n");
    EXPECT_TRUE(hasProblem(notPg, "lb.ini:7: state.url: is not a PostgreSQL URL (write postgresql://user@host:5432/database, "
                                  "or remove it to keep the state in [state] dir (SQLite))"))
        << problemsText(notPg);
    auto orphan = withState("password = env:PGPASS\n");
    EXPECT_TRUE(hasProblem(orphan, "lb.ini:7: state.password: is set but [state] url is not (add url = "
                                   "postgresql://user@host:5432/database under [state], or remove password)"))
        << problemsText(orphan);
}
