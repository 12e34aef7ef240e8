// Named leases across processes and machines: see Leases.h.
#include "ledgerbridge/store/Leases.h"

#include <Poco/Environment.h>
#include <Poco/Random.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::store {
namespace {

// Process ids mean something only on the host (and in the pid namespace) that issued them, so
// liveness is judged only for holders that name this replica's identity. Two replicas sharing an
// identity would judge each other's pids in the wrong namespace: the identity must be unique.
bool localProcessGone(const std::string& host, long pid) {
    if (host != Leases::hostIdentity() || pid <= 0) return false;
    if (pid == static_cast<long>(::getpid())) return false;
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

const std::string& Leases::hostIdentity() {
    static const std::string id = [] {
        std::string replica = Poco::Environment::get("LEDGERBRIDGE_REPLICA_ID", "");
        return replica.empty() ? Poco::Environment::nodeName() : replica;
    }();
    return id;
}

const std::string& Leases::selfHolder() {
    static const std::string holder = [] {
        Poco::Random r;
        r.seed();
        return hostIdentity() + ":" + std::to_string(::getpid()) + ":" + std::to_string(r.next());
    }();
    return holder;
}

// Lease writes are committed without fsync (Durability::ProcessCrash): a lease only matters
// between live processes, and after a power loss none is alive, so a lost lease write is
// harmless. A synced write per run start, renewal and release was the service's main cost
// per run at 1,000 connections (issue 18). The fencing token is no exception: a token lost with
// a power cut was never used by a live process, and every write it guarded is fsynced with its
// own check, so a reissued token can fence only holders that are gone.
std::optional<LeaseFence> Leases::acquire(const std::string& name, std::int64_t ttlMs, const std::string& holder) {
    std::optional<LeaseFence> fence;
    log::Fields why;  // for the debug line: who holds it, or whose lease was taken over
    store_.transaction([&](Session& db) {
        why.clear();
        fence.reset();
        const std::int64_t now = nowMs();
        std::int64_t token = 1;
        Statement q(db, "SELECT holder, host, pid, expires_at, token FROM leases WHERE name = ?");
        q.bind(1, name);
        if (q.executeStep()) {
            const std::string current = q.getColumn(0).getString();
            const std::string host = q.getColumn(1).getString();
            const long pid = static_cast<long>(q.getColumn(2).getInt64());
            const std::int64_t expires = q.getColumn(3).getInt64();
            const std::int64_t previous = q.getColumn(4).getInt64();
            const bool live = expires > now;
            const bool ours = current == holder && live;
            const bool gone = live && !ours && localProcessGone(host, pid);
            why = {{"holder_pid", pid}, {"holder_host", host}};
            if (live && !ours && !gone) {
                why.emplace_back("expires_in_ms", expires - now);
                return;
            }
            // Renewing our live holding keeps its token; any other taking fences out the past.
            token = ours ? previous : previous + 1;
            if (!ours && expires > 0) why.emplace_back("taken_over", gone ? "its process is gone" : "it had expired");
        }
        Statement up(db,
                     "INSERT INTO leases (name, holder, host, pid, acquired_at, expires_at, token) VALUES (?,?,?,?,?,?,?) "
                     "ON CONFLICT(name) DO UPDATE SET holder=excluded.holder, host=excluded.host, pid=excluded.pid, "
                     "acquired_at=excluded.acquired_at, expires_at=excluded.expires_at, token=excluded.token");
        up.bind(1, name);
        up.bind(2, holder);
        up.bind(3, hostIdentity());
        up.bind(4, static_cast<std::int64_t>(::getpid()));
        up.bind(5, now);
        up.bind(6, now + ttlMs);
        up.bind(7, token);
        up.exec();
        fence = LeaseFence{name, holder, token, ttlMs};
    }, StateStore::Durability::ProcessCrash);
    if (log::enabled(log::Level::Debug)) {
        why.insert(why.begin(), {{"lease", name}, {"ttl_ms", ttlMs}});
        if (fence) why.emplace_back("token", fence->token);
        log::debug(fence ? "lease taken" : "lease busy: held by another process", why);
    }
    return fence;
}

bool Leases::tryAcquire(const std::string& name, std::int64_t ttlMs, const std::string& holder) {
    return acquire(name, ttlMs, holder).has_value();
}

bool Leases::renew(const std::string& name, std::int64_t ttlMs, const std::string& holder) {
    bool ok = false;
    store_.transaction([&](Session& db) {
        const std::int64_t now = nowMs();
        Statement up(db, "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?");
        up.bind(1, now + ttlMs);
        up.bind(2, name);
        up.bind(3, holder);
        up.bind(4, now);
        ok = up.exec() == 1;
    }, StateStore::Durability::ProcessCrash);
    log::debug(ok ? "lease renewed" : "lease lost: it expired or another process holds it now",
               {{"lease", name}, {"ttl_ms", ttlMs}});
    return ok;
}

void Leases::checkFence(StateStore& store, const LeaseFence& fence) {
    auto q = store.cached("SELECT holder, token, expires_at FROM leases WHERE name = ?");
    q->bind(1, fence.name);
    const std::string lost = "the lease '" + fence.name + "' (token " + std::to_string(fence.token) + ") is lost: ";
    const std::string after = "; this process writes nothing more on its behalf";
    if (!q->executeStep()) throw LeaseLostError(lost + "it was removed from the state store" + after);
    const std::string holder = q->getColumn(0).getString();
    const std::int64_t token = q->getColumn(1).getInt64();
    const std::int64_t expires = q->getColumn(2).getInt64();
    if (holder != fence.holder || token != fence.token)
        throw LeaseLostError(lost + "it lapsed and another process took it over (token " + std::to_string(token) +
                             ", holder " + holder + ")" + after);
    const std::int64_t now = nowMs();
    if (expires <= now)
        throw LeaseLostError(lost + "it expired " + std::to_string(now - expires) +
                             " ms ago without a renewal (the process was paused or could not reach the state store)" +
                             after);
}

void Leases::confirm(const LeaseFence& fence) {
    store_.transaction([&](Session&) {
        checkFence(store_, fence);
        auto up = store_.cached("UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?");
        up->bind(1, nowMs() + fence.ttlMs);
        up->bind(2, fence.name);
        up->bind(3, fence.holder);
        up->bind(4, fence.token);
        up->exec();
    }, StateStore::Durability::ProcessCrash);
}

void Leases::release(const std::string& name, const std::string& holder) { expire(name, holder, -1); }

void Leases::release(const LeaseFence& fence) { expire(fence.name, fence.holder, fence.token); }

void Leases::expire(const std::string& name, const std::string& holder, std::int64_t token) {
    store_.transaction([&](Session& db) {
        // Expired, not deleted: the row keeps the token, so the next holder's is higher still.
        Statement up(db, "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND (? < 0 OR token = ?)");
        up.bind(1, name);
        up.bind(2, holder);
        up.bind(3, token);
        up.bind(4, token);
        up.exec();
    }, StateStore::Durability::ProcessCrash);
    log::debug("lease released", {{"lease", name}, {"token", token}});
}

bool Leases::current(const std::string& name, LeaseHolder& out) {
    bool found = false;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT holder, host, pid, expires_at, token FROM leases WHERE name = ? AND expires_at > ?");
        q.bind(1, name);
        q.bind(2, nowMs());
        if (q.executeStep()) {
            out.holder = q.getColumn(0).getString();
            out.host = q.getColumn(1).getString();
            out.pid = static_cast<long>(q.getColumn(2).getInt64());
            out.expiresAt = q.getColumn(3).getInt64();
            out.token = q.getColumn(4).getInt64();
            found = !localProcessGone(out.host, out.pid);
        }
    });
    return found;
}

ScopedLease::ScopedLease(Leases& leases, std::string name, std::int64_t ttlMs, std::int64_t waitMs, const std::string& what)
    : leases_(leases) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
    std::optional<LeaseFence> taken;
    while (!(taken = leases_.acquire(name, ttlMs))) {
        if (std::chrono::steady_clock::now() >= deadline) {
            LeaseHolder h;
            std::string who = leases_.current(name, h) ? " (held by process " + std::to_string(h.pid) + " on " + h.host + ")" : "";
            throw LockBusyError(what + " is already in progress in another process" + who + "; wait for it to finish");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    fence_ = std::move(*taken);
}

ScopedLease::~ScopedLease() {
    try {
        leases_.release(fence_);
    } catch (...) {
        // The lease expires by itself; a destructor must not throw.
    }
}

void ScopedLease::renew() { leases_.confirm(fence_); }

}  // namespace ledgerbridge::store
