// Issue 21: three `ledgerbridge serve` replicas sharing 30 connections on one PostgreSQL, the
// real processes against the simulator over HTTPS, webhooks handed to a random replica.
//
//  ExactlyOnceAndSigkill  every export job is exported exactly once (the CSV plugin's files read
//                         back with the independent reader: each entry once, none missing, Pleo
//                         holds every one as successful); then one replica is SIGKILLed while it
//                         is inside an export and its connections move to the other two within
//                         the lease time plus a tick and finish there (measured and asserted);
//                         no secret in any replica's log.
//  PausedReplicaIsFenced  a replica SIGSTOPped inside an export past its lease time: the others
//                         take its connections over and finish them; after SIGCONT it writes
//                         nothing — the ledger rows and the books are unchanged, its log shows the
//                         refused write — and every entry is still booked exactly once.
//  DISABLED_Figures       scripts/bench-replicas: connections per replica, and the database's
//                         transactions per connection per scheduler tick while idle and busy.
//
// Needs LEDGERBRIDGE_TEST_PG_URL (scripts/with-postgres); skipped with a message without it, and
// .ci/postgres-tests-ran fails CI if these cases (names ending /PostgreSQL) are skipped there.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>
#include <tuple>

#include "BookFiles.hpp"
#include "ReplicaCluster.h"
#include "ledgerbridge/oauth/TestHooks.h"

using namespace ledgerbridge;
using namespace ledgerbridge::replicas;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kConnections = 30;
constexpr int kReplicas = 3;
/// The run lease time the replicas run with (LEDGERBRIDGE_TEST_LEASE_MS, a hook of test builds;
/// 10 minutes otherwise): short, so a lost replica's connections move within the test.
constexpr int kLeaseSeconds = 4;
/// The paused replica's cluster needs a lease longer than the longest a stopped process can hold
/// the database's write lock: SIGSTOP may catch it inside a write transaction, and the server
/// ends that session only after idle_in_transaction_session_timeout, twice the store's busy
/// timeout (2 x 10 s). Until then no replica can write, renewals included; with a shorter lease
/// every replica's leases lapse at once and all 30 connections start over.
constexpr int kPausedLeaseSeconds = 24;
/// The scheduler's tick per connection (`schedule = every 2s` in ReplicaCluster's config).
constexpr int kTickSeconds = 2;
/// What a takeover may take beyond lease time and tick: the survivor's run start, the store's
/// one write lock, and this test's own polling, on 2 cores shared with other work (measured
/// 5-9.4 s in all for a 4 s lease at a load of 10).
constexpr double kMarginSeconds = 5.0;

/// The last `n` bytes of a process's output, for a failure message.
std::string tail(const std::string& text, std::size_t n) { return text.size() <= n ? text : text.substr(text.size() - n); }

enum class Backend { PostgreSQL };
void PrintTo(Backend, std::ostream* os) { *os << "PostgreSQL"; }

