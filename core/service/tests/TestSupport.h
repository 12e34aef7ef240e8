// Helpers shared by the service tests: UTC instants from calendar fields (via timegm, an
// implementation independent of ours), a temporary directory, and a scripted RunLauncher.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/service/RunLauncher.h"

namespace lbtest {

/// Blocks the service's signals (SIGINT, SIGTERM, SIGHUP) before any thread of the test process
/// exists (Poco's thread pool lives across tests), exactly as `ledgerbridge serve` must do at
/// start. One instance per test program (an inline variable), constructed at load.
struct BlockServiceSignalsAtLoad {
    BlockServiceSignalsAtLoad() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
    }
};
inline BlockServiceSignalsAtLoad blockServiceSignalsAtLoad;

using TimePoint = std::chrono::system_clock::time_point;

inline std::int64_t utcSeconds(int y, int mo, int d, int h, int mi, int s = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<std::int64_t>(timegm(&tm));
}

inline TimePoint utc(int y, int mo, int d, int h, int mi, int s = 0) {
    return TimePoint(std::chrono::seconds(utcSeconds(y, mo, d, h, mi, s)));
}

inline std::int64_t secondsOf(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("lb-service-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

/// A RunLauncher that records calls and can hold runs of chosen connections until released.
class FakeLauncher : public ledgerbridge::service::RunLauncher {
public:
    ledgerbridge::service::RunOutcome runConnection(const std::string& connection, const std::string& reason,
                                                    const ledgerbridge::service::CancelFlag& cancel) override {
        std::unique_lock<std::mutex> lock(mutex_);
        calls.emplace_back(connection, reason);
        ++inFlight;
        maxInFlight_ = std::max(maxInFlight_, inFlight);
        cv_.notify_all();
        // Held runs wait for release() — or, with returnOnCancel, for the cancel flag.
        // Polls, so that a cancel flag set without a notification is still seen.
        while (!((returnOnCancel && cancel.requested()) || held.count(connection) == 0))
            cv_.wait_for(lock, std::chrono::milliseconds(5));
        if (cancel.requested()) sawCancel = true;
        --inFlight;
        ++completed;
        cv_.notify_all();
        if (throwFor.count(connection) != 0) throw std::runtime_error("the engine failed");
        auto o = outcome;
        if (cancel.requested()) o.outcome = "interrupted";
        return o;
    }

    void hold(const std::string& c) {
        std::lock_guard<std::mutex> g(mutex_);
        held.insert(c);
    }
    void release(const std::string& c) {
        std::lock_guard<std::mutex> g(mutex_);
        held.erase(c);
        cv_.notify_all();
    }
    /// Wakes held runs so they re-check the cancel flag.
    void poke() {
        std::lock_guard<std::mutex> g(mutex_);
        cv_.notify_all();
    }
    /// Waits (up to 20 s of real time, so a bug fails instead of hanging) for `n` calls.
    bool waitCalls(std::size_t n) {
        std::unique_lock<std::mutex> lock(mutex_);
        return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return calls.size() >= n; });
    }
    bool waitCompleted(int n) {
        std::unique_lock<std::mutex> lock(mutex_);
        return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return completed >= n; });
    }
    /// The most runs that were inside runConnection at the same moment.
    int maxInFlight() {
        std::lock_guard<std::mutex> g(mutex_);
        return maxInFlight_;
    }
    void releaseAll() {
        std::lock_guard<std::mutex> g(mutex_);
        held.clear();
        cv_.notify_all();
    }
    std::vector<std::pair<std::string, std::string>> snapshot() {
        std::lock_guard<std::mutex> g(mutex_);
        return calls;
    }

    ledgerbridge::service::RunOutcome outcome;
    std::set<std::string> throwFor;
    std::atomic<bool> returnOnCancel{false};
    std::atomic<bool> sawCancel{false};

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::pair<std::string, std::string>> calls;
    std::set<std::string> held;
    int inFlight = 0;
    int maxInFlight_ = 0;
    int completed = 0;
};

}  // namespace lbtest
