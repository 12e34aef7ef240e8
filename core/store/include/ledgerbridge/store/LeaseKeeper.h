// Keeps a fenced lease alive from a thread of its own while the work it guards runs, so that a
// thread busy for longer than the lease time (a long plugin push, a slow Pleo page) does not
// lose it. Every renewal is fenced (Leases::confirm): once the holding is lost — taken over, or
// expired because the whole process was paused (SIGSTOP, a frozen VM) or cut off from the
// database for longer than the lease time — the keeper stops renewing and says so (lost());
// it never revives an expired lease. A paused process pauses this thread too, so a pause longer
// than the lease lets another replica take over, and every write the woken process then tries
// is refused by the fence in its own transaction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ledgerbridge/store/Leases.h"

namespace ledgerbridge::store {

class LeaseKeeper {
public:
    /// Starts renewing `fence` every `interval` (default: a third of its ttl).
    LeaseKeeper(StateStore& store, LeaseFence fence, std::chrono::milliseconds interval = std::chrono::milliseconds(0));
    /// Stops the thread (it does not release the lease: the owner of the holding does).
    ~LeaseKeeper();
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;

    /// True once a renewal found the holding lost.
    bool lost() const;
    /// Throws the LeaseLostError a renewal met, if any.
    void check() const;

private:
    void keep();

    StateStore& store_;
    const LeaseFence fence_;
    const std::chrono::milliseconds interval_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::string lostReason_;  // empty while held
    std::thread thread_;      // last: started once the members above exist
};

}  // namespace ledgerbridge::store
