// Files and values that are obviously not a configuration yet: a byte order mark, a byte that is
// not UTF-8, a directory, an empty file, placeholders copied from an example, misspelt keys and
// LEDGERBRIDGE_* variables, and plain HTTP outside loopback. Each gets one clear problem (or
// warning) with its place; each exact text is asserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "MinimalConfig.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Suggest.h"

using namespace ledgerbridge::config;

namespace {

const char* const kLocal = test::kMinimalLocal;

LoadResult parse(const std::string& text, std::map<std::string, std::string> env = {}) {
    return parseConfig(text, "lb.ini", "/etc/lb", {}, env, false);
}

std::vector<std::string> texts(const std::vector<Problem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems) out.push_back(p.str());
    return out;
}

std::string replaced(std::string text, const std::string& what, const std::string& with) {
    return text.replace(text.find(what), what.size(), with);
}

/// A scratch directory removed at the end of the test.
struct Scratch {
    std::filesystem::path dir;
    Scratch() {
        std::string t = (std::filesystem::temp_directory_path() / "lb-cfg-XXXXXX").string();
        dir = ::mkdtemp(t.data());
    }
    ~Scratch() { std::filesystem::remove_all(dir); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name, std::ios::binary) << text;
        return (dir / name).string();
    }
};

}  // namespace

// Accepted: a BOM carries no meaning in UTF-8 and Notepad writes one; refusing it would make the
// operator fight the editor for nothing. The first key must still be read as "environment".
TEST(FailEarly, ByteOrderMarkIsSkipped) {
    auto r = parse("\xEF\xBB\xBF" + std::string(kLocal));
    ASSERT_TRUE(r.config) << texts(r.problems).front();
    EXPECT_EQ(r.config->environment, "local");
    EXPECT_EQ(r.config->environmentOrigin.str(), "lb.ini:1");
}

TEST(FailEarly, ByteThatIsNotUtf8IsNamedWithLineAndColumn) {
    // "Malmö" in Latin-1: ö is the single byte 0xF6, column 20 of line 13.
    auto r = parse(std::string(kLocal) + "setting.city = Malm\xF6\n");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].origin.str(), "lb.ini:13:20");
    EXPECT_EQ(r.problems[0].message, "byte 0xF6 is not UTF-8; the line is ignored");
    // Valid multi-byte text, and the edges of the encoding.
    EXPECT_TRUE(parse(std::string(kLocal) + "setting.city = Malm\xC3\xB6 \xE2\x82\xAC \xF0\x9F\x98\x80\n").problems.empty());
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80"})
        EXPECT_EQ(parse(std::string(kLocal) + "setting.x = " + bad + "\n").problems.size(), 1u) << bad;
    // The column counts bytes of the file, so a BOM shifts line 1.
    auto first = parse("\xEF\xBB\xBFx\xFF = 1\n");
    ASSERT_FALSE(first.problems.empty());
    EXPECT_EQ(first.problems[0].origin.str(), "lb.ini:1:5");
}

TEST(FailEarly, DirectoryAndEmptyFileAreOneClearProblemEach) {
    Scratch s;
    auto dir = loadConfig(s.dir.string(), {}, {}, false);
    ASSERT_EQ(dir.problems.size(), 1u);
    EXPECT_EQ(dir.problems[0].str(), s.dir.string() + ": is a directory, not a configuration file (pass the .ini file "
                                     "itself, e.g. --config " + (s.dir / "ledgerbridge.ini").string() + ")");
    for (const char* empty : {"", "\n  \n\t\r\n"}) {
        const std::string path = s.write("empty.ini", empty);
        auto r = loadConfig(path, {}, {}, false);
        ASSERT_EQ(r.problems.size(), 1u);
        EXPECT_EQ(r.problems[0].str(),
                  path + ": is empty (start from an example in config/ (staging.ini, production.ini, demo.ini))");
    }
}

TEST(FailEarly, PlaceholdersAreRefusedWithTheirLine) {
    auto r = parse(replaced(replaced(replaced(kLocal, "client_id = ledgerbridge-demo", "client_id = CHANGE_ME"),
                                     "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90", "00000000-0000-0000-0000-000000000000"),
                            "plugin = csv", "plugin = csv\nsetting.tenant_id = <your tenant>"));
    EXPECT_EQ(texts(r.problems),
              (std::vector<std::string>{
                  "lb.ini:13: connection.acme.setting.tenant_id: '<your tenant>' is a placeholder from an example "
                  "(replace it with the real value)",
                  "lb.ini:8: environment.local.client_id: 'CHANGE_ME' is a placeholder from an example (replace it "
                  "with the real value)",
                  "lb.ini:11: connection.acme.company_id: '00000000-0000-0000-0000-000000000000' is a placeholder "
                  "company id (put the Pleo company's id here (Pleo's web app, Settings, or the simulator's "
                  "--companies output))"}));
    for (const char* p : {"REPLACE-WITH-YOUR-STAGING-CLIENT-ID", "changeme", "<client id>", "replace_me"})
        EXPECT_TRUE(isPlaceholder(p)) << p;
    for (const char* p : {"ledgerbridge-demo", "<", "a<b>", "exchange_media"}) EXPECT_FALSE(isPlaceholder(p)) << p;
}

