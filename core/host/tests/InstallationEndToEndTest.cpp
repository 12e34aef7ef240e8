// The installation's lifecycle end to end, over HTTPS against the simulator: a real `auth
// login` (Pleo creates the installation as AUTHORIZED), a master-data sync by a test double
// (the SDK's master-data capability is issue 15) → PENDING_INTEGRATION → ACTIVATED, `auth
// status` showing it, a target authorisation failure → ERROR/AUTH_ERROR and back, and `auth
// disconnect` deleting it, after which Pleo refuses the connection's old tokens.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "SimHarness.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/host/InstallationLifecycle.h"
#include "ledgerbridge/host/PleoConnection.h"
#include "ledgerbridge/pleo/InstallationsClient.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;
namespace sim = ledgerbridge::oauth::simtest;

namespace {

const std::string kSecret = "install-e2e-secret-Hq27";

class InstallationE2E : public ::testing::Test {
protected:
    void SetUp() override {
        redirect_ = "http://127.0.0.1:" + std::to_string(sim::freePort()) + "/callback";
        sim_ = std::make_unique<sim::Simulator>(redirect_, kSecret, std::vector<std::string>{"--auto-approve"});
        companyId_ = sim_->admin("GET", "/admin/companies")->getArray("data")->getObject(0)->getValue<std::string>("id");
        inst_ = std::make_unique<sim::Installation>(
            *sim_, redirect_, kSecret, companyId_,
            "export-jobs:read export-jobs:write export-items:read installations:read installations:write");
        sim::LiveProcess login(sim::binary("ledgerbridge"),
                               {"--config", inst_->configPath(), "auth", "login", "--connection", "acme", "--no-browser"});
        std::string line = login.readLineContaining("/oauth/authorize?");
        std::string url = line.substr(line.find("https://"));
        while (!url.empty() && (url.back() == ' ' || url.back() == '\r')) url.pop_back();
        auto browser = sim::browserTransport(sim_->caFile());
        sim::driveBrowser(*browser, url, false, true, true);
        auto done = login.finish();
        ASSERT_EQ(done.exitCode, 0) << done.err;
    }

    /// The installation as the simulator's admin API shows it: "status[/errorCode]", or "none".
    std::string pleoSays() {
        auto data = sim_->admin("GET", "/admin/installations")->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i) {
            auto o = data->getObject(static_cast<unsigned>(i));
            if (o->getValue<std::string>("companyId") != companyId_) continue;
            std::string code = o->optValue<std::string>("errorCode", "");
            return o->getValue<std::string>("status") + (code.empty() ? "" : "/" + code);
        }
        return "none";
    }

    sim::ProcessResult cli(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), {"--config", inst_->configPath()});
        return sim::run(sim::binary("ledgerbridge"), args, {}, input);
    }

    std::string redirect_, companyId_;
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<sim::Installation> inst_;
};

/// The test double for issue 15's sync: records what the installation looked like while it
/// ran, and can fail like an ERP that cannot be read.
class RecordingWriter : public host::MasterDataWriter {
public:
    explicit RecordingWriter(std::function<std::string()> pleoSays, bool fail = false) : pleoSays_(std::move(pleoSays)), fail_(fail) {}
    void write(pleo::PleoApi& api, const std::string& companyId) override {
        seenDuring = pleoSays_();
        ++calls;
        EXPECT_GT(api.requestCount(), 0) << "the writer gets the connection's client, already used for the installation";
        EXPECT_FALSE(companyId.empty());
        if (fail_) throw NetworkError("the ERP's chart of accounts could not be read (test double)");
    }
    std::string seenDuring;
    int calls = 0;

private:
    std::function<std::string()> pleoSays_;
    bool fail_;
};

}  // namespace

