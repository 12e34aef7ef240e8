// Several `ledgerbridge serve` replicas on one PostgreSQL database, as a Kubernetes Deployment
// runs them: the simulator with many companies (one connection each, API-key credentials, the
// CSV plugin writing into a folder per connection), a throw-away schema on the server that
// scripts/with-postgres started, one config per replica (its own listen port, log file and
// local state folder; everything else shared), and a webhook "Service" in front of them that
// hands each delivery to a random replica. The test reads the results back without any of
// ledgerbridge's code: Pleo's side through the simulator's admin API, the books through the
// CSV plugin's independent reader (tests/books), the database through libpq.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "SimHarness.h"

namespace ledgerbridge::replicas {

/// The test's own libpq connection to LEDGERBRIDGE_TEST_PG_URL, and a schema of its own that
/// the replicas share (dropped at the end).
class TestDatabase {
public:
    /// False (with why) when the with-postgres variables are not set.
    static bool configured(std::string& why);
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    /// The URL the replicas use: the server's, with this schema first on the search path.
    std::string stateUrl() const;
    /// Rows of `sql` (run with the schema on the search path), every value as text.
    std::vector<std::vector<std::string>> query(const std::string& sql);
    /// The first column of the first row as an integer.
    std::int64_t scalar(const std::string& sql);

private:
    PGconn* conn_ = nullptr;
    std::string url_, schema_;
};

/// One `ledgerbridge serve` process.
class Replica {
public:
    /// `leaseMs`: the run leases' lifetime (LEDGERBRIDGE_TEST_LEASE_MS, a hook of test builds).
    Replica(int index, const std::string& configPath, const std::string& logPath, long long leaseMs);
    ~Replica();  ///< SIGKILLs the process if it still runs (and SIGCONTs it first if stopped)
    Replica(const Replica&) = delete;
    Replica& operator=(const Replica&) = delete;
    int index() const { return index_; }
    int pid() const { return pid_; }
    int port() const { return port_; }
    /// Sends `sig` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
    void signal(int sig);
    /// Waits for the exit; returns the exit code (-1 when already reaped).
    int wait();
    bool exited() const { return !handle_; }
    /// The replica's JSON log file so far.
    std::string log() const;
    /// Its stderr so far (the log goes to the file; this holds what went wrong at start-up).
    std::string stderrText() const;

private:
    int index_, pid_ = 0, port_ = 0;
    std::string logPath_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    Poco::Pipe out_, err_;
    std::thread errReader_;
    mutable std::mutex errMutex_;
    std::string errText_;
    bool stopped_ = false;
};

/// An HTTP front for the webhook receivers: each delivery goes to one replica picked at random
/// among those `targets()` lists (another one when it cannot be reached), as a Kubernetes
/// Service spreads requests over the pods. Answers with the replica's status.
class WebhookSpreader {
public:
    explicit WebhookSpreader(std::function<std::vector<int>()> targets);
    ~WebhookSpreader();
    int port() const;
    /// Deliveries per replica port that answered 2xx.
    std::map<int, int> delivered() const;

private:
    class Handler;
    class Factory;
    std::function<std::vector<int>()> targets_;
    mutable std::mutex mutex_;
    std::map<int, int> delivered_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

/// The whole installation: simulator, database schema, `connections` connections, the webhook
/// front; replicas are started with start().
class ReplicaCluster {
public:
    /// `leaseMs`: the replicas' run lease time. `simArgs`: extra simulator flags.
    ReplicaCluster(int connections, int itemsPerCompany, long long leaseMs, std::vector<std::string> simArgs = {});
    ~ReplicaCluster();

    /// Starts replica `index` (0-based; its config is written on first start).
    Replica& start(int index);
    Replica& replica(int index) { return *replicas_.at(static_cast<std::size_t>(index)); }
    int replicaCount() const { return static_cast<int>(replicas_.size()); }
    /// Replicas the webhook front may send to (started, not marked out).
    void setInService(int index, bool inService);

    oauth::simtest::Simulator& sim() { return *sim_; }
    TestDatabase& db() { return db_; }
    const std::string& dir() const { return dir_; }
    const std::vector<std::string>& connections() const { return names_; }
    const std::string& companyOf(const std::string& connection) const { return companies_.at(connection); }
    std::string exportsDir(const std::string& connection) const { return dir_ + "/exports/" + connection; }
    std::map<int, int> webhooksDelivered() const { return spreader_->delivered(); }
    /// Every secret the replicas were given: API keys, the webhook secret, the database password.
    const std::vector<std::string>& secrets() const { return secrets_; }

    /// A pending job of `items` entries for every connection's company (each fires Pleo's
    /// webhook); connection -> job id.
    std::map<std::string, std::string> createJobs(int items);
    /// Pleo's status of the job.
    std::string jobStatus(const std::string& jobId);
    /// Waits until every job is finished in Pleo or `limit` passes; returns the unfinished ones.
    std::vector<std::string> waitFinished(const std::map<std::string, std::string>& jobs, std::chrono::seconds limit);
    /// The lease holders' process ids: lease name -> pid (unexpired leases only).
    std::map<std::string, long> leaseHolders();

private:
    TestDatabase db_;
    std::string dir_, redirect_;
    long long leaseMs_;
    std::unique_ptr<oauth::simtest::Simulator> sim_;
    std::vector<std::string> names_, secrets_;
    std::map<std::string, std::string> companies_;
    std::unique_ptr<WebhookSpreader> spreader_;
    std::vector<std::unique_ptr<Replica>> replicas_;
    std::mutex serviceMutex_;
    std::set<int> inService_;

    std::string configFor(int index) const;
};

/// Connections whose export run found work, per replica log: connection -> runs with jobs > 0.
std::map<std::string, int> connectionsWithWork(const std::string& log);

}  // namespace ledgerbridge::replicas
