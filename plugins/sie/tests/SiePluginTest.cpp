// The SIE plugin loaded as a real shared library: one file per job, re-push leaves it
// byte-identical, appending keeps #FLAGGA first and a valid closing #KSUMMA; what it writes
// read back by the independent reader (balanced, reverse charge included); a fresh instance
// with empty host state, another job or another key never writes an entry twice; the dry run
// rejects what push rejects.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "SieFormat.hpp"
#include "SieReader.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
const lb_plugin_api* sieApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_SIE_PLUGIN"));
    return api;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

sdk::Entry entry(const std::string& id, const std::string& supplier = "Kafé Ängen") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-5";
    e.idempotencyKey = "lb-" + id;
    e.date = "2026-03-05";
    e.supplier.name = supplier;
    sdk::Line l;
    l.lineId = id + "-1";
    l.walletAmount = sdk::Money{12500, "SEK", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{10000, "SEK", 2};
    l.taxAmount = sdk::Money{2500, "SEK", 2};
    l.accountCode = "5410";
    l.taxCode = "I25";
    l.tags = {{"PRJ", "P-7", "Mässa"}};
    e.lines.push_back(l);
    e.totalWallet = l.walletAmount;
    e.contraAccountCode = "2890";
    return e;
}

// Verifies the closing #KSUMMA of a file against the records after the opening one.
void expectValidChecksum(const std::string& bytes) {
    const std::string open = "#FLAGGA 0\r\n#KSUMMA\r\n";
    ASSERT_EQ(bytes.rfind(open, 0), 0u);
    const auto close = bytes.rfind("#KSUMMA ");
    ASSERT_NE(close, std::string::npos);
    const std::string records = bytes.substr(open.size(), close - open.size());
    EXPECT_EQ(bytes.substr(close), "#KSUMMA " + std::to_string(sie::checksum(records)) + "\r\n");
}

sdk::Entry reverseCharge(const std::string& id) {
    sdk::Entry e = entry(id, "Atlassian Pty");
    sdk::Line& l = e.lines[0];
    l.taxType = "reverse";
    l.taxCode = "RC25";
    l.taxRate = "25";
    l.netAmount = l.walletAmount;  // the price is the net; the tax is on top
    l.taxAmount = sdk::Money{3125, "SEK", 2};
    return e;
}

// Every document read back balances; returns how many documents each entry id has.
std::map<std::string, int> readBack(const fs::path& dir) {
    std::map<std::string, int> count;
    for (const auto& f : fs::directory_iterator(dir)) {
        for (const auto& doc : readers::readSieFile(f.path().string())) {
            std::int64_t sum = 0;
            for (const auto& p : doc.postings) sum += p.minor;
            EXPECT_EQ(sum, 0) << doc.where;
            ++count[doc.accountingEntryId];
        }
    }
    return count;
}

class SiePluginTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-sie-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        client = fresh(host);
    }
    // A new instance over the same directory, with the given (e.g. empty) host state.
    std::unique_ptr<sdk::PluginClient> fresh(testkit::MemoryHost& h) {
        auto c = std::make_unique<sdk::PluginClient>(sieApi(), h, "sie");
        c->configure({{"output_dir", dir.string()}, {"company_name", "Test AB"}, {"org_nr", "556677-8899"},
                      {"fiscal_year_start", "20260101"}, {"fiscal_year_end", "20261231"},
                      {"dimensions", "PRJ:6"}});
        return c;
    }
    void TearDown() override {
        client.reset();
        fs::remove_all(dir);
    }
    fs::path dir;
    testkit::MemoryHost host;
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(SiePluginTest, OneFilePerJobIdempotentWithAValidChecksumAfterEveryAppend) {
    const auto out = client->push({entry("E1"), entry("E2")});
    ASSERT_EQ(out.size(), 2u);
    for (const auto& o : out) EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    EXPECT_EQ(out[0].externalId, "pleo-job-5.se#E1");
    const fs::path file = dir / "pleo-job-5.se";
    const std::string first = read(file);
    expectValidChecksum(first);
    EXPECT_NE(first.find("#TRANS 5410 {6 \"P-7\"} 100.00\r\n#TRANS 2640 {} 25.00\r\n#TRANS 2890 {} -125.00\r\n"),
              std::string::npos);
    EXPECT_NE(first.find("\"Kaf\x82 \x8Engen [E1 lb-E1]\""), std::string::npos) << "CP437 bytes";

    client->push({entry("E2"), entry("E1")});
    EXPECT_EQ(read(file), first) << "re-push changed the file";

    client->push({entry("E3")});
    const std::string second = read(file);
    expectValidChecksum(second);
    EXPECT_EQ(second.find("#KSUMMA "), second.rfind("#KSUMMA ")) << "exactly one closing #KSUMMA";
    EXPECT_NE(second.find("[E3 lb-E3]"), std::string::npos);
    for (const auto& p : fs::directory_iterator(dir)) EXPECT_EQ(p.path().string().find(".tmp-"), std::string::npos);
}

