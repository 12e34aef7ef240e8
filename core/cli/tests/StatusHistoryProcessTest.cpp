// `ledgerbridge status` and `history` as real processes on a real state store: runs that never
// started (plugin missing, another process holding the run lease) are recorded and shown with
// why, `history show` prints one run and refuses an unknown id, `history --connection` refuses a
// name that is neither configured nor in the history, and `status` (text and JSON) names what
// needs a person with the command that fixes it — without a service running.
// GCC 12 at -O1 and above (the Asan build) reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function (GCC bug 105562); the pragma must precede the include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "CliTestSupport.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/StateStore.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {

const char* kCompany = "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90";

struct ProcessResult {
    int code;
    std::string output;  ///< stdout only
};

/// Runs the real binary; stderr goes to `errFile` (read with errors()).
class Cli {
public:
    explicit Cli(fs::path dir) : dir_(std::move(dir)) {}
    ProcessResult operator()(const std::string& args) const {
        const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
        const std::string cmd = std::string(bin ? bin : ".") + "/bin/ledgerbridge --config " +
                                (dir_ / "ledgerbridge.ini").string() + " " + args + " 2>" + (dir_ / "stderr").string();
        FILE* p = ::popen(cmd.c_str(), "r");
        std::string out;
        std::array<char, 4096> buf{};
        while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
        const int status = ::pclose(p);
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
    }
    std::string errors() const {
        std::ifstream in(dir_ / "stderr");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    fs::path dir_;
};

class StatusHistory : public ::testing::Test {
protected:
    void SetUp() override {
        clitest::makeInstallation("lb-status", dir);
        ::setenv("LB_STATUS_TEST_SECRET", "status-test-secret-value", 1);
        ::setenv("LB_STATUS_TEST_TOKEN_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);  // 32 bytes, base64
    }
    void TearDown() override { fs::remove_all(dir); }
    void writeConfig(const std::string& pluginDir) {
        std::ofstream(dir / "ledgerbridge.ini")
            << "environment = local\n[state]\ndir = state\ntoken_key = env:LB_STATUS_TEST_TOKEN_KEY\n"
            << "[log]\nformat = json\n[plugins]\ndir = " << pluginDir << "\n"
            << "[environment.local]\nauth_url = https://127.0.0.1:9\napi_url = https://127.0.0.1:9\n"
               "client_id = demo\nclient_secret = env:LB_STATUS_TEST_SECRET\n"
            << "[connection.acme]\ncompany_id = " << kCompany
            << "\nplugin = csv\nschedule = every 15m\nsetting.output_dir = out\n"
            << "[connection.beta]\ncompany_id = 7d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a91\nplugin = csv\n"
               "credential = api_key\napi_key = env:LB_STATUS_TEST_SECRET\nsetting.output_dir = out\n";
    }
    Poco::JSON::Object::Ptr json(const std::string& text) {
        return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    }
    fs::path dir;
};

}  // namespace

TEST_F(StatusHistory, ARunWhosePluginIsMissingIsRecordedShownAndNamedInStatus) {
    writeConfig("empty-plugins");
    fs::create_directories(dir / "empty-plugins");
    Cli cli(dir);
    auto r = cli("run --connection acme");
    EXPECT_EQ(r.code, 5) << cli.errors();

    r = cli("history");
    ASSERT_EQ(r.code, 0) << cli.errors();
    std::smatch m;
    EXPECT_NE(r.output.find("POSTED  ALREADY  REJECTED  OUTCOME"), std::string::npos) << r.output;
    ASSERT_TRUE(std::regex_search(r.output, m, std::regex("(run-[0-9]+-[0-9a-f]+) +acme .* 0 +0 +0 +plugin_failure \\(did not start\\)")))
        << r.output;
    const std::string run = m[1].str();

    r = cli("history show " + run);
    ASSERT_EQ(r.code, 0) << cli.errors();
    EXPECT_NE(r.output.find("Run " + run + " of acme"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not started, plugin_failure"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("error: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("csv"), std::string::npos) << "the error names the plugin: " << r.output;

    r = cli("history show " + run + " --json");
    ASSERT_EQ(r.code, 0);
    const auto row = json(r.output);
    EXPECT_EQ(row->getValue<std::string>("outcome"), "plugin_failure");
    EXPECT_FALSE(row->getObject("report")->getValue<bool>("started")) << r.output;

    // Refusals: an unknown run id, a missing id, an unknown connection (exit 2, one clear line).
    r = cli("history show run-1-ffff");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(cli.errors().find("no run 'run-1-ffff' in the history of"), std::string::npos) << cli.errors();
    r = cli("history show");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(cli.errors().find("history show takes one run id"), std::string::npos) << cli.errors();
    r = cli("history --connection acmee");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(cli.errors().find("no connection 'acmee' in "), std::string::npos) << cli.errors();
    EXPECT_NE(cli.errors().find("configured: acme, beta"), std::string::npos) << cli.errors();
    EXPECT_EQ(cli("history --connection acme").code, 0);

    // status: one screen, no service, every connection, what needs a person and the fix.
    r = cli("status");
    ASSERT_EQ(r.code, 0) << cli.errors();
    EXPECT_NE(r.output.find("CONNECTION"), std::string::npos) << r.output;
    EXPECT_TRUE(std::regex_search(r.output, std::regex("\nacme +NOT LOGGED IN +not synced yet +every 15m, next [0-9-]+ [0-9:]+ UTC +[0-9-]+ [0-9:]+ UTC plugin_failure \\(did not start\\)")))
        << r.output;
    EXPECT_TRUE(std::regex_search(r.output, std::regex("\nbeta +API key +- +webhooks only +never\n"))) << r.output;
    EXPECT_NE(r.output.find("fix: ledgerbridge auth login --connection acme"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("fix: ledgerbridge plugins list (then ledgerbridge history show " + run + ")"), std::string::npos)
        << r.output;

    r = cli("status --json");
    ASSERT_EQ(r.code, 0) << cli.errors();
    const auto status = json(r.output);
    EXPECT_EQ(status->getValue<int>("attention"), 2) << r.output;
    const auto connections = status->getArray("connections");
    ASSERT_EQ(connections->size(), 2u);
    const auto acme = connections->getObject(0);
    EXPECT_EQ(acme->getValue<std::string>("connection"), "acme");
    EXPECT_EQ(acme->getObject("grant")->getValue<std::string>("state"), "not_logged_in");
    EXPECT_TRUE(acme->getValue<bool>("needsReauth"));
    EXPECT_EQ(acme->getObject("lastRun")->getValue<std::string>("id"), run);
    EXPECT_FALSE(acme->getObject("lastRun")->getValue<bool>("started"));
    EXPECT_TRUE(std::regex_match(acme->getValue<std::string>("nextRunAt"), std::regex("20[0-9-]+T[0-9:]+Z")));
    const auto reasons = acme->getArray("attention");
    ASSERT_EQ(reasons->size(), 2u) << r.output;
    EXPECT_EQ(reasons->getObject(0)->getValue<std::string>("reason"), "needs_reauth");
    EXPECT_EQ(reasons->getObject(1)->getValue<std::string>("reason"), "last_run_failed");
    const auto beta = connections->getObject(1);
    EXPECT_EQ(beta->getObject("grant")->getValue<std::string>("state"), "api_key");
    EXPECT_TRUE(beta->get("lastRun").isEmpty());
    EXPECT_EQ(beta->getArray("attention")->size(), 0u);
    EXPECT_EQ(r.output.find("status-test-secret-value"), std::string::npos) << "no secret in the output";

    r = cli("status --connection nope");
    EXPECT_EQ(r.code, 2);
}

TEST_F(StatusHistory, ARunRefusedBecauseAnotherProcessHoldsTheConnectionIsRecordedAsNotStarted) {
    writeConfig("plugins");
    Cli cli(dir);
    ASSERT_EQ(cli("history").code, 0) << cli.errors();  // creates the store
    // Another process (this test) runs the same company: it holds the engine's lease.
    auto loaded = config::loadConfigOrThrow((dir / "ledgerbridge.ini").string(), {}, false);
    const std::string fp = config::environmentFingerprint(loaded.activeProfile(), kCompany).value;
    store::StateStore st(loaded.stateDir);
    ASSERT_TRUE(store::Leases(st).tryAcquire("run:" + fp, 60'000));
    auto r = cli("run --connection acme");
    EXPECT_EQ(r.code, 7) << cli.errors();
    r = cli("history --connection acme --json");
    ASSERT_EQ(r.code, 0);
    const auto rows = Poco::JSON::Parser().parse(r.output).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(rows->size(), 1u) << r.output;
    const auto row = rows->getObject(0);
    EXPECT_EQ(row->getValue<std::string>("outcome"), "busy");
    EXPECT_FALSE(row->getObject("report")->getValue<bool>("started"));
    EXPECT_NE(row->getObject("report")->getValue<std::string>("error").find("another"), std::string::npos) << r.output;
    store::Leases(st).release("run:" + fp);
}