class ThreeServeReplicas : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        std::string why;
        if (!TestDatabase::configured(why)) GTEST_SKIP() << why;
        if (!oauth::testhooks::compiledIn())
            GTEST_SKIP() << "this build has no test hooks (LEDGERBRIDGE_TEST_HOOKS): the replicas could not run with a "
                            "lease of seconds";
    }
};

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Every entry of every job booked exactly once, none missing, and Pleo holds each as successful.
void expectExactlyOnce(ReplicaCluster& cluster, const std::vector<std::map<std::string, std::string>>& rounds) {
    std::vector<std::string> dirs;
    for (const auto& name : cluster.connections()) dirs.push_back(cluster.exportsDir(name));
    const books::Bookings books = books::readBookings(dirs);
    EXPECT_EQ(books.formatErrors, std::vector<std::string>{}) << "the CSV files break the format's rules";
    std::size_t expected = 0, missing = 0, notSuccessful = 0;
    std::string examples;
    for (const auto& jobs : rounds)
        for (const auto& [name, job] : jobs) {
            auto items = cluster.sim().admin("GET", "/admin/export-jobs/" + job + "/items?limit=1000")->getArray("data");
            for (std::size_t i = 0; i < items->size(); ++i) {
                auto item = items->getObject(static_cast<unsigned>(i));
                const std::string entry = item->getValue<std::string>("accountingEntryId");
                ++expected;
                if (item->getValue<std::string>("status") != "successful") ++notSuccessful;
                if (!books.bookings.count(entry)) {
                    ++missing;
                    if (missing <= 5) examples += "\n  missing: " + name + " " + entry;
                }
            }
        }
    for (const auto& [entry, where] : books.bookings)
        if (where.size() > 1 && examples.size() < 2000) examples += "\n  twice: " + entry + " at " + where[0] + " and " + where[1];
    std::cout << "[replicas] books: " << books.bookings.size() << " entries booked, " << expected << " in the jobs, "
              << books.duplicated() << " booked more than once, " << missing << " missing, " << notSuccessful
              << " not successful in Pleo" << std::endl;
    EXPECT_EQ(books.duplicated(), 0u) << examples;
    EXPECT_EQ(missing, 0u) << examples;
    EXPECT_EQ(books.bookings.size(), expected);
    EXPECT_EQ(notSuccessful, 0u);
    // The ledger agrees: every row posted and reported to Pleo.
    EXPECT_EQ(cluster.db().scalar("SELECT count(*) FROM ledger WHERE state <> 'posted' OR reported = 0"), 0);
    EXPECT_EQ(cluster.db().scalar("SELECT count(*) FROM ledger"), static_cast<std::int64_t>(expected));
}

/// Pleo slowed down (every API request waits `ms`), so a 150-entry job lasts a few seconds.
void slowPleo(ReplicaCluster& cluster, int ms) {
    cluster.sim().admin("POST", "/admin/faults",
                        ms > 0 ? "{\"rate\":1,\"faults\":[\"slow\"],\"slowMs\":" + std::to_string(ms) + "}" : "{\"rate\":0}");
}

/// The connections whose scheduler lease (`run:<connection>`) `pid` holds; the engine's leases
/// (`run:<fingerprint>`) are left out.
std::vector<std::string> connectionsHeldBy(ReplicaCluster& cluster, long pid) {
    std::vector<std::string> out;
    const auto holders = cluster.leaseHolders();
    for (const auto& name : cluster.connections()) {
        const auto it = holders.find("run:" + name);
        if (it != holders.end() && it->second == pid) out.push_back(name);
    }
    return out;
}

/// Waits until some replica holds the run lease of a connection whose export is under way (its
/// job in progress, part of its entries in the books); returns {replica index, connection}, or
/// {-1, ""} when none did within `limit`.
std::pair<int, std::string> waitUntilInsideAnExport(ReplicaCluster& cluster, const std::map<std::string, std::string>& jobs,
                                                    int items, std::chrono::seconds limit) {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
        for (int i = 0; i < cluster.replicaCount(); ++i)
            for (const auto& name : connectionsHeldBy(cluster, cluster.replica(i).pid())) {
                if (cluster.jobStatus(jobs.at(name)) != "in_progress") continue;
                const auto booked = books::readBookings({cluster.exportsDir(name)}).bookings.size();
                if (booked > 0 && booked < static_cast<std::size_t>(items)) return {i, name};
            }
        std::this_thread::sleep_for(50ms);
    }
    return {-1, ""};
}

/// For a failure message: who holds each of `connections`' leases, and the last lines each
/// replica logged about them.
std::string diagnose(ReplicaCluster& cluster, const std::vector<std::string>& connections) {
    std::string out;
    const auto holders = cluster.leaseHolders();
    for (const auto& name : connections) {
        const auto it = holders.find("run:" + name);
        out += "\n" + name + ": lease " + (it == holders.end() ? std::string("free") : "held by pid " + std::to_string(it->second));
        for (int i = 0; i < cluster.replicaCount(); ++i) {
            std::istringstream in(cluster.replica(i).log());
            std::vector<std::string> lines;
            for (std::string line; std::getline(in, line);)
                if (line.find("\"connection\":\"" + name + "\"") != std::string::npos) lines.push_back(line.substr(0, 300));
            out += "\n  replica " + std::to_string(i) + " (pid " + std::to_string(cluster.replica(i).pid()) + "), last of " +
                   std::to_string(lines.size()) + " lines:";
            for (std::size_t k = lines.size() > 4 ? lines.size() - 4 : 0; k < lines.size(); ++k) out += "\n    " + lines[k];
        }
    }
    return out;
}