TEST_F(SiePluginTest, LookupFindsPostedEntriesByKey) {
    client->push({entry("E1")});
    EXPECT_EQ(client->lookup(entry("E1")).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(client->lookup(entry("E9")).kind, sdk::OutcomeKind::Absent);
}

TEST_F(SiePluginTest, ReplacementsAreLogged) {
    client->push({entry("E1", "Łódź ✓")});
    bool warned = false;
    for (const auto& line : host.logLines)
        warned = warned || line.find("3 character(s) of entry E1 have no CP437 (PC8) form: 2 written as the nearest "
                                     "ASCII letters, 1 as '?'") != std::string::npos;
    EXPECT_TRUE(warned);
    EXPECT_NE(read(dir / "pleo-job-5.se").find("\"L\xA2" "dz ? [E1 lb-E1]\""), std::string::npos);
}

TEST_F(SiePluginTest, ReverseChargeIsWrittenBalancedAndReadBackByTheIndependentReader) {
    sdk::Entry refund = reverseCharge("R2");
    for (sdk::Money* m : {&refund.lines[0].walletAmount, &refund.lines[0].supplierAmount, &refund.lines[0].netAmount,
                          &refund.lines[0].taxAmount, &refund.totalWallet})
        m->minor = -m->minor;
    const auto out = client->push({reverseCharge("R1"), refund, entry("N1")});
    for (const auto& o : out) ASSERT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    const std::string bytes = read(dir / "pleo-job-5.se");
    EXPECT_NE(bytes.find("#TRANS 5410 {6 \"P-7\"} 125.00\r\n#TRANS 2645 {} 31.25\r\n#TRANS 2614 {} -31.25\r\n"
                         "#TRANS 2890 {} -125.00\r\n"),
              std::string::npos);
    EXPECT_NE(bytes.find("#DIM 6 \"PRJ\"\r\n#OBJEKT 6 \"P-7\" \"M\x84ssa\"\r\n"), std::string::npos);
    const auto docs = readers::readSieFile((dir / "pleo-job-5.se").string());
    ASSERT_EQ(docs.size(), 3u);
    EXPECT_EQ(docs[0].accountingEntryId, "R1");
    EXPECT_EQ(docs[0].idempotencyKey, "lb-R1");
    std::map<std::string, std::int64_t> byAccount;
    for (const auto& p : docs[1].postings) byAccount[p.account] += p.minor;
    EXPECT_EQ(byAccount, (std::map<std::string, std::int64_t>{{"5410", -12500}, {"2645", -3125}, {"2614", 3125}, {"2890", 12500}}));
    EXPECT_EQ(readBack(dir), (std::map<std::string, int>{{"R1", 1}, {"R2", 1}, {"N1", 1}}));
}

TEST_F(SiePluginTest, AFreshInstanceWithEmptyStateAnotherJobOrAnotherKeyNeverWritesTwice) {
    const auto first = client->push({entry("E1"), entry("E2"), entry("E3")});
    const std::string before = read(dir / "pleo-job-5.se");

    testkit::MemoryHost empty;  // the state directory lost: no host key-value state at all
    auto restarted = fresh(empty);
    sdk::Entry again = entry("E2");
    again.idempotencyKey = "lb-E2-changed";  // the booking's key changed
    sdk::Entry otherJob = entry("E3");
    otherJob.exportJobId = "job-6";  // offered again in a new job after a crash
    const auto out = restarted->push({entry("E1"), again, otherJob, entry("E4")});
    ASSERT_EQ(out.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].kind, sdk::OutcomeKind::Posted) << out[i].message;
        EXPECT_EQ(out[i].externalId, first[i].externalId) << "the same external id as when it was written";
    }
    EXPECT_EQ(out[3].externalId, "pleo-job-5.se#E4");
    EXPECT_FALSE(fs::exists(dir / "pleo-job-6.se")) << "nothing written for the new job";
    const std::string after = read(dir / "pleo-job-5.se");
    const std::string written = before.substr(before.find("#VER"), before.rfind("#KSUMMA ") - before.find("#VER"));
    EXPECT_EQ(after.substr(after.find("#VER"), written.size()), written) << "the vouchers already written are unchanged";
    EXPECT_EQ(readBack(dir), (std::map<std::string, int>{{"E1", 1}, {"E2", 1}, {"E3", 1}, {"E4", 1}}));
    bool warned = false;
    for (const auto& line : empty.logLines) warned = warned || line.find("under another idempotency key") != std::string::npos;
    EXPECT_TRUE(warned) << "a changed key is worth a warning: the booking may have changed in Pleo";

    testkit::MemoryHost empty2;
    auto third = fresh(empty2);
    EXPECT_EQ(third->lookup(again).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(third->lookup(otherJob).externalId, "pleo-job-5.se#E3");
    EXPECT_EQ(third->lookup(entry("E9")).kind, sdk::OutcomeKind::Absent);
}

