// Request counters per route and per status, plus named counters such as
// client_secret_as_api_credential, so tests can assert what a client did (or never did).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace lbsim {

class Counters {
public:
    void request(const std::string& route, int status);
    void bump(const std::string& name, std::int64_t by = 1);
    std::int64_t get(const std::string& name) const;
    Poco::JSON::Object::Ptr toJson() const;
    void reset();

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<int, std::int64_t>> routes_;
    std::map<int, std::int64_t> statuses_;
    std::map<std::string, std::int64_t> named_;
};

}  // namespace lbsim
