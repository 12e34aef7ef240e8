// The installation's lifecycle end to end, over HTTPS against the simulator: a real `auth
// login` (Pleo creates the installation as AUTHORIZED), a master-data sync by a test double
// that writes tax codes, accounts, tags and vendors into the simulator with core/pleo's clients
// (the SDK's master-data capability is issue 15) → PENDING_INTEGRATION → ACTIVATED, `auth
// status` showing it, a target authorisation failure → ERROR/AUTH_ERROR and back, and `auth
// disconnect` deleting it, after which Pleo refuses the connection's old tokens.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "SimHarness.h"
#include "ledgerbridge/testsupport/Simulator.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/host/InstallationLifecycle.h"
#include "ledgerbridge/host/PleoConnection.h"
#include "ledgerbridge/pleo/AccountingEntriesClient.h"
#include "ledgerbridge/pleo/ChartOfAccountsClient.h"
#include "ledgerbridge/pleo/InstallationsClient.h"
#include "ledgerbridge/pleo/TagsClient.h"
#include "ledgerbridge/pleo/TaxCodesClient.h"
#include "ledgerbridge/pleo/VendorsClient.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;
namespace sim = ledgerbridge::oauth::simtest;

namespace {

const std::string kSecret = "install-e2e-secret-Hq27";

class InstallationE2E : public ::testing::Test {
protected:
    void SetUp() override {
        redirect_ = "http://127.0.0.1:" + std::to_string(sim::freePort()) + "/callback";
        std::vector<std::string> args{"--auto-approve"};
        // Every request the host sends is checked against the reference files when they are here.
        if (!testsupport::pleoOpenApiDir().empty()) args.insert(args.end(), {"--validate-requests", testsupport::pleoOpenApiDir()});
        sim_ = std::make_unique<sim::Simulator>(redirect_, kSecret, args);
        companyId_ = sim_->admin("GET", "/admin/companies")->getArray("data")->getObject(0)->getValue<std::string>("id");
        inst_ = std::make_unique<sim::Installation>(*sim_, redirect_, kSecret, companyId_, sim::kIntegrationScopes);
        auto done = sim::loginAutoApproved(*sim_, *inst_, "acme");
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

    /// Zero request violations, and how many requests of each installation operation were checked.
    void expectNoRequestViolations(const std::vector<std::string>& operations) {
        if (testsupport::pleoOpenApiDir().empty()) return;
        auto audit = sim_->admin("GET", "/admin/request-violations");
        EXPECT_EQ(audit->getValue<Poco::UInt64>("count"), 0u) << [&] {
            std::ostringstream os;
            audit->stringify(os, 2);
            return os.str();
        }();
        EXPECT_GT(audit->getValue<Poco::UInt64>("validated"), 0u);
        auto ops = audit->getObject("operations");
        for (const auto& op : operations) EXPECT_TRUE(ops->has(op)) << "no request of " << op << " was validated";
        std::ostringstream shown;
        ops->stringify(shown);
        std::cout << "request validation: " << audit->getValue<Poco::UInt64>("validated") << " requests, "
                  << audit->getValue<Poco::UInt64>("count") << " violations; per operation " << shown.str() << "\n";
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

/// The test double for issue 15's sync that writes an ERP's master data into the simulator with
/// core/pleo's clients: a tax code, an account, a dimension with one value, a supplier (then
/// archived), each read back by search.
class SimulatorMasterDataWriter : public host::MasterDataWriter {
public:
    void write(pleo::PleoApi& api, const std::string& companyId) override {
        pleo::TaxCodesClient taxCodes(api);
        taxCodes.create(companyId, {"ERP standard 25%", "0.25", "inclusive", "ERP25", "", "", false});
        pleo::ChartOfAccountsClient accounts(api);
        accounts.create(companyId, {"ERP-6100", "Travel (ERP)", "6100", "", false});
        pleo::TagsClient tags(api);
        pleo::TagGroup group = tags.createGroup(companyId, "ERPDEPT", "Department (ERP)");
        tags.createTag(group.id, "SALES", "Sales");
        pleo::VendorsClient vendors(api);
        pleo::VendorInput supplier;
        supplier.name = "ACME ApS";
        supplier.defaultCurrency = "DKK";
        supplier.externalId = "ERP-S-1";
        supplier.country = "DK";
        pleo::Vendor written = vendors.create(companyId, supplier);
        supplier.name = "ACME Old ApS";
        supplier.externalId = "ERP-S-2";
        EXPECT_TRUE(vendors.archive(vendors.create(companyId, supplier).id));

        // Read back through the same clients, by the ERP's own keys.
        auto has = [](const auto& list, auto pred) { return std::any_of(list.begin(), list.end(), pred); };
        EXPECT_TRUE(has(taxCodes.search(companyId), [](const pleo::TaxCode& t) { return t.code == "ERP25" && t.rate == "0.25"; }));
        EXPECT_TRUE(has(accounts.search(companyId), [](const pleo::Account& a) { return a.externalId == "ERP-6100"; }));
        EXPECT_TRUE(has(tags.tags(group.id), [](const pleo::Tag& t) { return t.code == "SALES"; }));
        auto active = vendors.search(companyId, {"ACTIVE"});
        EXPECT_TRUE(has(active, [&](const pleo::Vendor& v) { return v.id == written.id && v.externalId == "ERP-S-1"; }));
        EXPECT_FALSE(has(active, [](const pleo::Vendor& v) { return v.externalId == "ERP-S-2"; })) << "archived";
        ++calls;
    }
    int calls = 0;
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

        // The first successful sync writes master data into Pleo, then activates.
        SimulatorMasterDataWriter writer;
        EXPECT_EQ(host::syncMasterDataAndActivate(conn.api(), conn.connection(), writer), "ACTIVATED");
        EXPECT_EQ(writer.calls, 1);
        EXPECT_EQ(pleoSays(), "ACTIVATED");
    }
    // What Pleo holds now, as its admin view shows it.
    auto md = sim_->admin("GET", "/admin/companies/" + companyId_ + "/master-data");
    auto holds = [&](const std::string& kind, const std::string& field, const std::string& value) {
        auto arr = md->getArray(kind);
        for (std::size_t i = 0; arr && i < arr->size(); ++i)
            if (arr->getObject(static_cast<unsigned>(i))->optValue<std::string>(field, "") == value) return true;
        return false;
    };
    EXPECT_TRUE(holds("taxCodes", "code", "ERP25"));
    EXPECT_TRUE(holds("accounts", "externalId", "ERP-6100"));
    EXPECT_TRUE(holds("tagGroups", "code", "ERPDEPT"));
    EXPECT_TRUE(holds("tags", "code", "SALES"));
    EXPECT_TRUE(holds("vendors", "externalId", "ERP-S-1"));

    {
        // Once activated, entries reviewers approve are found ready to export (automatic exports).
        sim_->admin("POST", "/admin/companies/" + companyId_ + "/entries", R"({"reviewStatus":"OK","count":7})");
        host::PleoConnection conn(cfg, "acme", store);
        pleo::AccountingEntrySearch ready;
        ready.companyId = companyId_;
        ready.exportStatus = {"NOT_EXPORTED"};
        ready.reviewStatus = {"OK"};
        ready.pageSize = 3;  // several pages
        auto entries = pleo::AccountingEntriesClient(conn.api()).search(ready);
        EXPECT_EQ(entries.size(), 7u);
        for (const auto& e : entries) {
            EXPECT_EQ(e.reviewStatus, "OK");
            EXPECT_EQ(e.exportStatus, "NOT_EXPORTED");
            EXPECT_EQ(e.companyId, companyId_);
        }
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
    http::HttpRequest probe;
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
    expectNoRequestViolations({"get /v1/installations/me", "put /v1/installations/me", "post /v1/installations/me:activate",
                               "delete /v1/installations/me", "post /v0/tax-codes", "post /v0/tax-codes:search",
                               "post /v1/chart-of-accounts", "post /v1/chart-of-accounts:search", "post /v0/tag-groups",
                               "post /v0/tag-groups/{groupId}/tags", "get /v0/tag-groups/{groupId}/tags", "post /v1/vendors",
                               "post /v1/vendors/{id}:archive", "post /v1/vendors:search",
                               "post /v1/accounting-entries:search"});
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
    expectNoRequestViolations({"put /v1/installations/me"});
}
