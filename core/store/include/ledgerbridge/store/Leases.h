// Named leases: mutual exclusion across threads, processes and machines (with a shared
// PostgreSQL store). A lease has a holder, an expiry and a fencing token.
//
// - Time-bound: a holder must renew before its expiry; an expired lease is free for anyone. A
//   holder on *this host* whose process is gone is replaced at once (kill -9 must not block the
//   next run for a whole lease period). Process ids are never judged across hosts: a holder on
//   another host is replaced only when its lease expires. The host identity is the node name, or
//   LEDGERBRIDGE_REPLICA_ID when set; it must be unique per replica (see README.md).
// - Fenced: every acquisition by a new holder — and every acquisition of an expired lease, even
//   by the same holder — gets a token strictly greater than any token the lease had before
//   (per lease name; the row stays after release so the sequence never restarts). A holder
//   proves it still holds the lease by its LeaseFence: same holder, same token, not expired,
//   checked inside the same write transaction as the work it guards (checkFence). A holder that
//   lost its lease — taken over, or merely expired — is refused with LeaseLostError.
//
// Used for: one run per connection at a time (fenced ledger writes), single-flight token refresh
// per grant, one master-data sync per connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct LeaseHolder {
    std::string holder;  ///< who holds it ("host:pid:nonce")
    std::string host;
    long pid = 0;
    std::int64_t expiresAt = 0;  ///< ms since epoch
    std::int64_t token = 0;      ///< the fencing token of this holding
};

/// What a holder shows to prove it still holds a lease: the lease, who it is, the token its
/// acquisition got, and how long a renewal extends it.
struct LeaseFence {
    std::string name;
    std::string holder;
    std::int64_t token = 0;
    std::int64_t ttlMs = 0;
};

/// The lease this work needed is no longer ours (expired, or taken over by another holder with a
/// higher token): nothing more may be written on its behalf. A LockBusyError (exit code 7).
class LeaseLostError : public LockBusyError {
public:
    using LockBusyError::LockBusyError;
};

class Leases {
public:
    explicit Leases(StateStore& store) : store_(store) {}

    /// This process's holder identity ("host:pid:random"), stable for the process's life.
    static const std::string& selfHolder();
    /// This replica's host identity: LEDGERBRIDGE_REPLICA_ID if set (and not empty), else the
    /// node name. Process liveness is judged only for holders with this identity.
    static const std::string& hostIdentity();

    /// Takes `name` for `ttlMs` if it is free, expired, held by a dead local process, or already
    /// ours and live (then it is renewed and keeps its token). The fence of this holding, or
    /// nothing when someone else holds it.
    std::optional<LeaseFence> acquire(const std::string& name, std::int64_t ttlMs, const std::string& holder = selfHolder());
    /// acquire(), answering only whether it was taken.
    bool tryAcquire(const std::string& name, std::int64_t ttlMs, const std::string& holder = selfHolder());
    /// Extends our live lease; false when we no longer hold it or it has expired (an expired
    /// lease is not revived: take it again with acquire, which fences out the old holding).
    bool renew(const std::string& name, std::int64_t ttlMs, const std::string& holder = selfHolder());
    /// A fenced renewal: extends the lease by fence.ttlMs if it is still this holding (same
    /// holder and token, not expired); throws LeaseLostError saying what happened otherwise.
    void confirm(const LeaseFence& fence);
    /// Gives the lease up if we hold it. The row (and its token) stays, expired.
    void release(const std::string& name, const std::string& holder = selfHolder());
    /// Gives up exactly this holding (a later holding by the same holder, with a higher token,
    /// stays).
    void release(const LeaseFence& fence);
    /// Who holds `name` now, if anyone (expired leases count as free).
    bool current(const std::string& name, LeaseHolder& out);

    /// Inside a write transaction of `store` (StateStore::transaction): throws LeaseLostError
    /// unless `fence` is still the live holding of its lease. Put it first in every write made on
    /// behalf of the lease: the check and the write then commit together or not at all.
    static void checkFence(StateStore& store, const LeaseFence& fence);

private:
    /// Releases `holder`'s holding of `name`; only the one with `token` unless it is negative.
    void expire(const std::string& name, const std::string& holder, std::int64_t token);

    StateStore& store_;
};

/// RAII: acquires (waiting up to `waitMs`, polling) or throws LockBusyError naming the holder.
class ScopedLease {
public:
    ScopedLease(Leases& leases, std::string name, std::int64_t ttlMs, std::int64_t waitMs, const std::string& what);
    ~ScopedLease();
    ScopedLease(const ScopedLease&) = delete;
    ScopedLease& operator=(const ScopedLease&) = delete;
    /// Extends the lease (a fenced renewal); throws LeaseLostError if it was lost.
    void renew();
    /// This holding's fence (name, holder, token, ttl).
    const LeaseFence& fence() const { return fence_; }

private:
    Leases& leases_;
    LeaseFence fence_;
};

}  // namespace ledgerbridge::store
