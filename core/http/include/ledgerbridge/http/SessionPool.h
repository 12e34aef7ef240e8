// Kept-alive HTTP(S) connections, shared by every transport of the process. A service that
// talks to Pleo for thousands of connections reuses a few TLS connections to the same host
// instead of a TCP and TLS handshake per request (and per run). Bounded: at most
// `maxIdlePerOrigin` idle connections per origin and `maxIdleTotal` in all; a connection idle
// longer than `idleTimeout` is closed instead of reused (servers close idle keep-alive
// connections after 5 s or more; ours gives up first so a request rarely meets a dead one).
// Only idle connections live here: a connection in use belongs to its request.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

namespace ledgerbridge::http {

/// Where a connection goes: scheme, host (as in the URL), port, the address it was connected to
/// when a `resolve` override applies (else ""), and the TLS context it verified with (sessions
/// made under different trust settings are never mixed).
struct Origin {
    std::string scheme;
    std::string host;
    int port = 0;
    std::string address;
    const Poco::Net::Context* context = nullptr;
    bool operator<(const Origin& o) const {
        return std::tie(scheme, host, port, address, context) < std::tie(o.scheme, o.host, o.port, o.address, o.context);
    }
};

struct SessionPoolOptions {
    std::size_t maxIdlePerOrigin = 8;
    std::size_t maxIdleTotal = 64;
    std::chrono::milliseconds idleTimeout{4000};
};

struct SessionPoolStats {
    std::int64_t reused = 0;    ///< requests that went over a kept-alive connection
    std::int64_t returned = 0;  ///< connections put back after a complete answer
    std::int64_t evicted = 0;   ///< idle connections closed (too old, or over a bound)
    std::size_t idle = 0;       ///< idle connections now
};

class SessionPool {
public:
    using Clock = std::chrono::steady_clock;

    struct Idle {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        Clock::duration idleFor{};  ///< how long it waited in the pool
    };

    explicit SessionPool(SessionPoolOptions options = {});
    ~SessionPool();

    /// The process's pool (used by PocoHttpTransport).
    static SessionPool& shared();

    /// The most recently returned live connection to `origin`, or an empty session.
    Idle take(const Origin& origin);
    /// Keeps `session` for the next request to `origin` (closes the oldest over a bound).
    void give(const Origin& origin, std::unique_ptr<Poco::Net::HTTPClientSession> session);
    /// Closes every idle connection.
    void clear();

    SessionPoolStats stats() const;
    const SessionPoolOptions& options() const { return options_; }

private:
    struct Entry {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        Clock::time_point since;
    };
    void evictExpiredLocked(Clock::time_point now);

    SessionPoolOptions options_;
    mutable std::mutex mutex_;
    std::map<Origin, std::deque<Entry>> idle_;  ///< per origin, oldest first
    std::size_t idleCount_ = 0;
    SessionPoolStats stats_;
};

}  // namespace ledgerbridge::http