/// A replica interrupted by a signal while it was inside an export.
struct Interruption {
    std::map<std::string, std::string> jobs;          ///< the job of every connection (connection -> job id)
    int index = -1;                                   ///< the replica interrupted
    std::string inside;                               ///< the connection it was exporting ("" if never seen)
    std::vector<std::string> held;                    ///< every connection whose run lease it held
    std::map<std::string, std::string> heldJobs;      ///< their jobs
    Clock::time_point at;                             ///< when the signal was sent
};

/// Slows Pleo down (every API request 100 ms), so jobs of `items` entries last a few seconds,
/// creates one for every connection, waits until a replica is inside an export, takes it
/// out of the webhook front's rotation (as Kubernetes does with a pod that stops answering) and
/// sends it `sig`; then Pleo is fast again, so what is left goes quickly.
Interruption interruptInsideAnExport(ReplicaCluster& cluster, int items, int sig) {
    Interruption out;
    slowPleo(cluster, 100);
    out.jobs = cluster.createJobs(items);
    std::tie(out.index, out.inside) = waitUntilInsideAnExport(cluster, out.jobs, items, 60s);
    if (out.inside.empty()) return out;
    const int index = out.index;
    Replica& replica = cluster.replica(index);
    out.held = connectionsHeldBy(cluster, replica.pid());
    for (const auto& name : out.held) out.heldJobs[name] = out.jobs.at(name);
    cluster.setInService(index, false);
    out.at = Clock::now();
    replica.signal(sig);
    slowPleo(cluster, 0);
    return out;
}

/// Seconds from the interruption until another replica held the lease of each connection the
/// interrupted one held (or its job was finished): the longest.
double waitForTakeover(ReplicaCluster& cluster, const Interruption& interruption, long pid, std::chrono::seconds limit) {
    double longest = 0;
    for (const auto& [name, job] : interruption.heldJobs) {
        while (secondsSince(interruption.at) < std::chrono::duration<double>(limit).count()) {
            const auto holders = cluster.leaseHolders();
            const auto it = holders.find("run:" + name);
            const std::string status = cluster.jobStatus(job);
            if ((it != holders.end() && it->second != pid) || (status != "pending" && status != "in_progress")) break;
            std::this_thread::sleep_for(50ms);
        }
        longest = std::max(longest, secondsSince(interruption.at));
    }
    return longest;
}

/// Prints and returns how the connections' runs spread over the replicas (connections whose
/// run found a job, per replica log).
std::vector<std::size_t> printSpread(ReplicaCluster& cluster, const std::string& what) {
    std::vector<std::size_t> spread;
    std::string line = "[replicas] " + what + ": connections per replica:";
    for (int i = 0; i < cluster.replicaCount(); ++i) {
        spread.push_back(connectionsWithWork(cluster.replica(i).log()).size());
        line += " r" + std::to_string(i) + "=" + std::to_string(spread.back());
    }
    std::string hooks = ", webhooks per replica port:";
    for (const auto& [port, n] : cluster.webhooksDelivered()) hooks += " " + std::to_string(port) + "=" + std::to_string(n);
    std::cout << line << hooks << std::endl;
    return spread;
}

}  // namespace

