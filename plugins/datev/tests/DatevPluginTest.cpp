// The DATEV plugin loaded as a real shared library: one file per job and month, named
// EXTF_<job>_<YYYYMM>.csv, re-push leaves it byte-identical, lookup by key and by accounting
// entry id (a fresh instance, a new key, a new job), the dry run rejecting what push rejects,
// and everything written read back by the independent reader, balanced, each entry once.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "DatevFormat.hpp"
#include "DatevReader.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
const lb_plugin_api* datevApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_DATEV_PLUGIN"));
    return api;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

sdk::Entry entry(const std::string& id, const std::string& date, const std::string& supplier = "Café Žižkov") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job/9";
    e.idempotencyKey = "lb-" + id;
    e.date = date;
    e.supplier.name = supplier;
    sdk::Line l;
    l.lineId = id + "-1";
    l.walletAmount = sdk::Money{11900, "EUR", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{10000, "EUR", 2};
    l.taxAmount = sdk::Money{1900, "EUR", 2};
    l.accountCode = "4650";
    l.taxCode = "I19";
    e.lines.push_back(l);
    e.totalWallet = l.walletAmount;
    e.contraAccountCode = "1361";
    return e;
}

const std::vector<std::pair<std::string, std::string>> kSettings(const fs::path& dir) {
    return {{"output_dir", dir.string()}, {"beraternummer", "29098"}, {"mandantennummer", "55003"},
            {"bu_keys", "I19:9,I7:8,RC19:94"}};
}

