// Named leases across processes: see Leases.h.
#include "ledgerbridge/store/Leases.h"

#include <Poco/Environment.h>
#include <Poco/Random.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::store {
namespace {

const std::string& hostName() {
    static const std::string h = Poco::Environment::nodeName();
    return h;
}

bool localProcessGone(const std::string& host, long pid) {
    if (host != hostName() || pid <= 0) return false;
    if (pid == static_cast<long>(::getpid())) return false;
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

const std::string& Leases::selfHolder() {
    static const std::string holder = [] {
        Poco::Random r;
        r.seed();
        return hostName() + ":" + std::to_string(::getpid()) + ":" + std::to_string(r.next());
    }();
    return holder;
}

// Lease writes are committed without fsync (Durability::ProcessCrash): a lease only matters
// between live processes, and after a power loss none is alive, so a lost lease write is
// harmless. A synced write per run start, renewal and release was the service's main cost
// per run at 1,000 connections (issue 18).
bool Leases::tryAcquire(const std::string& name, std::int64_t ttlMs, const std::string& holder) {
    bool acquired = false;
    log::Fields why;  // for the debug line: who holds it, or whose lease was taken over
    store_.transaction([&](Session& db) {
        why.clear();
        std::int64_t now = nowMs();
        Statement q(db, "SELECT holder, host, pid, expires_at FROM leases WHERE name = ?");
        q.bind(1, name);
        if (q.executeStep()) {
            std::string current = q.getColumn(0).getString();
            std::string host = q.getColumn(1).getString();
            long pid = static_cast<long>(q.getColumn(2).getInt64());
            std::int64_t expires = q.getColumn(3).getInt64();
            const bool gone = localProcessGone(host, pid);
            bool free = current == holder || expires <= now || gone;
            why = {{"holder_pid", pid}, {"holder_host", host}};
            if (!free) {
                why.emplace_back("expires_in_ms", expires - now);
                return;
            }
            if (current != holder) why.emplace_back("taken_over", gone ? "its process is gone" : "it had expired");
        }
        Statement up(db,
                             "INSERT INTO leases (name, holder, host, pid, acquired_at, expires_at) VALUES (?,?,?,?,?,?) "
                             "ON CONFLICT(name) DO UPDATE SET holder=excluded.holder, host=excluded.host, pid=excluded.pid, "
                             "acquired_at=excluded.acquired_at, expires_at=excluded.expires_at");
        up.bind(1, name);
        up.bind(2, holder);
        up.bind(3, hostName());
        up.bind(4, static_cast<std::int64_t>(::getpid()));
        up.bind(5, now);
        up.bind(6, now + ttlMs);
        up.exec();
        acquired = true;
    }, StateStore::Durability::ProcessCrash);
    if (log::enabled(log::Level::Debug)) {
        why.insert(why.begin(), {{"lease", name}, {"ttl_ms", ttlMs}});
        log::debug(acquired ? "lease taken" : "lease busy: held by another process", why);
    }
    return acquired;
}

bool Leases::renew(const std::string& name, std::int64_t ttlMs, const std::string& holder) {
    bool ok = false;
    store_.transaction([&](Session& db) {
        Statement up(db, "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?");
        up.bind(1, nowMs() + ttlMs);
        up.bind(2, name);
        up.bind(3, holder);
        ok = up.exec() == 1;
    }, StateStore::Durability::ProcessCrash);
    log::debug(ok ? "lease renewed" : "lease lost: another process holds it now", {{"lease", name}, {"ttl_ms", ttlMs}});
    return ok;
}

void Leases::release(const std::string& name, const std::string& holder) {
    store_.transaction([&](Session& db) {
        Statement del(db, "DELETE FROM leases WHERE name = ? AND holder = ?");
        del.bind(1, name);
        del.bind(2, holder);
        del.exec();
    }, StateStore::Durability::ProcessCrash);
    log::debug("lease released", {{"lease", name}});
}

bool Leases::current(const std::string& name, LeaseHolder& out) {
    bool found = false;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT holder, host, pid, expires_at FROM leases WHERE name = ? AND expires_at > ?");
        q.bind(1, name);
        q.bind(2, nowMs());
        if (q.executeStep()) {
            out.holder = q.getColumn(0).getString();
            out.host = q.getColumn(1).getString();
            out.pid = static_cast<long>(q.getColumn(2).getInt64());
            out.expiresAt = q.getColumn(3).getInt64();
            found = !localProcessGone(out.host, out.pid);
        }
    });
    return found;
}

ScopedLease::ScopedLease(Leases& leases, std::string name, std::int64_t ttlMs, std::int64_t waitMs, const std::string& what)
    : leases_(leases), name_(std::move(name)), ttlMs_(ttlMs) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    while (!leases_.tryAcquire(name_, ttlMs_)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            LeaseHolder h;
            std::string who = leases_.current(name_, h) ? " (held by process " + std::to_string(h.pid) + " on " + h.host + ")" : "";
            throw LockBusyError(what + " is already in progress in another process" + who + "; wait for it to finish");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

ScopedLease::~ScopedLease() {
    try {
        leases_.release(name_);
    } catch (...) {
        // The lease expires by itself; a destructor must not throw.
    }
}

void ScopedLease::renew() {
    if (!leases_.renew(name_, ttlMs_)) throw LockBusyError("the lease '" + name_ + "' was lost to another process");
}

}  // namespace ledgerbridge::store