TEST_F(SiePluginTest, AnEntryInTheBooksIsReportedPostedEvenIfItWouldNowBeRejected) {
    client->push({entry("E1")});
    sdk::Entry later = entry("E1");
    later.date = "2027-02-01";  // outside the fiscal year: a new entry like this is rejected
    EXPECT_EQ(client->push({later})[0].kind, sdk::OutcomeKind::Posted);
    EXPECT_TRUE(client->plan({later}).rejections.empty());
    EXPECT_EQ(client->plan({later}).documents.at(0).body, "");
    EXPECT_EQ(client->push({entry("E2")})[0].kind, sdk::OutcomeKind::Posted);
    later.accountingEntryId = "E3";
    later.idempotencyKey = "lb-E3";
    EXPECT_EQ(client->push({later})[0].kind, sdk::OutcomeKind::Rejected);
}

TEST_F(SiePluginTest, DimensionsAreDeclaredInNumberOrderBeforeTheFirstVoucher) {
    testkit::MemoryHost h;
    auto c = std::make_unique<sdk::PluginClient>(sieApi(), h, "sie");
    c->configure({{"output_dir", dir.string()}, {"company_name", "Test AB"}, {"org_nr", "556677-8899"},
                  {"fiscal_year_start", "20260101"}, {"fiscal_year_end", "20261231"},
                  {"dimensions", "PRJ:6,CC:10"}});
    sdk::Entry e = entry("E1");
    e.lines[0].tags.push_back({"CC", "K\"1", ""});
    ASSERT_EQ(c->push({e})[0].kind, sdk::OutcomeKind::Posted);
    ASSERT_EQ(c->push({entry("E2")})[0].kind, sdk::OutcomeKind::Posted);
    const std::string bytes = read(dir / "pleo-job-5.se");
    EXPECT_NE(bytes.find("#VALUTA SEK\r\n#DIM 6 \"PRJ\"\r\n#DIM 10 \"CC\"\r\n#OBJEKT 6 \"P-7\" \"M\x84ssa\"\r\n"
                         "#OBJEKT 10 \"K\\\"1\" \"K\\\"1\"\r\n#VER"),
              std::string::npos)
        << bytes;
    EXPECT_NE(bytes.find("#TRANS 5410 {6 \"P-7\" 10 \"K\\\"1\"} 100.00"), std::string::npos);
    EXPECT_EQ(readBack(dir).size(), 2u) << "the independent reader accepts the declarations";
}