class DatevPluginTest : public ::testing::Test {
protected:
    /// A second plugin instance over the same directory with its own, empty host state.
    std::unique_ptr<sdk::PluginClient> freshInstance(testkit::MemoryHost& otherHost) {
        auto c = std::make_unique<sdk::PluginClient>(datevApi(), otherHost, "datev");
        c->configure(kSettings(dir));
        return c;
    }
    std::map<std::string, std::string> files() const {
        std::map<std::string, std::string> out;
        for (const auto& p : fs::directory_iterator(dir)) out[p.path().filename().string()] = read(p.path());
        return out;
    }
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-datev-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        client = std::make_unique<sdk::PluginClient>(datevApi(), host, "datev");
        client->configure(kSettings(dir));
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

TEST_F(DatevPluginTest, OneFilePerJobAndMonthAndRePushChangesNothing) {
    const auto out = client->push({entry("E1", "2026-02-03"), entry("E2", "2026-03-04"), entry("E3", "2026-02-28")});
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    const fs::path feb = dir / "EXTF_job_9_202602.csv";
    const fs::path mar = dir / "EXTF_job_9_202603.csv";
    EXPECT_EQ(out[0].externalId, "EXTF_job_9_202602.csv#E1");
    const std::string febBytes = read(feb);
    const std::string marBytes = read(mar);
    EXPECT_NE(febBytes.find(";20260201;20260228;"), std::string::npos);
    EXPECT_NE(marBytes.find(";20260301;20260331;"), std::string::npos);
    EXPECT_NE(febBytes.find("\"Caf\xE9 \x8Ei\x9Ekov\""), std::string::npos) << "Windows-1252 bytes";
    EXPECT_NE(febBytes.find(";0302;"), std::string::npos);
    EXPECT_NE(febBytes.find(";2802;"), std::string::npos);

    const auto again = client->push({entry("E1", "2026-02-03"), entry("E3", "2026-02-28")});
    EXPECT_EQ(again.at(0).externalId, out[0].externalId);
    EXPECT_EQ(read(feb), febBytes);
    const auto more = client->push({entry("E4", "2026-02-10")});
    EXPECT_EQ(more.at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(read(feb).substr(0, febBytes.size()), febBytes) << "appending keeps the header and earlier rows";
    for (const auto& p : fs::directory_iterator(dir)) EXPECT_EQ(p.path().string().find(".tmp-"), std::string::npos);
}

TEST_F(DatevPluginTest, LookupFindsPostedEntriesByKey) {
    client->push({entry("E1", "2026-02-03")});
    EXPECT_EQ(client->lookup(entry("E1", "2026-02-03")).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(client->lookup(entry("E9", "2026-02-03")).kind, sdk::OutcomeKind::Absent);
}

TEST_F(DatevPluginTest, ReplacementsAreLoggedNotSilent) {
    client->push({entry("E1", "2026-02-03", "Łódź ✓")});
    bool warned = false;
    for (const auto& line : host.logLines) warned = warned || line.find("Windows-1252") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST_F(DatevPluginTest, BadSettingsAreNamed) {
    try {
        client->configure({{"output_dir", dir.string()}, {"beraternummer", "12"}, {"mandantennummer", "1"},
                           {"bu_keys", "I19:abc"}});
        FAIL();
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(std::string(e.what()).find("beraternummer"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bu_keys"), std::string::npos) << e.what();
    }
}

TEST_F(DatevPluginTest, AFreshInstanceWithEmptyStateFindsEverythingTheFirstWrote) {
    const auto first = client->push({entry("E1", "2026-02-03"), entry("E2", "2026-03-04")});
    const auto before = files();
    testkit::MemoryHost emptyState;
    auto restarted = freshInstance(emptyState);
    const auto again = restarted->push({entry("E1", "2026-02-03"), entry("E2", "2026-03-04")});
    ASSERT_EQ(again.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(again[i].kind, sdk::OutcomeKind::Posted) << again[i].message;
        EXPECT_EQ(again[i].externalId, first[i].externalId);
    }
    EXPECT_EQ(files(), before) << "nothing written twice";
    EXPECT_EQ(restarted->lookup(entry("E2", "2026-03-04")).externalId, first[1].externalId);
}

TEST_F(DatevPluginTest, TheSameEntryWithANewKeyIsFoundByItsAccountingEntryId) {
    const auto first = client->push({entry("E1", "2026-02-03")});
    const auto before = files();
    sdk::Entry changed = entry("E1", "2026-02-03");
    changed.idempotencyKey = "lb-E1-booking-changed";
    testkit::MemoryHost emptyState;
    auto restarted = freshInstance(emptyState);
    const auto found = restarted->lookup(changed);
    EXPECT_EQ(found.kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(found.externalId, first[0].externalId);
    const auto again = restarted->push({changed});
    EXPECT_EQ(again.at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(again.at(0).externalId, first[0].externalId);
    EXPECT_EQ(files(), before);
    bool warned = false;
    for (const auto& line : emptyState.logLines) warned = warned || line.find("another idempotency key") != std::string::npos;
    EXPECT_TRUE(warned) << "a changed booking is said, not silently kept";
    EXPECT_TRUE(restarted->plan({changed}).documents.empty()) << "the dry run writes nothing for it either";
}

TEST_F(DatevPluginTest, TheSameEntryOfferedInANewJobIsNotWrittenAgain) {
    const auto first = client->push({entry("E1", "2026-02-03")});
    const auto before = files();
    sdk::Entry nextJob = entry("E1", "2026-02-03");
    nextJob.exportJobId = "job-10";
    nextJob.idempotencyKey = "lb-E1-job-10";
    const auto again = client->push({nextJob, nextJob});
    ASSERT_EQ(again.size(), 2u);
    EXPECT_EQ(again[0].externalId, first[0].externalId);
    EXPECT_EQ(again[1].externalId, first[0].externalId);
    EXPECT_EQ(files(), before) << "no EXTF_job-10_202602.csv";
}

TEST_F(DatevPluginTest, AnEntryTwiceInOneBatchIsWrittenOnce) {
    const auto out = client->push({entry("E1", "2026-02-03"), entry("E1", "2026-02-03")});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(out[0].externalId, out[1].externalId);
    EXPECT_EQ(ledgerbridge::readers::readDatevFile((dir / "EXTF_job_9_202602.csv").string()).size(), 1u);
}

TEST_F(DatevPluginTest, TheDryRunRejectsExactlyWhatPushRejects) {
    sdk::Entry fractional = entry("E2", "2026-02-03");
    fractional.lines[0].tags = {{"CC", "1-00", "Vertrieb"}};
    sdk::Entry reverseWithoutKey = entry("E3", "2026-02-03");
    reverseWithoutKey.lines[0].taxType = "reverse";
    reverseWithoutKey.lines[0].taxCode = "";
    reverseWithoutKey.lines[0].netAmount = reverseWithoutKey.lines[0].walletAmount;
    reverseWithoutKey.lines[0].taxAmount = sdk::Money{0, "EUR", 2};
    sdk::Entry unbalanced = entry("E4", "2026-02-03");
    unbalanced.totalWallet.minor += 1;
    const std::vector<sdk::Entry> batch = {entry("E1", "2026-02-03"), fractional, reverseWithoutKey, unbalanced};
    client->configure({{"output_dir", dir.string()}, {"beraternummer", "29098"}, {"mandantennummer", "55003"},
                       {"bu_keys", "I19:9"}, {"kost1_tag_group", "CC"}});
    const auto planned = client->plan(batch);
    ASSERT_EQ(planned.documents.size(), 1u);
    EXPECT_EQ(planned.documents[0].entryIndex, 0u);
    EXPECT_TRUE(fs::is_empty(dir)) << "a dry run writes nothing";
    std::map<std::size_t, sdk::Outcome> pushed;  // by entry index (push reports in its own order)
    for (const auto& o : client->push(batch)) pushed[o.entryIndex] = o;
    ASSERT_EQ(planned.rejections.size(), 3u);
    for (const auto& r : planned.rejections) {
        const auto& p = pushed.at(r.entryIndex);
        EXPECT_EQ(p.kind, sdk::OutcomeKind::Rejected);
        EXPECT_EQ(p.failureReason, r.failureReason);
        EXPECT_EQ(p.message, r.message);
    }
    EXPECT_NE(pushed[3].message.find("unbalanced"), std::string::npos) << pushed[3].message;
    EXPECT_EQ(planned.documents[0].body, read(dir / "EXTF_job_9_202602.csv").substr(read(dir / "EXTF_job_9_202602.csv").find("\r\n119,00") + 2));
}

TEST_F(DatevPluginTest, EverythingWrittenReadsBackBalancedWithTheEntriesAmounts) {
    std::vector<sdk::Entry> batch;
    sdk::Entry jpy = entry("JPY-1", "2026-02-03", "東京カフェ ☕ شركة");
    jpy.lines[0].supplierAmount = sdk::Money{309699, "JPY", 0};
    batch.push_back(jpy);
    sdk::Entry multi = entry("MULTI-1", "2026-02-04", std::string(500, 'L') + " Ärger");
    sdk::Line reduced = multi.lines[0];
    reduced.lineId = "MULTI-1-2";
    reduced.walletAmount = reduced.supplierAmount = sdk::Money{1070, "EUR", 2};
    reduced.netAmount = sdk::Money{1000, "EUR", 2};
    reduced.taxAmount = sdk::Money{70, "EUR", 2};
    reduced.taxCode = "I7";
    reduced.accountCode = "4660";
    sdk::Line reverse = multi.lines[0];
    reverse.lineId = "MULTI-1-3";
    reverse.walletAmount = reverse.supplierAmount = reverse.netAmount = sdk::Money{5000, "EUR", 2};
    reverse.taxAmount = sdk::Money{950, "EUR", 2};
    reverse.taxType = "reverse";
    reverse.taxCode = "RC19";
    reverse.accountCode = "4670";
    multi.lines.push_back(reduced);
    multi.lines.push_back(reverse);
    multi.totalWallet.minor = 11900 + 1070 + 5000;
    batch.push_back(multi);
    sdk::Entry refund = entry("REFUND-1", "2026-03-01");
    refund.lines[0].walletAmount = refund.lines[0].supplierAmount = sdk::Money{-11900, "EUR", 2};
    refund.lines[0].netAmount = sdk::Money{-10000, "EUR", 2};
    refund.lines[0].taxAmount = sdk::Money{-1900, "EUR", 2};
    refund.totalWallet = refund.lines[0].walletAmount;
    batch.push_back(refund);
    const auto out = client->push(batch);
    for (const auto& o : out) ASSERT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;

    std::map<std::string, int> seen;
    std::map<std::string, std::map<std::string, std::int64_t>> byAccount;  // entry -> account -> minor
    for (const auto& p : fs::directory_iterator(dir)) {
        for (const auto& doc : ledgerbridge::readers::readDatevFile(p.path().string())) {
            std::int64_t sum = 0;
            for (const auto& posting : doc.postings) {
                sum += posting.minor;
                EXPECT_EQ(posting.currency, "EUR");
                byAccount[doc.accountingEntryId][posting.account] += posting.minor;
            }
            EXPECT_EQ(sum, 0) << doc.where;
            ++seen[doc.accountingEntryId];
        }
    }
    EXPECT_EQ(seen, (std::map<std::string, int>{{"JPY-1", 1}, {"MULTI-1", 1}, {"REFUND-1", 1}}));
    EXPECT_EQ(byAccount["JPY-1"]["4650"], 11900) << "the EUR amount, not 309699";
    EXPECT_EQ(byAccount["MULTI-1"]["4660"], 1070);
    EXPECT_EQ(byAccount["MULTI-1"]["4670"], 5000) << "reverse charge: the gross paid, VAT from the key";
    EXPECT_EQ(byAccount["MULTI-1"]["1361"], -(11900 + 1070 + 5000));
    EXPECT_EQ(byAccount["REFUND-1"]["4650"], -11900);
    const std::string feb = read(dir / "EXTF_job_9_202602.csv");
    EXPECT_NE(feb.find("309699,00;\"S\";\"JPY\""), std::string::npos);
    EXPECT_NE(feb.find("\"0094\""), std::string::npos) << "the reverse-charge BU-Schlüssel";
}

TEST_F(DatevPluginTest, WhatAnotherInstanceWritesLaterIsFoundToo) {
    testkit::MemoryHost otherHost;
    auto other = freshInstance(otherHost);
    client->push({entry("E1", "2026-02-03")});
    EXPECT_EQ(other->lookup(entry("E1", "2026-02-03")).kind, sdk::OutcomeKind::Posted);  // indexes the file
    client->push({entry("E2", "2026-02-04")});  // the same file grows
    EXPECT_EQ(other->lookup(entry("E2", "2026-02-04")).kind, sdk::OutcomeKind::Posted) << "a changed file is re-read";
    const auto before = files();
    EXPECT_EQ(other->push({entry("E2", "2026-02-04")}).at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(files(), before);
}

TEST_F(DatevPluginTest, AForeignFileWithOurNameStopsThePushNamingIt) {
    std::ofstream(dir / "EXTF_other_202602.csv", std::ios::binary) << "Konto;Betrag\r\n1200;5,00\r\n";
    try {
        client->push({entry("E1", "2026-02-03")});
        FAIL() << "pushed past a file it cannot read";
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(std::string(e.what()).find("EXTF_other_202602.csv"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "EXTF_job_9_202602.csv")) << "nothing written";
    fs::remove(dir / "EXTF_other_202602.csv");
    EXPECT_EQ(client->push({entry("E1", "2026-02-03")}).at(0).kind, sdk::OutcomeKind::Posted);
}

// A process killed mid-write leaves a partial `EXTF_….csv.tmp-<pid>`; the next push removes the
// plugin's own leftovers of dead processes and leaves everything else in the folder alone.
TEST_F(DatevPluginTest, PartialTempFilesOfAKilledProcessAreRemovedByTheNextPush) {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);
    const std::string dead = std::to_string(child);
    std::ofstream(dir / ("EXTF_job_9_202602.csv.tmp-" + dead)) << "\"EXTF\";700;21;half";
    std::ofstream(dir / ("Buchungen.csv.tmp-" + dead)) << "not a DATEV file of ours";
    EXPECT_EQ(client->push({entry("E1", "2026-02-03")}).at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_FALSE(fs::exists(dir / ("EXTF_job_9_202602.csv.tmp-" + dead)));
    EXPECT_TRUE(fs::exists(dir / ("Buchungen.csv.tmp-" + dead)));
    bool logged = false;
    for (const auto& line : host.logLines) logged |= line.find("EXTF_job_9_202602.csv.tmp-" + dead) != std::string::npos;
    EXPECT_TRUE(logged);
}