TEST(FailEarly, UnknownKeysNameTheClosestKnownOne) {
    auto r = parse(replaced(kLocal, "plugin = csv", "plugin = csv\nschedlue = every 15m"));
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].message, "unknown key in [connection.acme] (did you mean 'schedule'?)");
    auto state = parse(replaced(kLocal, "[state]\n", "[state]\ndri = /var/lib/lb\n"));
    ASSERT_EQ(state.problems.size(), 1u);
    EXPECT_EQ(state.problems[0].message, "unknown key in [state] (did you mean 'dir'?)");
    EXPECT_EQ(closestMatch("ouptut_dir", {"output_dir", "delimiter"}), "output_dir");
    EXPECT_EQ(closestMatch("colour", {"output_dir", "delimiter"}), "");
}

TEST(FailEarly, UnknownLedgerbridgeVariablesAreWarningsNamingTheClosestKey) {
    auto r = parse(kLocal, {{"LEDGERBRIDGE_STATE_DRI", "/srv/state"},
                            {"LEDGERBRIDGE_CONNECTION_ACME_PLUGN", "sie"},
                            {"LEDGERBRIDGE_CONFIG", "/etc/lb.ini"},
                            {"LEDGERBRIDGE_STATE_DIR", "/srv/state"},
                            {"LEDGERBRIDGE_ZZZ", "1"},
                            {"LEDGERBRIDGE_BINARY_DIR", "/build"},
                            {"LEDGERBRIDGE_SERVICE_X", "x"},
                            {"LEDGERBRIDGE_CONNECTION_BETA_PLUGIN", "csv"},
                            {"OTHER_STATE_DRI", "x"}});
    ASSERT_TRUE(r.config);
    EXPECT_EQ(r.config->stateDir, "/srv/state");
    EXPECT_EQ(texts(r.warnings),
              (std::vector<std::string>{
                  "environment variable LEDGERBRIDGE_CONNECTION_ACME_PLUGN: overrides no key of lb.ini; it is ignored "
                  "(did you mean LEDGERBRIDGE_CONNECTION_ACME_PLUGIN?)",
                  "environment variable LEDGERBRIDGE_CONNECTION_BETA_PLUGIN: overrides no key of lb.ini; it is ignored "
                  "(did you mean LEDGERBRIDGE_CONNECTION_ACME_PLUGIN?)",
                  "environment variable LEDGERBRIDGE_SERVICE_X: overrides no key of lb.ini; it is ignored (an override "
                  "is LEDGERBRIDGE_ + the key in upper case with '_' for every other character, e.g. "
                  "LEDGERBRIDGE_STATE_DIR, and only for a section the file has)",
                  "environment variable LEDGERBRIDGE_STATE_DRI: overrides no key of lb.ini; it is ignored (did you "
                  "mean LEDGERBRIDGE_STATE_DIR?)"}))
        << "LEDGERBRIDGE_ZZZ and LEDGERBRIDGE_BINARY_DIR do not look like overrides (tools use the prefix too)";
}

TEST(FailEarly, AllowHttpOnlyForLoopbackHosts) {
    auto withHttp = [](const std::string& host) {
        std::string t = replaced(kLocal, "auth_url = https://127.0.0.1:8443", "auth_url = http://" + host + ":8443");
        t = replaced(t, "api_url = https://127.0.0.1:8443", "api_url = http://" + host + ":8443\nallow_http = true");
        return parse(t);
    };
    for (const char* ok : {"127.0.0.1", "127.1.2.3", "localhost", "[::1]"})
        EXPECT_TRUE(withHttp(ok).problems.empty()) << ok << ": " << texts(withHttp(ok).problems).front();
    for (const char* no : {"10.0.0.5", "sim.example.com", "128.0.0.1", "127.0.0.1.nip.io"}) {
        auto r = withHttp(no);
        ASSERT_EQ(r.problems.size(), 1u) << no;
        EXPECT_EQ(r.problems[0].str(), "lb.ini:8: environment.local.allow_http: is accepted only for loopback hosts, "
                                       "but http://" + std::string(no) + ":8443 is on '" + no +
                                       "' (remove allow_http and use https://; plain HTTP is for a simulator on "
                                       "127.0.0.1, ::1 or localhost)");
    }
    // https endpoints elsewhere with the flag on: refused too (the flag also opens plain HTTP to
    // the plugin's target).
    auto https = parse(replaced(replaced(replaced(kLocal, "https://127.0.0.1:8443", "https://sim.example.com"),
                                         "https://127.0.0.1:8443", "https://sim.example.com"),
                                "client_secret = env:LB_TEST_CLIENT_SECRET", "client_secret = env:X\nallow_http = true"));
    ASSERT_EQ(https.problems.size(), 1u);
    EXPECT_EQ(https.problems[0].key, "environment.local.allow_http");
}
