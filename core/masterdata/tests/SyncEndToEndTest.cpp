// `ledgerbridge sync` end to end: the real CLI process, the real simulator over HTTPS (every
// request checked against Pleo's reference files), the test ERP plugin lbtest_erp loaded
// through Boost.DLL. What Pleo holds is read back through the simulator's admin view, never
// through the sync's own code; write requests are counted from the simulator's counters.
#include <gtest/gtest.h>

#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/Process.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "PleoSyncFixture.h"

using namespace ledgerbridge;
namespace sim = ledgerbridge::oauth::simtest;
using Poco::JSON::Object;

namespace {

// The ERP of most tests: paged by 2 (the fixture's page_size), one record of each shape.
const char* kErp = R"(# kind|id|code|name|archived|type|parent|rate|in|out|taxcode|account|reg|vat|country|currency
tax_code|t-25|ERP25|Standard 25 %|0|normal||25|5610
tax_code|t-125|ERP125|Reduced 12.5 %|0|normal||12.5
tax_code|t-rc|ERPRC|Reverse charge EU|0|reverse||25|5610|5620
tax_code|t-0|ERP0|Exempt|0|exempt||0
account|acc-6100|6100|Travel|0|expense|||||t-25
account|acc-6200|6200|Meals|0|expense|||||t-125
account|acc-6300|6300|Software|0|expense|||||t-rc
account|acc-6400|6400|Old phone costs|1|expense
account|acc-6500|6500|Office supplies|0|expense
dimension|d-dept|ERPDEPT|Department|0
dimension|d-proj|ERPPROJ|Project|0
dimension_value|dv-s|ESALES|Sales|0||d-dept
dimension_value|dv-m|EMKT|Marketing|0||d-dept
dimension_value|dv-p1|EP1|Project One|0||d-proj
supplier|s-1|S001|ACME ApS|0||||||||12345678|DK12345678|DK|DKK
supplier|s-2|S002|Nordic Paper AB|0||||||||5566778899|SE556677889901|SE|SEK
supplier|s-3|S003|Gone GmbH|1|||||||||DE123456789|DE|EUR
)";

class SyncE2E : public synctest::PleoSyncFixture {
protected:
    void SetUp() override {
        const char* dir = std::getenv("LEDGERBRIDGE_ERP_FIXTURE_DIR");
        ASSERT_TRUE(dir) << "LEDGERBRIDGE_ERP_FIXTURE_DIR is set by CTest";
        pluginDir_ = dir;
        startPleoAndLogin();
        if (HasFatalFailure()) return;
        erpFile_ = inst_->dir() + "/erp.txt";
        writeErp(kErp);
        configure("");
    }

    /// The connection uses `plugin` (lbtest_erp) with `extraSettings` ("setting.kinds = ...\n").
    void configure(const std::string& extraSettings, const std::string& requestsPerMinute = "0",
                   const std::string& plugin = "lbtest_erp") {
        std::ifstream in(inst_->configPath());
        std::stringstream text;
        text << in.rdbuf();
        std::string ini = text.str();
        if (original_.empty()) original_ = ini;
        ini = original_;
        auto at = ini.find("[connection.acme]");
        ini.insert(at, "requests_per_minute = " + requestsPerMinute + "\n\n");
        auto pluginLine = ini.find("plugin = csv");
        ini.replace(pluginLine, 12, "plugin = " + plugin + "\nsetting.master_data_file = " + erpFile_ + "\nsetting.page_size = 2\n" + extraSettings);
        ini += "\n[plugins]\ndir = " + pluginDir_ + "\n";
        std::ofstream(inst_->configPath()) << ini;
    }

    void writeErp(const std::string& text) { std::ofstream(erpFile_) << text; }

