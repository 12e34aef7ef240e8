// `ledgerbridge state copy` as a real process on a state made by real runs (the simulator over
// HTTPS, the CSV plugin): a finished job and one cut short by SIGKILL after the plugin wrote a
// batch Pleo never heard of. The copy is killed mid-transaction (target left empty), copied
// again, refused a third time; then `ledgerbridge run` on the PostgreSQL configuration finishes
// the unfinished job without writing any entry twice, and a further run exports nothing.
// Needs a PostgreSQL server: run under scripts/with-postgres (skipped, saying so, without it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "EndToEndHarness.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/PostgresSession.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

/// A schema of its own in the test server's database, dropped afterwards.
class PostgresSchema {
public:
    PostgresSchema(const std::string& url, const std::string& password) : admin_(url, password, 10000) {
        name_ = "lbcopy_" + std::to_string(::getpid());
        admin_.exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
        url_ = url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
    }
    ~PostgresSchema() {
        try {
            admin_.exec("DROP SCHEMA " + name_ + " CASCADE");
        } catch (...) {
        }
    }
    const std::string& url() const { return url_; }
    std::int64_t count(const std::string& table) {
        if (!admin_.tableExists(name_ + "." + table)) return -1;
        return admin_.execAndGet("SELECT COUNT(*) FROM " + name_ + "." + table).getInt64();
    }

private:
    store::PostgresSession admin_;
    std::string name_, url_;
};

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(StateCopyEndToEnd, AStateFromRealRunsMovesToPostgresAndTheNextRunsExportNothingTwice) {
    const char* url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    const char* password = std::getenv("LEDGERBRIDGE_TEST_PG_PASSWORD");
    if (!url || !*url)
        GTEST_SKIP() << "LEDGERBRIDGE_TEST_PG_URL is not set: run under scripts/with-postgres (CI does)";
    PostgresSchema pg(url, password ? password : "");

    Installation inst({"--items", "1200"});
    const std::string finished = inst.createJob(600);
    ASSERT_EQ(inst.ledgerbridge({"run"}).exitCode, 0);
    ASSERT_EQ(inst.jobStatus(finished), "completed");
    const std::string cut = inst.createJob(600);
    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:pushed#2"}});
    ASSERT_TRUE(crashed.killed) << crashed.err;
    ASSERT_EQ(inst.jobStatus(cut), "in_progress");
    const CsvContents beforeCopy = inst.csv();
    ASSERT_EQ(beforeCopy.entries.size(), 800u) << "the first job, and two batches of the second in the target";

    const std::vector<std::string> copy = {"state", "copy", "--to", pg.url(), "--password", "env:LEDGERBRIDGE_TEST_PG_PASSWORD"};
    // Refused, nothing written: a password written on the command line, and a live run's lease
    // (this test process holds one, as a running `run` would).
    auto literal = inst.ledgerbridge({"state", "copy", "--to", pg.url(), "--password", "hunter2"});
    EXPECT_EQ(literal.exitCode, 2) << literal.err;
    EXPECT_NE(literal.err.find("secret reference"), std::string::npos) << literal.err;
    EXPECT_EQ(literal.err.find("hunter2"), std::string::npos) << literal.err;
    auto inUrl = inst.ledgerbridge({"state", "copy", "--to", "postgresql://ledgerbridge:hunter2@127.0.0.1:1/x"});
    EXPECT_EQ(inUrl.exitCode, 2) << inUrl.err;
    EXPECT_NE(inUrl.err.find("--to carries a password"), std::string::npos) << inUrl.err;
    EXPECT_EQ(inUrl.err.find("hunter2"), std::string::npos) << inUrl.err;
    {
        store::StateStore sqlite(inst.dir() + "/state");
        store::Leases leases(sqlite);
        ASSERT_TRUE(leases.tryAcquire("run:held-by-the-test", 60000));
        auto busy = inst.ledgerbridge(copy);
        EXPECT_EQ(busy.exitCode, 7) << busy.out << busy.err;
        EXPECT_NE(busy.err.find("run:held-by-the-test (held by " + store::Leases::selfHolder() + ")"), std::string::npos) << busy.err;
        leases.release("run:held-by-the-test");
    }
    EXPECT_EQ(pg.count("runs"), -1) << "a refused copy created the schema";
    // Killed with its transaction open, in the middle of the ledger: nothing of it is kept.
    auto killed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv(copy),
                                      {{"LEDGERBRIDGE_CRASH_AT", "state-copy:batch#6"}});
    ASSERT_TRUE(killed.killed) << killed.out << killed.err;
    for (const char* table : {"ledger", "ledger_payloads", "export_jobs", "grants", "connections", "runs"})
        EXPECT_EQ(pg.count(table), 0) << table << " kept rows of a killed copy";

    auto copied = inst.ledgerbridge(copy);
    ASSERT_EQ(copied.exitCode, 0) << copied.out << copied.err;
    EXPECT_NE(copied.out.find("verified: "), std::string::npos) << copied.out;
    EXPECT_NE(copied.out.find("ledger  "), std::string::npos) << copied.out;
    EXPECT_EQ(pg.count("ledger"), 800) << "the first job and the two pages staged of the second";
    EXPECT_EQ(pg.count("grants"), 1);
    if (password && *password) {
        EXPECT_EQ(copied.out.find(password), std::string::npos) << "the password was printed";
        EXPECT_EQ(copied.err.find(password), std::string::npos) << "the password was printed";
    }
    auto again = inst.ledgerbridge(copy);
    EXPECT_EQ(again.exitCode, 2) << again.out << again.err;
    EXPECT_NE(again.err.find("already holds a ledgerbridge state"), std::string::npos) << again.err;

    // The configuration moves to PostgreSQL; the SQLite file stays as it was.
    const std::string config = inst.dir() + "/ledgerbridge.ini";
    std::string text = readFile(config);
    const auto at = text.find("[state]\n");
    ASSERT_NE(at, std::string::npos);
    text.insert(at + 8, "url = " + pg.url() + "\npassword = env:LEDGERBRIDGE_TEST_PG_PASSWORD\n");
    std::ofstream(config, std::ios::trunc) << text;
    const std::string sqliteFile = inst.dir() + "/state/ledgerbridge.db";
    const std::string sqliteBefore = readFile(sqliteFile);
    // Without arguments the copy takes both ends from this configuration ([state] dir, url,
    // password): the same target, refused the same way.
    auto fromConfig = inst.ledgerbridge({"state", "copy"});
    EXPECT_EQ(fromConfig.exitCode, 2) << fromConfig.out << fromConfig.err;
    EXPECT_NE(fromConfig.err.find("already holds a ledgerbridge state"), std::string::npos) << fromConfig.err;

    auto resumed = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(resumed.exitCode, 0) << resumed.out << resumed.err;
    EXPECT_EQ(inst.jobStatus(cut), "completed");
    const CsvContents after = inst.csv();
    EXPECT_EQ(after.duplicates(), 0) << "an entry was written twice after the move";
    EXPECT_EQ(after.entries.size(), 1200u);
    std::set<std::string> successful;
    for (const auto& job : {finished, cut})
        for (const auto& item : inst.jobItems(job)) {
            EXPECT_EQ(item.status, "successful") << item.entryId;
            EXPECT_TRUE(successful.insert(item.entryId).second) << item.entryId << " successful twice";
        }
    EXPECT_EQ(successful, after.entries) << "Pleo and the target disagree";
    EXPECT_EQ(readFile(sqliteFile), sqliteBefore) << "a run on PostgreSQL wrote to the SQLite state";

    // Nothing left to do: another run exports nothing and the target does not change.
    const std::map<std::string, std::string> files = oauth::simtest::readTree(inst.exportsDir());
    auto idle = inst.ledgerbridge({"run"});
    EXPECT_EQ(idle.exitCode, 0) << idle.out << idle.err;
    EXPECT_EQ(oauth::simtest::readTree(inst.exportsDir()), files);
    EXPECT_GT(pg.count("runs"), 3) << "the runs after the move were not recorded in PostgreSQL";
}