TEST_P(ThreeServeReplicas, ExactlyOnceAndSigkill) {
    ReplicaCluster cluster(kConnections, 400, kLeaseSeconds * 1000LL);
    for (int i = 0; i < kReplicas; ++i) cluster.start(i);

    // Every company's user clicks Export; the webhooks land on random replicas.
    const auto first = cluster.createJobs(10);
    const auto open = cluster.waitFinished(first, 60s);
    ASSERT_EQ(open, std::vector<std::string>{}) << cluster.replica(0).log().substr(0, 4000);
    const auto spread = printSpread(cluster, "30 jobs of 10 entries");
    for (std::size_t n : spread) EXPECT_GT(n, 0u) << "every replica should have run some connections";

    // Larger jobs against a slow Pleo; a replica is SIGKILLed inside one of its exports.
    const Interruption killed = interruptInsideAnExport(cluster, 150, SIGKILL);
    ASSERT_NE(killed.inside, "") << "no replica was ever seen in the middle of an export";
    const auto& second = killed.jobs;
    Replica& victim = cluster.replica(killed.index);
    victim.wait();
    const auto& held = killed.held;
    const auto killedAt = killed.at;

    // Its connections: when another replica holds each lease, and when each job is finished.
    const auto& heldJobs = killed.heldJobs;
    const double takeover = waitForTakeover(cluster, killed, victim.pid(), std::chrono::seconds(kLeaseSeconds + 60));
    const auto notFinished = cluster.waitFinished(heldJobs, std::chrono::seconds(kLeaseSeconds + 60));
    ASSERT_EQ(notFinished, std::vector<std::string>{}) << diagnose(cluster, notFinished);
    const double finished = secondsSince(killedAt);
    std::cout << "[replicas] SIGKILL of replica " << killed.index << " inside the export of " << killed.inside << " holding " << held.size()
              << " connections: taken over within " << takeover << " s, finished within " << finished
              << " s (lease time " << kLeaseSeconds << " s, tick " << kTickSeconds << " s)" << std::endl;
    EXPECT_LE(takeover, kLeaseSeconds + kTickSeconds + kMarginSeconds) << "the lease should move within its time plus one tick";
    EXPECT_LE(finished, kLeaseSeconds + kTickSeconds + 20.0) << "the rest of the jobs should finish soon after";
    ASSERT_EQ(cluster.waitFinished(second, 60s), std::vector<std::string>{});
    printSpread(cluster, "after the SIGKILL");

    expectExactlyOnce(cluster, {first, second});
    // Nothing the replicas wrote holds a secret they were given (logs, stderr).
    for (int i = 0; i < kReplicas; ++i)
        for (const auto& secret : cluster.secrets()) {
            EXPECT_EQ(cluster.replica(i).log().find(secret), std::string::npos) << "replica " << i << "'s log holds a secret";
            EXPECT_EQ(cluster.replica(i).stderrText().find(secret), std::string::npos) << "replica " << i << "'s stderr holds a secret";
        }
    for (int i = 0; i < kReplicas; ++i) {
        if (i == killed.index) continue;
        cluster.replica(i).signal(SIGTERM);
        EXPECT_EQ(cluster.replica(i).wait(), 0) << "replica " << i << " stops cleanly";
    }
}