    /// Pleo holds exactly the ERP of kErp (as edited by the tests through `accountArchived`, `taxName`).
    void expectPleoEqualsErp(bool account6100Archived = false, const std::string& taxName = "Standard 25 %") {
        auto md = masterData();
        auto t25 = one(md, "taxCodes", "code", "ERP25");
        EXPECT_EQ(str(t25, "name"), taxName);
        EXPECT_EQ(t25->getValue<double>("rate"), 0.25);
        EXPECT_EQ(str(t25, "type"), "inclusive");
        EXPECT_EQ(str(t25, "ingoingTaxAccount"), "5610");
        auto t125 = one(md, "taxCodes", "code", "ERP125");
        EXPECT_EQ(t125->getValue<double>("rate"), 0.125);
        auto rc = one(md, "taxCodes", "code", "ERPRC");
        EXPECT_EQ(str(rc, "type"), "reverse");
        EXPECT_EQ(str(rc, "outgoingTaxAccount"), "5620");
        EXPECT_EQ(one(md, "taxCodes", "code", "ERP0")->getValue<double>("rate"), 0.0);

        auto a6100 = one(md, "accounts", "externalId", "acc-6100");
        EXPECT_EQ(str(a6100, "code"), "6100");
        EXPECT_EQ(str(a6100, "name"), "Travel");
        EXPECT_EQ(str(a6100, "taxCodeExternalId"), "ERP25");
        EXPECT_EQ(a6100->getValue<bool>("archived"), account6100Archived);
        EXPECT_EQ(str(one(md, "accounts", "externalId", "acc-6300"), "taxCodeExternalId"), "ERPRC");
        EXPECT_FALSE(one(md, "accounts", "externalId", "acc-6500")->getValue<bool>("archived"));
        EXPECT_TRUE(find(md, "accounts", "externalId", "acc-6400").empty()) << "archived in the ERP, never in Pleo: not created";

        auto dept = one(md, "tagGroups", "code", "ERPDEPT");
        EXPECT_EQ(str(dept, "name"), "Department");
        auto proj = one(md, "tagGroups", "code", "ERPPROJ");
        auto sales = one(md, "tags", "code", "ESALES");
        EXPECT_EQ(str(sales, "name"), "Sales");
        EXPECT_EQ(str(sales, "groupId"), str(dept, "id"));
        EXPECT_EQ(str(one(md, "tags", "code", "EMKT"), "groupId"), str(dept, "id"));
        EXPECT_EQ(str(one(md, "tags", "code", "EP1"), "groupId"), str(proj, "id"));

        auto s1 = one(md, "vendors", "externalId", "s-1");
        EXPECT_EQ(str(s1, "name"), "ACME ApS");
        EXPECT_EQ(str(s1, "defaultCurrency"), "DKK");
        EXPECT_EQ(str(s1, "country"), "DK");
        EXPECT_EQ(str(s1, "taxRegistrationNumber"), "DK12345678");
        EXPECT_EQ(str(s1, "state"), "ACTIVE");
        EXPECT_EQ(str(one(md, "vendors", "externalId", "s-2"), "defaultCurrency"), "SEK");
        EXPECT_TRUE(find(md, "vendors", "externalId", "s-3").empty());
    }

    std::string pluginDir_, erpFile_, original_;
};

}  // namespace

