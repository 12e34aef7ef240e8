// Integrity of staged data and of the database file: one changed byte in a staged export item
// is caught before the item is handed out (and restored from Pleo's identical copy), and a
// damaged page makes the start-up check refuse the database with a message that says what to do.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "StoreBackends.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/Ledger.h"

using namespace ledgerbridge;
using store::EntryState;

namespace {

store::LedgerEntry item(const std::string& id, const std::string& account = "4010") {
    store::LedgerEntry e;
    e.entryId = id;
    e.payload = R"({"accountingEntryId":")" + id + R"(","lines":[{"account":")" + account + R"(","amount":1250}]})";
    e.contentHash = store::sha256Hex(e.payload);
    e.idempotencyKey = "key-" + id + "-" + account;
    e.amountMinor = 1250;
    e.currency = "DKK";
    return e;
}

struct Staged {
    std::unique_ptr<store::StateStore> owned;
    store::StateStore& s{*owned};
    store::Ledger ledger{s};
    explicit Staged(std::unique_ptr<store::StateStore> store) : owned(std::move(store)) {
        store::JobRecord j;
        j.fingerprint = "fp";
        j.jobId = "job-7";
        j.connection = "acme";
        j.phase = "delivering";
        ledger.saveJob(j);
        ledger.stagePage("fp", "job-7", {item("E1"), item("E2"), item("E3")}, "", true);
    }
    /// Raw SQL on the stored item, as a bad disk or a person with sqlite3 would.
    void sql(const std::string& statement) {
        s.read([&](store::Session& db) { db.exec(statement); });
    }
    static constexpr const char* kE2 = "(SELECT id FROM ledger WHERE entry_id = 'E2')";
};

// What a call threw as a damaged staged item ("" if nothing): other errors still fail the test.
std::string messageOf(const std::function<void()>& f) { return errorOf<store::StagedItemDamaged>(f); }

}  // namespace

LB_ON_BOTH_BACKENDS(StagedItemIntegrity);