TEST_P(ThreeServeReplicas, PausedReplicaIsFenced) {
    ReplicaCluster cluster(kConnections, 400, kPausedLeaseSeconds * 1000LL);
    for (int i = 0; i < kReplicas; ++i) cluster.start(i);
    const Interruption stopped = interruptInsideAnExport(cluster, 150, SIGSTOP);
    ASSERT_NE(stopped.inside, "") << "no replica was ever seen in the middle of an export";
    const auto& jobs = stopped.jobs;
    Replica& paused = cluster.replica(stopped.index);

    // The others take its connections over once its leases expire, not before, and finish them.
    const double takeover = waitForTakeover(cluster, stopped, paused.pid(), std::chrono::seconds(kPausedLeaseSeconds + 60));
    const auto notTakenOver = cluster.waitFinished(stopped.heldJobs, std::chrono::seconds(kPausedLeaseSeconds + 60));
    ASSERT_EQ(notTakenOver, std::vector<std::string>{})
        << "the paused replica's connections were not taken over" << diagnose(cluster, notTakenOver);
    const double finished = secondsSince(stopped.at);
    ASSERT_EQ(cluster.waitFinished(jobs, 60s), std::vector<std::string>{});
    std::cout << "[replicas] SIGSTOP of replica " << stopped.index << " inside the export of " << stopped.inside << " holding "
              << stopped.held.size() << " connections: taken over after " << takeover << " s, finished within " << finished
              << " s (lease time " << kPausedLeaseSeconds << " s, tick " << kTickSeconds << " s)" << std::endl;
    // Its leases were last renewed up to a third of their time before the stop (LeaseKeeper).
    EXPECT_GE(takeover, kPausedLeaseSeconds * 2.0 / 3 - 0.5) << "nobody may take a lease before it expires";
    EXPECT_LE(takeover, kPausedLeaseSeconds + kTickSeconds + kMarginSeconds) << "the lease should move within its time plus one tick";

    // What is written before it wakes up.
    const std::string ledgerSql =
        "SELECT job_id, entry_id, state, reported, coalesce(external_id, ''), updated_at FROM ledger ORDER BY job_id, entry_id";
    const auto ledgerBefore = cluster.db().query(ledgerSql);
    std::vector<std::string> dirs;
    for (const auto& name : cluster.connections()) dirs.push_back(cluster.exportsDir(name));
    const auto booksBefore = books::readBookings(dirs).bookings;
    const std::size_t logBefore = paused.log().size();

    // It wakes up past its lease, in the middle of its export: every write it tries is refused.
    // Its run goes on at once and its next ledger write meets the fence; its lease keeper finds
    // the holding lost within a third of the lease time.
    paused.signal(SIGCONT);
    const auto wokeAt = Clock::now();
    while (secondsSince(wokeAt) < kPausedLeaseSeconds / 3 + 5 &&
           paused.log().find("that work writes nothing more", logBefore) == std::string::npos)
        std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(2s);  // anything it would still write comes now
    const auto ledgerAfter = cluster.db().query(ledgerSql);
    EXPECT_EQ(ledgerAfter, ledgerBefore) << "the woken replica changed the ledger";
    EXPECT_EQ(books::readBookings(dirs).bookings, booksBefore) << "the woken replica wrote to the books";
    const std::string woke = paused.log().substr(logBefore);
    std::cout << "[replicas] the woken replica's log after SIGCONT (" << woke.size() << " bytes), its refused writes:\n";
    std::istringstream in(woke);
    int shown = 0;
    for (std::string line; std::getline(in, line) && shown < 4;)
        if (line.find("is lost") != std::string::npos) {
            std::cout << "  " << line.substr(0, 400) << "\n";
            ++shown;
        }
    std::cout << std::flush;
    // The fence's refusal (store::LeaseLostError), as the engine logs it.
    EXPECT_NE(woke.find("is lost: it lapsed and another process took it over"), std::string::npos)
        << "its log should say the fence refused its write:\n" << woke.substr(0, 4000);
    EXPECT_NE(woke.find("that work writes nothing more"), std::string::npos) << woke.substr(0, 4000);
    // In the database: the connection it was exporting is held by another replica, with a
    // higher fencing token than the one the paused replica's run was writing with.
    for (const auto& row : cluster.db().query("SELECT name, holder, token FROM leases WHERE name = 'run:" + stopped.inside + "'"))
        std::cout << "[replicas] lease " << row[0] << " now: holder " << row[1] << ", token " << row[2] << std::endl;

    expectExactlyOnce(cluster, {jobs});
    for (int i = 0; i < kReplicas; ++i) {
        cluster.replica(i).signal(SIGTERM);
        const int status = cluster.replica(i).wait();
        EXPECT_EQ(status, 0) << "replica " << i << " stops cleanly; its stderr ends:\n"
                             << tail(cluster.replica(i).stderrText(), 6000);
    }
    if (HasFailure())
        std::cout << "[replicas] the paused replica's stderr ends:\n" << tail(paused.stderrText(), 6000) << std::endl;
}