TEST_F(SyncE2E, FirstSyncActivatesSecondWritesNothingErpChangesArrive) {
    EXPECT_EQ(installation(), "AUTHORIZED");
    auto first = cli({"sync"});
    ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
    std::cout << first.out;
    EXPECT_NE(first.out.find("sync of connection acme: ok"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("installation: ACTIVATED"), std::string::npos) << first.out;
    EXPECT_EQ(installation(), "ACTIVATED");
    expectPleoEqualsErp();

    // Nothing changed in the ERP: no write request reaches Pleo, and no read either but the installation's status.
    const long before = writes();
    auto second = cli({"sync"});
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;
    std::cout << second.out;
    EXPECT_EQ(writes(), before) << second.out;
    EXPECT_NE(second.out.find("requests: 2 to Pleo"), std::string::npos) << "only the installation's status, read twice (before and after): " << second.out;

    // The ERP archives an account and renames a tax code: both arrive, nothing else is written.
    std::string erp = kErp;
    erp.replace(erp.find("acc-6100|6100|Travel|0"), 22, "acc-6100|6100|Travel|1");
    erp.replace(erp.find("Standard 25 %"), 13, "Standard rate 25 %");
    writeErp(erp);
    auto third = cli({"sync"});
    ASSERT_EQ(third.exitCode, 0) << third.out << third.err;
    std::cout << third.out;
    EXPECT_EQ(writes(), before + 2) << third.out;
    expectPleoEqualsErp(/*account6100Archived=*/true, "Standard rate 25 %");

    auto hist = cli({"history", "--syncs"});
    EXPECT_EQ(hist.exitCode, 0);
    EXPECT_NE(hist.out.find("ok (full)"), std::string::npos) << hist.out;
    expectNoRequestViolations();
}

TEST_F(SyncE2E, RefusedRecordsAreNamedAndTheRestLands) {
    std::string erp = kErp;
    erp += "tax_code|t-bad|BAD150|Impossible|0|normal||150\n";            // Pleo's rate is a fraction ≤ 1
    erp += "account|acc-dup|4000|Clashes with Pleo|0|expense\n";          // Pleo already has an account 4000
    writeErp(erp);
    auto r = cli({"sync"});
    std::cout << r.out;
    EXPECT_EQ(r.exitCode, 3) << r.out << r.err;
    EXPECT_NE(r.out.find("refused: tax_code BAD150 (ERP id t-bad): the tax rate '150' is above 100 %"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("refused: account 4000 (ERP id acc-dup): Pleo already has account 4000 ('Meals and "
                         "Entertainment') under another external id ('4000')"),
              std::string::npos)
        << r.out;
    expectPleoEqualsErp();
    auto md = masterData();
    EXPECT_TRUE(find(md, "taxCodes", "code", "BAD150").empty());
    EXPECT_TRUE(find(md, "accounts", "externalId", "acc-dup").empty());
    EXPECT_EQ(find(md, "accounts", "code", "4000").size(), 1u) << "Pleo's own account 4000 is untouched";
    EXPECT_EQ(installation(), "ACTIVATED") << "the rest landed: the installation is active";
}

TEST_F(SyncE2E, DryRunShowsTheChangesAndWritesNothing) {
    const long before = writes();
    const std::string mdBefore = [&] {
        std::ostringstream os;
        masterData()->stringify(os);
        return os.str();
    }();
    auto r = cli({"sync", "--dry-run"});
    std::cout << r.out;
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("create account 6100 'Travel' (ERP id acc-6100)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("create tax_code ERP125 'Reduced 12.5 %' (ERP id t-125)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("create supplier S002 'Nordic Paper AB' (ERP id s-2)"), std::string::npos) << r.out;
    EXPECT_EQ(writes(), before);
    std::ostringstream after;
    masterData()->stringify(after);
    EXPECT_EQ(after.str(), mdBefore);
    EXPECT_EQ(installation(), "AUTHORIZED");
    // The dry run remembered nothing: the real sync after it still creates everything.
    auto real = cli({"sync"});
    ASSERT_EQ(real.exitCode, 0) << real.out << real.err;
    expectPleoEqualsErp();
}

TEST_F(SyncE2E, AKindTheErpDoesNotHaveLeavesPleosRecordsAlone) {
    configure("setting.kinds = tax_code,account\n");
    auto before = masterData();
    auto r = cli({"sync"});
    std::cout << r.out;
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("supplier          not in the ERP: Pleo's records left alone"), std::string::npos) << r.out;
    auto after = masterData();
    for (const char* kind : {"tagGroups", "tags", "vendors"}) {
        std::ostringstream a, b;
        before->getArray(kind)->stringify(a);
        after->getArray(kind)->stringify(b);
        EXPECT_EQ(a.str(), b.str()) << kind;
    }
    EXPECT_EQ(one(after, "accounts", "externalId", "acc-6100")->getValue<std::string>("name"), "Travel");
    auto routes = sim_->admin("GET", "/admin/counters")->getObject("routes");
    for (const auto& name : routes->getNames())
        EXPECT_TRUE(name.find("/v0/tag") == std::string::npos && name.find("/v1/vendors") == std::string::npos) << name;
}

TEST_F(SyncE2E, KilledMidSyncThenRerunEndsEqualWithoutDuplicates) {
    // 120 suppliers, written one request each at the host's 600 a minute (10 a second after a
    // burst of 60): the kill lands among them.
    std::string erp = kErp;
    for (int i = 0; i < 120; ++i)
        erp += "supplier|bulk-" + std::to_string(i) + "|B" + std::to_string(i) + "|Bulk supplier " + std::to_string(i) +
               "|0||||||||||DK|DKK\n";
    writeErp(erp);
    configure("", "600");
    std::vector<std::string> args{"--config", inst_->configPath(), "--log-level", "warn", "sync"};
    Poco::ProcessHandle h = Poco::Process::launch(sim::binary("ledgerbridge"), args, nullptr, nullptr, nullptr);
    auto bulkInPleo = [&] {
        auto md = masterData();
        auto arr = md->getArray("vendors");
        int n = 0;
        for (std::size_t i = 0; arr && i < arr->size(); ++i)
            if (str(arr->getObject(static_cast<unsigned>(i)), "externalId").rfind("bulk-", 0) == 0) ++n;
        return n;
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (bulkInPleo() < 50 && std::chrono::steady_clock::now() < deadline && Poco::Process::isRunning(h))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(Poco::Process::isRunning(h)) << "the sync ended before the kill";
    Poco::Process::kill(h);  // SIGKILL
    h.wait();
    const int landed = bulkInPleo();
    EXPECT_GE(landed, 50);
    EXPECT_LT(landed, 120) << "killed in the middle";

    configure("");
    auto rerun = cli({"sync"});
    std::cout << rerun.out;
    ASSERT_EQ(rerun.exitCode, 0) << rerun.out << rerun.err;
    expectPleoEqualsErp();
    auto md = masterData();
    for (int i = 0; i < 120; ++i) EXPECT_EQ(find(md, "vendors", "externalId", "bulk-" + std::to_string(i)).size(), 1u) << i;
    expectNoRequestViolations();
}

TEST_F(SyncE2E, ASecondSyncOfTheSameConnectionWaitsItsTurn) {
    // 120 suppliers at 600 requests a minute keep the first sync busy for seconds.
    std::string erp = kErp;
    for (int i = 0; i < 120; ++i)
        erp += "supplier|slow-" + std::to_string(i) + "|L" + std::to_string(i) + "|Slow supplier " + std::to_string(i) +
               "|0||||||||||DK|DKK\n";
    writeErp(erp);
    configure("", "600");
    Poco::ProcessHandle first = Poco::Process::launch(
        sim::binary("ledgerbridge"), {"--config", inst_->configPath(), "--log-level", "warn", "sync"}, nullptr, nullptr, nullptr);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (writes() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto second = cli({"sync"});
    EXPECT_EQ(second.exitCode, 7) << second.out << second.err;
    EXPECT_NE((second.out + second.err).find("a master-data sync of connection acme is already in progress"),
              std::string::npos)
        << second.out << second.err;
    EXPECT_EQ(first.wait(), 0);
    auto md = masterData();
    for (int i = 0; i < 120; ++i) EXPECT_EQ(find(md, "vendors", "externalId", "slow-" + std::to_string(i)).size(), 1u) << i;
}

TEST_F(SyncE2E, TheServiceSyncsBeforeTheFirstExportAfterALogin) {
    configure("schedule = every 2s\nsync_schedule = every 1d\n");
    std::ofstream(inst_->configPath(), std::ios::app) << "\n[service]\nlisten = 127.0.0.1:0\n";
    Poco::ProcessHandle serve = Poco::Process::launch(sim::binary("ledgerbridge"),
                                                      {"--config", inst_->configPath(), "--log-level", "warn", "serve"},
                                                      nullptr, nullptr, nullptr);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (installation() != "ACTIVATED" && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // Let a few more scheduled runs pass: the daily sync_schedule has not fired again.
    const long writesAfterFirst = writes();
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const long writesLater = writes();
    Poco::Process::requestTermination(serve.id());  // SIGTERM: a graceful stop
    serve.wait();
    EXPECT_EQ(installation(), "ACTIVATED");
    expectPleoEqualsErp();
    EXPECT_EQ(writesLater, writesAfterFirst) << "no second sync within the day";
    auto hist = cli({"history", "--syncs"});
    EXPECT_EQ(std::count(hist.out.begin(), hist.out.end(), '\n'), 2) << "a header and one sync:\n" << hist.out;
}

TEST_F(SyncE2E, TheServiceTriesAFailingSyncOnceNotBeforeEveryRun) {
    // The ERP export is broken: the sync fails, so none has succeeded and one is always due.
    writeErp("supplier|s-1|S001|ACME ApS|0\nno-such-kind|x|X|Broken|0\n");
    configure("schedule = every 1s\nsync_schedule = every 1d\n");
    std::ofstream(inst_->configPath(), std::ios::app) << "\n[service]\nlisten = 127.0.0.1:0\n";
    Poco::ProcessHandle serve = Poco::Process::launch(sim::binary("ledgerbridge"),
                                                      {"--config", inst_->configPath(), "--log-level", "warn", "serve"},
                                                      nullptr, nullptr, nullptr);
    std::this_thread::sleep_for(std::chrono::seconds(6));  // about six scheduled runs
    Poco::Process::requestTermination(serve.id());
    serve.wait();
    auto hist = cli({"history", "--syncs"});
    EXPECT_EQ(std::count(hist.out.begin(), hist.out.end(), '\n'), 2)
        << "a header and one failed sync, not one per run:\n" << hist.out;
    EXPECT_NE(hist.out.find("failed"), std::string::npos) << hist.out;
    EXPECT_NE(installation(), "ACTIVATED") << "a failed sync activates nothing";
}

TEST_F(SyncE2E, ABadSyncScheduleIsNamedByConfigValidate) {
    configure("sync_schedule = daily\n");
    auto r = cli({"config", "validate"});
    EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("connection.acme.sync_schedule"), std::string::npos) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("'daily' is not a schedule"), std::string::npos) << r.out << r.err;
}

namespace {
/// `erp` with every record's updated_at (the 17th field) set to `when`.
std::string updatedAt(const std::string& erp, const std::string& when) {
    std::istringstream in(erp);
    std::string line, out;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != '#') {
            line += std::string(static_cast<std::size_t>(16 - std::count(line.begin(), line.end(), '|')), '|');
            line += when;
        }
        out += line + "\n";
    }
    return out;
}
}  // namespace