TEST_F(InstallationE2E, LoginSyncActivateStatusAuthErrorDisconnect) {
    EXPECT_EQ(pleoSays(), "AUTHORIZED") << "Pleo creates the installation when the company consents";

    config::Config cfg = inst_->loadConfig();
    store::StateStore store(cfg.stateDir);
    std::string oldAccessToken;
    {
        host::PleoConnection conn(cfg, "acme", store);
        oldAccessToken = conn.auth().tokens().accessToken();

        // A sync whose ERP read fails: Pleo hears we are integrating, nothing is activated.
        RecordingWriter failing([this] { return pleoSays(); }, /*fail=*/true);
        EXPECT_THROW(host::syncMasterDataAndActivate(conn.api(), conn.connection(), failing), NetworkError);
        EXPECT_EQ(failing.seenDuring, "PENDING_INTEGRATION");
        EXPECT_EQ(pleoSays(), "PENDING_INTEGRATION");

        // The first successful sync activates.
        RecordingWriter writer([this] { return pleoSays(); });
        EXPECT_EQ(host::syncMasterDataAndActivate(conn.api(), conn.connection(), writer), "ACTIVATED");
        EXPECT_EQ(writer.calls, 1);
        EXPECT_EQ(pleoSays(), "ACTIVATED");
    }

    auto status = cli({"auth", "status", "--connection", "acme"});
    EXPECT_EQ(status.exitCode, 0) << status.out << status.err;
    EXPECT_NE(status.out.find("installation: ACTIVATED"), std::string::npos) << status.out;
    auto local = cli({"auth", "status", "--connection", "acme", "--local"});
    EXPECT_EQ(local.out.find("installation:"), std::string::npos) << "--local does not ask Pleo: " << local.out;

    {
        // The ERP refuses our credential: Pleo is told, best effort; the next good sync recovers.
        host::PleoConnection conn(cfg, "acme", store);
        EXPECT_TRUE(host::reportTargetAuthFailure(conn.api(), "acme", "Xero said invalid_grant"));
        EXPECT_EQ(pleoSays(), "ERROR/AUTH_ERROR");
        auto shown = cli({"auth", "status", "--connection", "acme", "--json"});
        EXPECT_NE(shown.out.find("\"installation\": \"ERROR (AUTH_ERROR)\""), std::string::npos) << shown.out;
        RecordingWriter writer([this] { return pleoSays(); });
        EXPECT_EQ(host::syncMasterDataAndActivate(conn.api(), conn.connection(), writer), "ACTIVATED");
        EXPECT_EQ(writer.seenDuring, "PENDING_INTEGRATION");
    }

    // Disconnect asks first; a wrong answer changes nothing.
    auto refused = cli({"auth", "disconnect", "--connection", "acme"}, "no\n");
    EXPECT_EQ(refused.exitCode, 2) << refused.out << refused.err;
    EXPECT_NE(refused.out.find("Not confirmed; nothing was changed."), std::string::npos) << refused.out;
    EXPECT_EQ(pleoSays(), "ACTIVATED");

    auto confirmed = cli({"auth", "disconnect", "--connection", "acme"}, "acme\n");
    EXPECT_EQ(confirmed.exitCode, 0) << confirmed.out << confirmed.err;
    EXPECT_NE(confirmed.out.find("Pleo deleted its installation and revoked its tokens; the local grant is forgotten."),
              std::string::npos)
        << confirmed.out;
    EXPECT_EQ(pleoSays(), "none");

    // Pleo refuses the old access token; locally the connection needs a new login.
    auto browser = sim::browserTransport(sim_->caFile());
    oauth::HttpRequest probe;
    probe.url = sim_->baseUrl() + "/v1/installations/me";
    probe.headers = {{"Authorization", "Bearer " + oldAccessToken}};
    EXPECT_EQ(browser->send(probe).status, 401);
    auto after = cli({"auth", "status", "--connection", "acme"});
    EXPECT_EQ(after.exitCode, 4) << after.out;
    EXPECT_NE(after.out.find("acme (sim): not authorised"), std::string::npos) << after.out;

    // A second disconnect (scripted) has no credential left to ask Pleo with, and says so.
    auto again = cli({"auth", "disconnect", "--connection", "acme", "--yes"});
    EXPECT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.out.find("has no stored grant in environment 'sim'; nothing to disconnect"), std::string::npos)
        << again.out;
    for (const std::string& out : {status.out, status.err, confirmed.out, confirmed.err, after.out})
        EXPECT_EQ(out.find(oldAccessToken), std::string::npos) << "no token in any output";
}

// A run whose target grant is missing (the ERP side cannot authorise) stops with exit code 4 and
// the command that fixes it, as before; Pleo is also told: ERROR with AUTH_ERROR.
TEST_F(InstallationE2E, ATargetAuthorisationFailureSetsTheInstallationToAuthError) {
    const std::string sim = sim_->baseUrl();
    std::string config;
    {
        std::ifstream in(inst_->configPath());
        config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string header = "[connection.acme]\n";
    auto at = config.find(header);
    ASSERT_NE(at, std::string::npos);
    config.insert(at + header.size(), "target.client_id = ledgerbridge-demo\ntarget.client_secret = file:client-secret\n"
                                      "target.authorize_url = " + sim + "/oauth/authorize\ntarget.token_url = " + sim +
                                          "/oauth/token\ntarget.scopes = export-jobs:read\ntarget.ca_file = " + sim_->caFile() +
                                          "\n");
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    std::ofstream(inst_->configPath(), std::ios::trunc)
        << config << "setting.output_dir = exports\n[plugins]\ndir = " << (bin ? bin : ".") << "/lib/ledgerbridge/plugins\n";

    auto refused = cli({"run"});
    EXPECT_EQ(refused.exitCode, 4) << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("auth login --connection acme --target"), std::string::npos)
        << "the original error is the one reported: " << refused.out << refused.err;
    EXPECT_EQ(pleoSays(), "ERROR/AUTH_ERROR");
}