namespace {

/// The database's work so far: transactions (pg_stat_database, this database) and, when
/// pg_stat_statements is loaded, statements executed by anyone but this test's sampling.
struct DatabaseWork {
    std::int64_t transactions = 0, statements = 0;
};

DatabaseWork sampleWork(TestDatabase& db, bool statements) {
    DatabaseWork w;
    w.transactions = db.scalar("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
    if (statements)
        w.statements = db.scalar("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'");
    return w;
}

int envInt(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

}  // namespace

// scripts/bench-replicas: the figures of issue 21, printed as "[replicas] ..." lines.
TEST_P(ThreeServeReplicas, DISABLED_Figures) {
    const int idleSeconds = envInt("LEDGERBRIDGE_BENCH_IDLE_SECONDS", 20);
    const int items = envInt("LEDGERBRIDGE_BENCH_ITEMS", 100);
    // The production lease time (10 minutes): renewals of test-short leases would inflate the counts.
    ReplicaCluster cluster(kConnections, items, 10 * 60 * 1000LL);
    bool statements = false;
    try {
        cluster.db().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        cluster.db().query("SELECT pg_stat_statements_reset()");
        statements = true;
    } catch (const std::exception& e) {
        std::cout << "[replicas] no pg_stat_statements (start the server with shared_preload_libraries="
                     "pg_stat_statements, as scripts/bench-replicas does): transactions only\n";
    }
    for (int i = 0; i < kReplicas; ++i) cluster.start(i);
    std::this_thread::sleep_for(std::chrono::seconds(2 * kTickSeconds));  // start-up and first ticks settle

    const double ticks = double(kConnections) * idleSeconds / kTickSeconds;  // each connection's schedule, service-wide
    auto before = sampleWork(cluster.db(), statements);
    std::this_thread::sleep_for(std::chrono::seconds(idleSeconds));
    auto after = sampleWork(cluster.db(), statements);
    std::cout << std::fixed << std::setprecision(2) << "[replicas] idle, " << kConnections << " connections on "
              << kReplicas << " replicas, tick " << kTickSeconds << " s, " << idleSeconds << " s: "
              << double(after.transactions - before.transactions) / ticks << " transactions";
    if (statements) std::cout << ", " << double(after.statements - before.statements) / ticks << " statements";
    std::cout << " per connection per tick (" << after.transactions - before.transactions << " transactions";
    if (statements) std::cout << ", " << after.statements - before.statements << " statements";
    std::cout << ")" << std::endl;
    if (statements) {
        std::cout << "[replicas] idle: the most frequent statements:\n";
        for (const auto& row : cluster.db().query("SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM "
                                                  "pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY calls DESC LIMIT 8"))
            std::cout << "  " << row[0] << "  " << row[1] << "\n";
        cluster.db().query("SELECT pg_stat_statements_reset()");
    }

    before = sampleWork(cluster.db(), statements);
    const auto started = Clock::now();
    const auto jobs = cluster.createJobs(items);
    ASSERT_EQ(cluster.waitFinished(jobs, 300s), std::vector<std::string>{});
    const double busySeconds = secondsSince(started);
    after = sampleWork(cluster.db(), statements);
    const double entries = double(kConnections) * items;
    std::cout << "[replicas] busy, one job of " << items << " entries per connection: all finished in " << busySeconds
              << " s; " << double(after.transactions - before.transactions) / entries << " transactions";
    if (statements) std::cout << ", " << double(after.statements - before.statements) / entries << " statements";
    std::cout << " per entry; " << double(after.transactions - before.transactions) / (kConnections * busySeconds / kTickSeconds)
              << " transactions per connection per tick" << std::endl;
    printSpread(cluster, "busy");
    expectExactlyOnce(cluster, {jobs});
}

INSTANTIATE_TEST_SUITE_P(Replicas, ThreeServeReplicas, ::testing::Values(Backend::PostgreSQL),
                         [](const ::testing::TestParamInfo<Backend>&) { return std::string("PostgreSQL"); });
