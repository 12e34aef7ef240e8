// Kept-alive connections: see SessionPool.h. Sessions are closed outside the lock where it is
// easy (a close can block briefly on a TLS shutdown alert).
#include "ledgerbridge/http/SessionPool.h"

#include <vector>

namespace ledgerbridge::http {

SessionPool::SessionPool(SessionPoolOptions options) : options_(options) {}

SessionPool::~SessionPool() = default;

SessionPool& SessionPool::shared() {
    // Never destroyed: transports may still be used by threads that outlive static destruction.
    static SessionPool* pool = new SessionPool();
    return *pool;
}

void SessionPool::evictExpiredLocked(Clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& q = it->second;
        while (!q.empty() && now - q.front().since > options_.idleTimeout) {
            q.pop_front();
            --idleCount_;
            ++stats_.evicted;
        }
        it = q.empty() ? idle_.erase(it) : std::next(it);
    }
}

SessionPool::Idle SessionPool::take(const Origin& origin) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    evictExpiredLocked(now);
    auto it = idle_.find(origin);
    if (it == idle_.end() || it->second.empty()) return {};
    Entry e = std::move(it->second.back());  // the freshest: least likely to be closed by the server
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
    --idleCount_;
    ++stats_.reused;
    return {std::move(e.session), now - e.since};
}

void SessionPool::give(const Origin& origin, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::vector<Entry> closing;  // destroyed after the lock is released
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto now = Clock::now();
        evictExpiredLocked(now);
        auto& q = idle_[origin];
        q.push_back({std::move(session), now});
        ++idleCount_;
        ++stats_.returned;
        while (q.size() > options_.maxIdlePerOrigin) {
            closing.push_back(std::move(q.front()));
            q.pop_front();
            --idleCount_;
            ++stats_.evicted;
        }
        // Over the total bound: close the oldest idle connection of any origin.
        while (idleCount_ > options_.maxIdleTotal) {
            auto oldest = idle_.end();
            for (auto it = idle_.begin(); it != idle_.end(); ++it)
                if (!it->second.empty() &&
                    (oldest == idle_.end() || it->second.front().since < oldest->second.front().since))
                    oldest = it;
            if (oldest == idle_.end()) break;
            closing.push_back(std::move(oldest->second.front()));
            oldest->second.pop_front();
            if (oldest->second.empty()) idle_.erase(oldest);
            --idleCount_;
            ++stats_.evicted;
        }
    }
}

void SessionPool::clear() {
    std::map<Origin, std::deque<Entry>> closing;
    std::lock_guard<std::mutex> lock(mutex_);
    closing.swap(idle_);
    stats_.evicted += static_cast<std::int64_t>(idleCount_);
    idleCount_ = 0;
}

SessionPoolStats SessionPool::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    SessionPoolStats s = stats_;
    s.idle = idleCount_;
    return s;
}

}  // namespace ledgerbridge::http