TEST_F(SyncE2E, AnIncrementalErpIsAskedOnlyForChangesAndFullCatchesTheRest) {
    configure("", "0", "lbtest_erp_incremental");
    writeErp(updatedAt(kErp, "2020-01-01T00:00:00Z"));
    auto first = cli({"sync"});
    ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
    EXPECT_EQ(first.out.find("ERP changes since"), std::string::npos) << "the first sync reads everything: " << first.out;
    expectPleoEqualsErp();

    // The ERP renames account 6500 (and says so: a new updated_at) and supplier s-2 (without
    // saying so): the incremental read sees only the account.
    std::string erp = updatedAt(kErp, "2020-01-01T00:00:00Z");
    const std::string account = "account|acc-6500|6500|Office supplies|0|expense";
    erp.replace(erp.find(account), erp.find('\n', erp.find(account)) - erp.find(account),
                "account|acc-6500|6500|Office and paper|0|expense|||||||||||2099-01-01T00:00:00Z");
    erp.replace(erp.find("Nordic Paper AB"), 15, "Nordic Papper AB");
    writeErp(erp);
    auto second = cli({"sync"});
    std::cout << second.out;
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;
    EXPECT_NE(second.out.find("ERP changes since 20"), std::string::npos) << second.out;
    auto md = masterData();
    EXPECT_EQ(str(one(md, "accounts", "externalId", "acc-6500"), "name"), "Office and paper");
    EXPECT_EQ(str(one(md, "vendors", "externalId", "s-2"), "name"), "Nordic Paper AB") << "not asked for, not seen";

    auto full = cli({"sync", "--full"});
    std::cout << full.out;
    ASSERT_EQ(full.exitCode, 0) << full.out << full.err;
    EXPECT_EQ(full.out.find("ERP changes since"), std::string::npos) << full.out;
    EXPECT_EQ(str(one(masterData(), "vendors", "externalId", "s-2"), "name"), "Nordic Papper AB");
    expectNoRequestViolations();
}
