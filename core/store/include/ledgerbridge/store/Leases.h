// Named leases: mutual exclusion across threads and processes (and, with a shared database
// backend, across machines). A lease has a holder and an expiry; a holder that dies is replaced
// when its lease expires, or at once when it was a process on this host that no longer exists
// (kill -9 must not block the next run for a whole lease period).
//
// Used for: one run per connection at a time, single-flight token refresh per grant.
#pragma once

#include <cstdint>
#include <string>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct LeaseHolder {
    std::string holder;  ///< who holds it ("host:pid:nonce")
    std::string host;
    long pid = 0;
    std::int64_t expiresAt = 0;  ///< ms since epoch
};

class Leases {
public:
    explicit Leases(StateStore& store) : store_(store) {}

    /// This process's holder identity ("host:pid:random"), stable for the process's life.
    static const std::string& selfHolder();

    /// Takes `name` for `ttlMs` if it is free, expired, held by a dead local process, or already
    /// ours (then it is renewed). Returns false when someone else holds it.
    bool tryAcquire(const std::string& name, std::int64_t ttlMs, const std::string& holder = selfHolder());
    /// Extends our lease; false when we no longer hold it.
    bool renew(const std::string& name, std::int64_t ttlMs, const std::string& holder = selfHolder());
    /// Gives the lease up if we hold it.
    void release(const std::string& name, const std::string& holder = selfHolder());
    /// Who holds `name` now, if anyone (expired leases count as free).
    bool current(const std::string& name, LeaseHolder& out);

private:
    StateStore& store_;
};

/// RAII: acquires (waiting up to `waitMs`, polling) or throws LockBusyError naming the holder.
class ScopedLease {
public:
    ScopedLease(Leases& leases, std::string name, std::int64_t ttlMs, std::int64_t waitMs, const std::string& what);
    ~ScopedLease();
    ScopedLease(const ScopedLease&) = delete;
    ScopedLease& operator=(const ScopedLease&) = delete;
    /// Extends the lease; throws LockBusyError if it was lost (expired and taken by another).
    void renew();

private:
    Leases& leases_;
    std::string name_;
    std::int64_t ttlMs_;
};

}  // namespace ledgerbridge::store
