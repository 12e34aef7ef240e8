// The PostgreSQL backend's own rules: placeholders, URLs and passwords, failures that say what
// they are (wrong password, no server, a lost connection) and the one-writer lock. The store's
// behaviour on PostgreSQL is tested by every suite instantiated with LB_ON_BOTH_BACKENDS.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "StoreBackends.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/PluginState.h"
#include "ledgerbridge/store/PostgresSession.h"

using namespace ledgerbridge;
using store::PostgresSession;


TEST(PostgresPlaceholders, QuestionMarksAreNumberedOutsideQuotesAndComments) {
    int n = 0;
    EXPECT_EQ(PostgresSession::numberPlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?", n),
              "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4");
    EXPECT_EQ(n, 4);
    EXPECT_EQ(PostgresSession::numberPlaceholders("SELECT '?', \"a?\" -- why?\nFROM t WHERE x = ?", n),
              "SELECT '?', \"a?\" -- why?\nFROM t WHERE x = $1");
    EXPECT_EQ(n, 1);
    EXPECT_EQ(PostgresSession::numberPlaceholders("SELECT 'it''s ?' WHERE y = ?", n), "SELECT 'it''s ?' WHERE y = $1");
    EXPECT_EQ(n, 1);
    // SQLite's numbered form keeps its numbers (PluginHealth::recordCrash uses ?1 three times).
    EXPECT_EQ(PostgresSession::numberPlaceholders("UPDATE t SET a = CASE WHEN ?1 <> '' THEN ?1 END, b = ?2 WHERE c = ?3", n),
              "UPDATE t SET a = CASE WHEN $1 <> '' THEN $1 END, b = $2 WHERE c = $3");
    EXPECT_EQ(n, 3);
}

