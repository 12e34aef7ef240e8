// Fault injection and rate limiting. Faults are drawn from a generator seeded by --fault-seed,
// one draw per eligible request, so a run with the same requests in the same order sees the
// same faults. The rate limit is a token bucket per credential (real time: it protects the
// server, like Pleo's, and is not affected by --time-scale).
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "Ids.h"

namespace lbsim {

enum class Fault { None, Status500, Status502, Status503, TooMany, Slow, Drop, Truncate };

class Faults {
public:
    Faults(double rate, std::vector<std::string> kinds, std::uint64_t seed, int rateLimitPerMinute, int slowMs);
    /// One draw for one request.
    Fault draw();
    /// Takes one request from `credential`'s bucket. Returns 0 when allowed, else the whole
    /// seconds to wait (for Retry-After).
    int takeToken(const std::string& credential);
    int slowMs() const;
    /// Replaces settings from an admin JSON body (keys: rate, faults, seed, rateLimit, slowMs).
    void configure(const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr toJson() const;

private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point last;
    };
    mutable std::mutex mutex_;
    double rate_;
    std::vector<std::string> kinds_;
    std::uint64_t seed_;
    Rng rng_;
    int rateLimit_;
    int slowMs_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace lbsim
