// Group commit (StateStore.h): commits go into the WAL under the store's mutex and are fsynced
// after it, one fdatasync covering every commit made before it began. What must hold: a
// PowerLoss transaction never returns before its own commit is synced; a hint (ProcessCrash)
// costs no fsync; concurrent writers all land.
#include <gtest/gtest.h>

#include "ledgerbridge/store/Session.h"

#include <atomic>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "TempDir.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;

namespace {
void insertState(store::StateStore& s, const std::string& key, store::StateStore::Durability d) {
    s.transaction([&](store::Session& db) {
        store::Statement ins(db, "INSERT INTO plugin_state VALUES ('p', 'f', ?, x'01', 1)");
        ins.bind(1, key);
        ins.exec();
    }, d);
}

int rowsOf(store::StateStore& s) {
    int rows = -1;
    s.read([&](store::Session& db) { rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt(); });
    return rows;
}
}  // namespace

TEST(GroupCommit, ADurableTransactionReturnsOnlyOnceItsCommitIsSynced) {
    TempDir tmp;
    store::StateStore s(tmp.str());
    for (int i = 0; i < 5; ++i) {
        const auto syncsBefore = s.walSyncs();
        insertState(s, "k" + std::to_string(i), store::StateStore::Durability::PowerLoss);
        EXPECT_EQ(s.syncedCommits(), s.commits()) << "commit " << i << " returned before it was fsynced";
        EXPECT_EQ(s.walSyncs(), syncsBefore + 1) << "alone, each durable commit needs its own fsync";
    }
    EXPECT_EQ(rowsOf(s), 5);
}

TEST(GroupCommit, HintsAreNotSyncedAndTheNextDurableCommitSyncsThemWithItInOneFsync) {
    TempDir tmp;
    store::StateStore s(tmp.str());
    const auto synced = s.syncedCommits();
    const auto syncs = s.walSyncs();
    for (int i = 0; i < 3; ++i) insertState(s, "hint" + std::to_string(i), store::StateStore::Durability::ProcessCrash);
    EXPECT_EQ(s.walSyncs(), syncs) << "a hint (lease, plugin call running) must not cost an fsync";
    EXPECT_EQ(s.syncedCommits(), synced);
    EXPECT_EQ(s.commits(), synced + 3);
    insertState(s, "durable", store::StateStore::Durability::PowerLoss);
    EXPECT_EQ(s.walSyncs(), syncs + 1);
    EXPECT_EQ(s.syncedCommits(), s.commits()) << "one fsync of the WAL covers every commit written before it";
    // Another connection (another process would open one) sees all four.
    store::StateStore other(tmp.str());
    EXPECT_EQ(rowsOf(other), 4);
}

TEST(GroupCommit, ConcurrentWritersEachReturnSyncedAndShareFsyncs) {
    TempDir tmp;
    store::StateStore s(tmp.str());
    constexpr int kThreads = 8, kEach = 40;
    std::atomic<int> returnedUnsynced{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                std::uint64_t before = 0;  // commits before ours: ours is numbered above it
                s.transaction([&](store::Session& db) {
                    before = s.commits();
                    store::Statement ins(db, "INSERT INTO plugin_state VALUES ('p', 'f', ?, x'01', 1)");
                    ins.bind(1, std::to_string(t) + "-" + std::to_string(i));
                    ins.exec();
                });
                if (s.syncedCommits() < before + 1) ++returnedUnsynced;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(returnedUnsynced.load(), 0);
    EXPECT_EQ(rowsOf(s), kThreads * kEach);
    EXPECT_EQ(s.syncedCommits(), s.commits());
    // Eight writers on a real disk: while one fdatasync runs the others commit and wait, and the
    // next fsync covers them all. Without group commit this is one fsync per commit.
    EXPECT_LT(s.walSyncs(), static_cast<std::uint64_t>(kThreads * kEach))
        << "no fsync was shared (" << s.walSyncs() << " for " << kThreads * kEach << " commits)";
    std::cout << "[ figures  ] " << kThreads * kEach << " durable commits from " << kThreads << " threads, "
              << s.walSyncs() << " WAL fsyncs\n";
}