TEST_F(SiePluginTest, FilesWrittenBeforeEntryIdsWereRecordedAreStillFoundByKey) {
    std::ofstream(dir / "pleo-job-1.se", std::ios::binary)
        << "#FLAGGA 0\r\n#FORMAT PC8\r\n#GEN 20260101\r\n#SIETYP 4\r\n#FNAMN \"T\"\r\n"
           "#VER \"A\" \"\" 20260305 \"Kaf\x82 [lb-E1]\"\r\n{\r\n#TRANS 5410 {} 1.00\r\n#TRANS 2890 {} -1.00\r\n}\r\n";
    EXPECT_EQ(client->lookup(entry("E1")).externalId, "pleo-job-1.se#E1");
    client->push({entry("E1")});
    EXPECT_FALSE(fs::exists(dir / "pleo-job-5.se"));
}

TEST_F(SiePluginTest, TheDryRunRejectsWhatPushRejectsAndPlansOnlyWhatPushWouldWrite) {
    client->push({entry("E1")});
    sdk::Entry kwd = entry("K1");
    kwd.lines[0].taxType = "withholding";
    const std::vector<sdk::Entry> batch = {entry("E1"), entry("E2"), kwd, entry("E2")};
    const auto plan = client->plan(batch);
    ASSERT_EQ(plan.documents.size(), 3u) << "every entry accounted for: written, planned, or rejected";
    EXPECT_EQ(plan.documents[0].entryIndex, 0u);
    EXPECT_EQ(plan.documents[0].action, "nothing to write: already in pleo-job-5.se#E1");
    EXPECT_EQ(plan.documents[0].body, "");
    EXPECT_EQ(plan.documents[1].entryIndex, 1u);
    EXPECT_NE(plan.documents[1].body.find("[E2 lb-E2]"), std::string::npos);
    EXPECT_EQ(plan.documents[2].entryIndex, 3u);
    EXPECT_EQ(plan.documents[2].action, "nothing to write: already in pleo-job-5.se#E2") << "a repeat is written once";
    ASSERT_EQ(plan.rejections.size(), 1u);
    EXPECT_EQ(plan.rejections[0].entryIndex, 2u);
    const auto pushed = client->push(batch);
    ASSERT_EQ(pushed.size(), 4u);
    for (const auto& o : pushed) {
        if (o.entryIndex != 2) {
            EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
            continue;
        }
        EXPECT_EQ(o.kind, sdk::OutcomeKind::Rejected);
        EXPECT_EQ(o.failureReason, plan.rejections[0].failureReason);
        EXPECT_EQ(o.message, plan.rejections[0].message);
    }
    EXPECT_EQ(readBack(dir), (std::map<std::string, int>{{"E1", 1}, {"E2", 1}}));
    EXPECT_EQ(read(dir / "pleo-job-5.se").find("[E2 lb-E2]"), read(dir / "pleo-job-5.se").rfind("[E2 lb-E2]"))
        << "an entry twice in a batch is written once";
}

TEST_F(SiePluginTest, AnUnreadableFileIsTheTargetsFailureAndNeverAnswersAbsent) {
    client->push({entry("E1")});
    std::ofstream(dir / "pleo-job-7.se", std::ios::binary) << "not a SIE file\r\n";
    try {
        client->lookup(entry("E9"));
        ADD_FAILURE() << "lookup answered although a file of the output directory cannot be read";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_TARGET);
        EXPECT_NE(std::string(e.what()).find("pleo-job-7.se is not a SIE file"), std::string::npos) << e.what();
    }
    EXPECT_THROW(client->push({entry("E9")}), sdk::CallFailed);
    EXPECT_EQ(read(dir / "pleo-job-5.se").find("[E9 "), std::string::npos);
}

// A process killed between writing the temp file and renaming it leaves `pleo-<job>.se.tmp-<pid>`
// behind; the next push removes the plugin's own leftovers of dead processes, nothing else.
TEST_F(SiePluginTest, TempFilesOfAKilledProcessAreRemovedByTheNextPush) {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);
    const std::string dead = std::to_string(child);
    std::ofstream(dir / ("pleo-job-5.se.tmp-" + dead)) << "#FLAGGA 0\r\n#VER half";
    std::ofstream(dir / ("other.se.tmp-" + dead)) << "another prefix: not ours";
    EXPECT_EQ(client->push({entry("E1")}).at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_FALSE(fs::exists(dir / ("pleo-job-5.se.tmp-" + dead)));
    EXPECT_TRUE(fs::exists(dir / ("other.se.tmp-" + dead)));
    EXPECT_TRUE(fs::exists(dir / "pleo-job-5.se"));
}