TEST(PostgresUrl, APasswordInTheUrlIsRefusedWithoutRepeatingIt) {
    const std::string m = errorOf<std::exception>([] { PostgresSession::describeUrl("postgresql://lb:hunter2secret@db.internal:5432/lb"); });
    EXPECT_NE(m.find("[state] url carries a password"), std::string::npos) << m;
    EXPECT_NE(m.find("[state] password = env:NAME or file:PATH"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2secret"), std::string::npos) << m;
}

TEST(PostgresUrl, TheDescriptionNamesUserHostPortAndDatabase) {
    EXPECT_EQ(PostgresSession::describeUrl("postgresql://lb@db.internal:6432/ledger?sslmode=verify-full"),
              "postgresql://lb@db.internal:6432/ledger");
    const std::string m = errorOf<std::exception>([] { PostgresSession::describeUrl("mysql://lb@db/x"); });
    EXPECT_NE(m.find("[state] url must be a PostgreSQL URL"), std::string::npos) << m;
    EXPECT_NE(errorOf<std::exception>([] { PostgresSession::describeUrl("postgresql://lb@db/x?nosuchparameter=1"); })
                  .find("[state] url is not a valid PostgreSQL URL"),
              std::string::npos);
}

TEST(PostgresConnect, NoServerIsAStoreErrorNamingWhere) {
    // Port 1 on loopback: nothing listens there.
    const std::string m = errorOf<std::exception>([] { PostgresSession("postgresql://lb@127.0.0.1:1/lb", "pw-not-shown", 1000); });
    EXPECT_EQ(m.rfind("state store: cannot connect to postgresql://lb@127.0.0.1:1/lb: ", 0), 0u) << m;
    EXPECT_NE(m.find("is the server running"), std::string::npos) << m;
    EXPECT_EQ(m.find("pw-not-shown"), std::string::npos) << m;
}

class PostgresOnly : public BackendTest {};
INSTANTIATE_TEST_SUITE_P(, PostgresOnly, ::testing::Values(Backend::PostgreSQL), backendName);

TEST_P(PostgresOnly, AWrongPasswordIsRefusedNamingTheLoginNotThePassword) {
    const std::string url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    const std::string m = errorOf<std::exception>([&] { PostgresSession(url, "wrong-password-x7", 1000); });
    EXPECT_EQ(m.rfind("state store: cannot connect to postgresql://", 0), 0u) << m;
    EXPECT_NE(m.find("password authentication failed"), std::string::npos) << m;
    EXPECT_NE(m.find("[state] password refers to"), std::string::npos) << m;
    EXPECT_EQ(m.find("wrong-password-x7"), std::string::npos) << m;
}

TEST_P(PostgresOnly, ALostConnectionFailsTheCallAndTheNextCallReconnects) {
    auto victim = open();
    auto other = open();
    store::PluginState state(*victim);
    state.put("csv", "fp", "k", "1");
    std::int64_t pid = 0;
    victim->read([&](store::Session& db) { pid = db.execAndGet("SELECT pg_backend_pid()").getInt64(); });
    other->read([&](store::Session& db) { db.exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"); });
    const std::string m = errorOf<std::exception>([&] { state.put("csv", "fp", "k", "2"); });
    EXPECT_NE(m.find("state store: the connection to postgresql://"), std::string::npos) << m;
    EXPECT_NE(m.find("nothing of it was kept"), std::string::npos) << m;
    EXPECT_EQ(state.get("csv", "fp", "k"), std::optional<std::string>("1")) << "reconnected; the failed write is absent";
    state.put("csv", "fp", "k", "3");
    EXPECT_EQ(state.get("csv", "fp", "k"), std::optional<std::string>("3"));
}

// A statement prepared on a connection the server has since ended (a replica woken from SIGSTOP
// finds its session ended by idle_in_transaction_session_timeout) runs again on the new
// connection: the reconnect forgets every prepared statement, and the statement is prepared
// afresh. (It used the forgotten name, freed by the reconnect: AddressSanitizer stopped the
// woken replica with a heap-use-after-free, and without it the read failed with "prepared
// statement does not exist".)
TEST_P(PostgresOnly, AReadPreparedBeforeTheConnectionWasLostRunsAgainAfterTheReconnect) {
    auto victim = open();
    auto other = open();
    store::PluginState state(*victim);
    state.put("csv", "fp", "k", "1");
    EXPECT_EQ(state.get("csv", "fp", "k"), std::optional<std::string>("1"));  // the read is prepared now
    std::int64_t pid = 0;
    victim->read([&](store::Session& db) { pid = db.execAndGet("SELECT pg_backend_pid()").getInt64(); });
    other->read([&](store::Session& db) { db.exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"); });
    const std::string m = errorOf<std::exception>([&] { state.get("csv", "fp", "k"); });
    EXPECT_NE(m.find("state store: the connection to postgresql://"), std::string::npos) << m;
    for (int i = 0; i < 3; ++i)  // the same prepared read, now on the new connection
        EXPECT_EQ(state.get("csv", "fp", "k"), std::optional<std::string>("1"));
}

// A replica stopped inside a write transaction (SIGSTOP, a frozen VM) would hold the write lock
// every replica needs until it wakes: the server ends its session after twice its busy timeout,
// another replica's write goes through, and the stopped one's transaction is discarded.
TEST_P(PostgresOnly, ASessionIdleInsideAWriteTransactionIsEndedAndItsWorkDiscarded) {
    auto paused = open(400);  // ended after 1 s idle in a transaction
    auto other = open();
    std::string pausedError;
    std::thread pausedThread([&] {
        pausedError = errorOf<std::exception>([&] {
            paused->transaction([&](store::Session& db) {
                db.exec("CREATE TABLE IF NOT EXISTS marks (who TEXT)");
                db.exec("INSERT INTO marks VALUES ('paused')");
                std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // "stopped"
            });
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto start = std::chrono::steady_clock::now();
    store::PluginState(*other).put("csv", "fp", "k", "written while the other was stopped");
    const auto waited = std::chrono::steady_clock::now() - start;
    pausedThread.join();
    EXPECT_LT(waited, std::chrono::milliseconds(2200)) << "the write waited for the stopped transaction to wake";
    EXPECT_NE(pausedError.find("connection"), std::string::npos) << pausedError;
    int marks = -1;
    other->read([&](store::Session& db) {
        marks = db.tableExists("marks") ? db.execAndGet("SELECT COUNT(*) FROM marks").getInt() : 0;
    });
    EXPECT_EQ(marks, 0) << "the stopped transaction's work was kept";
}

// Advisory locks belong to the whole database: the write lock's key includes the schema, so an
// installation in another schema of the same database writes while this one holds its lock (a
// replica stopped inside a write transaction stalled another schema's writes for 20 s before).
TEST_P(PostgresOnly, WritersInOtherSchemasDoNotWaitForEachOther) {
    auto holder = open();
    auto sameSchema = open(300);
    auto otherSchema = openInAnotherSchema(300);
    std::string sameError, otherError;
    std::chrono::steady_clock::duration otherTook{};
    holder->transaction([&](store::Session&) {
        std::thread([&] {
            sameError = errorOf<std::exception>([&] { store::PluginState(*sameSchema).put("csv", "fp", "k", "same"); });
            const auto start = std::chrono::steady_clock::now();
            otherError = errorOf<std::exception>([&] { store::PluginState(*otherSchema).put("csv", "fp", "k", "other"); });
            otherTook = std::chrono::steady_clock::now() - start;
        }).join();
    });
    EXPECT_NE(sameError.find("busy"), std::string::npos) << "the same schema's writer must wait for the lock: " << sameError;
    EXPECT_EQ(otherError, "") << "another schema's writer waited for this schema's lock";
    EXPECT_LT(otherTook, std::chrono::milliseconds(300));
    EXPECT_EQ(store::PluginState(*otherSchema).get("csv", "fp", "k"), std::optional<std::string>("other"));
    EXPECT_EQ(store::PluginState(*holder).get("csv", "fp", "k"), std::nullopt) << "the schemas share no rows";
}

TEST_P(PostgresOnly, TextHoldingANulByteIsRefusedInsteadOfStoredCutShort) {
    auto db = open();
    db->transaction([](store::Session& s) { s.exec("CREATE TABLE nul_probe (v TEXT)"); });
    const std::string m = errorOf<std::exception>([&] {
        db->transaction([](store::Session& s) {
            store::Statement insert(s, "INSERT INTO nul_probe (v) VALUES (?)");
            insert.bind(1, std::string("before\0after-secret", 19));
            insert.exec();
        });
    });
    EXPECT_NE(m.find("parameter 1 is text holding a NUL byte"), std::string::npos) << m;
    EXPECT_EQ(m.find("after-secret"), std::string::npos) << "the value is never repeated: " << m;
    std::int64_t rows = -1;
    db->read([&](store::Session& s) { rows = s.execAndGet("SELECT COUNT(*) FROM nul_probe").getInt64(); });
    EXPECT_EQ(rows, 0) << "nothing of the refused write is kept";
}

// As SQLite's BEGIN IMMEDIATE: one writer at a time across processes, and a writer kept waiting
// longer than the busy timeout fails with "busy" instead of waiting for ever.
LB_ON_BOTH_BACKENDS(WriteLock);

TEST_P(WriteLock, AWriterWaitingLongerThanTheBusyTimeoutFailsAsBusy) {
    auto holder = open();
    auto impatient = open(200);
    store::PluginState impatientState(*impatient);
    std::string m;
    holder->transaction([&](store::Session&) {
        // Another thread, another connection: it must wait for this transaction, then give up.
        std::thread([&] { m = errorOf<std::exception>([&] { impatientState.put("csv", "fp", "k", "v"); }); }).join();
    });
    EXPECT_NE(m.find("busy"), std::string::npos) << m;
    impatientState.put("csv", "fp", "k", "v");  // free again
    EXPECT_EQ(store::PluginState(*holder).get("csv", "fp", "k"), std::optional<std::string>("v"));
}
