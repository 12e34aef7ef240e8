// Background renewal of a fenced lease: see LeaseKeeper.h.
#include "ledgerbridge/store/LeaseKeeper.h"

#include <algorithm>

#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::store {

LeaseKeeper::LeaseKeeper(StateStore& store, LeaseFence fence, std::chrono::milliseconds interval)
    : store_(store),
      fence_(std::move(fence)),
      interval_(interval.count() > 0 ? interval : std::chrono::milliseconds(std::max<std::int64_t>(1, fence_.ttlMs / 3))),
      thread_([this] { keep(); }) {}

LeaseKeeper::~LeaseKeeper() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool LeaseKeeper::lost() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !lostReason_.empty();
}

void LeaseKeeper::check() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!lostReason_.empty()) throw LeaseLostError(lostReason_);
}

void LeaseKeeper::keep() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
        lock.unlock();
        std::string lost;
        try {
            Leases(store_).confirm(fence_);
        } catch (const LeaseLostError& e) {
            lost = e.what();
        } catch (const std::exception& e) {
            // The store did not answer this time; the next try is still well before the expiry.
            log::warn("Could not renew a lease; trying again.", {{"lease", fence_.name}, {"error", e.what()}});
        }
        lock.lock();
        if (!lost.empty()) {
            lostReason_ = lost;
            log::error("A lease was lost while its work was running; that work writes nothing more.",
                       {{"lease", fence_.name}, {"error", lost}});
            return;
        }
    }
}

}  // namespace ledgerbridge::store