TEST(StagedItemDigest, SHA256IsTheStandardDigest) {
    EXPECT_EQ(store::sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(store::sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_P(StagedItemIntegrity, OneChangedByteStopsBeforeTheItemIsHandedOut) {
    Staged st(open());
    // 4010 -> 4011: still valid JSON, still a plausible account; only the hash can tell.
    st.sql(std::string("UPDATE ledger_payloads SET payload = replace(payload, '4010', '4011') WHERE entry = ") + Staged::kE2);
    std::string message = messageOf([&] { st.ledger.entries("fp", "job-7", EntryState::Planned, 100); });
    ASSERT_NE(message, "") << "a damaged item was handed out";
    EXPECT_NE(message.find("export job job-7, entry E2"), std::string::npos) << message;
    EXPECT_NE(message.find("recorded when it was staged"), std::string::npos) << message;
    EXPECT_NE(message.find("nothing of this entry was sent to the target or to Pleo"), std::string::npos) << message;
    EXPECT_NE(message.find("run again while the job is open"), std::string::npos) << message;
    EXPECT_NE(message.find("State: damage and recovery"), std::string::npos) << message;
    EXPECT_NE(messageOf([&] { st.ledger.entry("fp", "job-7", "E2"); }), "") << "entry() checks too";
    // E1 comes before the damage and is intact: reading only it is fine.
    EXPECT_EQ(st.ledger.entries("fp", "job-7", EntryState::Planned, 1).size(), 1u);
    EXPECT_EQ(messageOf([&] { st.ledger.entry("fp", "job-7", "E3"); }), "");
    EXPECT_EQ(messageOf([&] { st.ledger.entry("fp", "job-7", "E2", /*withPayload=*/false); }), "")
        << "asked for the state only: the item is not used, not checked";
    // Without the item (counts, reporting) nothing is used, so nothing is checked.
    EXPECT_EQ(st.ledger.entries("fp", "job-7", EntryState::Planned, 100, -1, false).size(), 3u);
    // The job's items are to be read from Pleo again.
    auto job = *st.ledger.job("fp", "job-7");
    EXPECT_FALSE(job.itemsComplete);
    EXPECT_EQ(job.itemsCursor, "");
}

TEST_P(StagedItemIntegrity, AMissingItemIsDamageToo) {
    Staged st(open());
    st.sql(std::string("DELETE FROM ledger_payloads WHERE entry = ") + Staged::kE2);
    std::string message = messageOf([&] { st.ledger.entries("fp", "job-7", EntryState::Planned, 100); });
    EXPECT_NE(message.find("entry E2: its stored export item is missing"), std::string::npos) << message;
}

TEST_P(StagedItemIntegrity, ReadingTheJobAgainRestoresPleosIdenticalCopy) {
    Staged st(open());
    st.sql(std::string("UPDATE ledger_payloads SET payload = replace(payload, '4010', '4011') WHERE entry = ") + Staged::kE2);
    EXPECT_NE(messageOf([&] { st.ledger.entries("fp", "job-7", EntryState::Planned, 100); }), "");
    st.ledger.stagePage("fp", "job-7", {item("E1"), item("E2"), item("E3")}, "", true);  // the next run's fetch
    auto planned = st.ledger.entries("fp", "job-7", EntryState::Planned, 100);
    ASSERT_EQ(planned.size(), 3u) << "nothing doubled";
    EXPECT_EQ(planned[1].payload, item("E2").payload);
    EXPECT_EQ(planned[1].seq, 1) << "the entry keeps its place";
}

TEST_P(StagedItemIntegrity, ADifferentCopyReplacesOnlyAnItemNeverOfferedToTheTarget) {
    Staged st(open());
    st.ledger.markPushing("fp", "job-7", {"E3"});  // E3 may be in the target now
    st.sql("UPDATE ledger_payloads SET payload = payload || ' ' WHERE entry IN "
           "(SELECT id FROM ledger WHERE entry_id IN ('E2', 'E3'))");
    // Pleo's copies differ from what was staged (the expenses were re-booked in Pleo).
    st.ledger.stagePage("fp", "job-7", {item("E2", "4020"), item("E3", "4020")}, "", true);
    auto e2 = *st.ledger.entries("fp", "job-7", EntryState::Planned, 100).rbegin();
    EXPECT_EQ(e2.entryId, "E2");
    EXPECT_EQ(e2.payload, item("E2", "4020").payload) << "never offered: delivered as Pleo has it now";
    EXPECT_EQ(e2.idempotencyKey, item("E2", "4020").idempotencyKey);
    std::string message = messageOf([&] { st.ledger.entries("fp", "job-7", EntryState::Pushing, 100); });
    EXPECT_NE(message.find("entry E3"), std::string::npos) << "an entry that may be in the target is never swapped";
}

TEST_P(StagedItemIntegrity, AHealthyDatabasePassesTheStartUpCheck) {
    Staged st(open());
    if (postgres())
        EXPECT_EQ(st.s.checkIntegrity().count(), 0) << "PostgreSQL: nothing checked client-side (StateStore.h)";
    else
        EXPECT_LT(st.s.checkIntegrity().count(), 5000);
}

TEST(DatabaseIntegrity, ADamagedPageIsRefusedWithWhatToDo) {
    TempDir tmp;
    {
        store::StateStore s(tmp.str());
        store::Ledger ledger(s);
        store::JobRecord j;
        j.fingerprint = "fp";
        j.jobId = "job-1";
        j.connection = "acme";
        ledger.saveJob(j);
        std::vector<store::LedgerEntry> page;
        for (int i = 0; i < 400; ++i) page.push_back(item("E" + std::to_string(i)));
        ledger.stagePage("fp", "job-1", page, "", true);
    }  // closed: the WAL is checkpointed into the main file
    const std::string path = tmp.sub("ledgerbridge.db");
    int pageSize = 0, pages = 0;
    {
        SQLite::Database db(path);
        pageSize = db.execAndGet("PRAGMA page_size").getInt();
        pages = db.execAndGet("PRAGMA page_count").getInt();
    }
    ASSERT_GT(pages, 10);
    // A page in the middle of the file (the ledger's rows and items) turns to garbage.
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::string garbage(static_cast<std::size_t>(pageSize), '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) & 0xff);
    ASSERT_EQ(::pwrite(fd, garbage.data(), garbage.size(), static_cast<off_t>(pageSize) * (pages / 2)),
              static_cast<ssize_t>(garbage.size()));
    ::close(fd);

    store::StateStore s(tmp.str());  // the schema page is intact: opening alone does not notice
    try {
        s.checkIntegrity();
        FAIL() << "a damaged database passed the check";
    } catch (const StoreError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("state store: the database file " + path + " is damaged (SQLite integrity_check: "), std::string::npos) << m;
        EXPECT_NE(m.find("nothing was run"), std::string::npos) << m;
        EXPECT_NE(m.find("State: damage and recovery"), std::string::npos) << m;
    }
}

// The cost of the start-up check (and of quick_check, for comparison) on a 100,000-entry ledger (items of about 2.5 KB, as Pleo's
// are). Slow to build (a 300 MB file), so run on demand:
//   store_tests --gtest_also_run_disabled_tests --gtest_filter='*QuickCheckCost*'
TEST(DatabaseIntegrity, DISABLED_QuickCheckCostOnA100000EntryLedger) {
    const char* dirEnv = std::getenv("LB_QUICK_CHECK_DIR");  // keep the file between runs
    TempDir tmp;
    const std::string dir = dirEnv ? dirEnv : tmp.str();
    {
        store::StateStore s(dir);
        store::Ledger ledger(s);
        if (!ledger.job("fp", "big")) {
            store::JobRecord j;
            j.fingerprint = "fp";
            j.jobId = "big";
            j.connection = "acme";
            ledger.saveJob(j);
            const std::string filler(2400, 'x');
            for (int p = 0; p < 1000; ++p) {
                std::vector<store::LedgerEntry> page;
                for (int i = 0; i < 100; ++i) {
                    store::LedgerEntry e = item("E" + std::to_string(p * 100 + i));
                    e.payload += filler;
                    e.contentHash = store::sha256Hex(e.payload);
                    page.push_back(std::move(e));
                }
                ledger.stagePage("fp", "big", page, "C" + std::to_string(p), p == 999);
            }
        }
    }
    store::StateStore s(dir);  // a cold-ish open, as `run` does
    auto took = s.checkIntegrity();
    auto again = s.checkIntegrity();
    const auto start = std::chrono::steady_clock::now();
    s.read([](store::Session& db) { EXPECT_EQ(db.execAndGet("PRAGMA quick_check").getString(), "ok"); });
    const auto quick = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::cout << "[ integrity ] 100,000 entries, " << std::filesystem::file_size(s.path()) / (1024 * 1024)
              << " MB: integrity_check " << took.count() << " ms (again: " << again.count() << " ms), quick_check "
              << quick.count() << " ms\n";
}
