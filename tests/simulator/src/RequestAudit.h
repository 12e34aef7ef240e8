// --validate-requests DIR: every request to Pleo's APIs (/v0, /v1, /v1-beta, /v2, /v3) is
// checked against the reference OpenAPI files in DIR (OpenApiValidator's request mode) before
// it is handled; the simulator still answers as Pleo would, and counts what it saw so a host's
// end-to-end test can assert `GET /admin/request-violations` shows none. Thread-safe.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "Http.h"

namespace ledgerbridge::testsupport {
class OpenApiValidator;
}

namespace lbsim {

class RequestAudit {
public:
    /// Loads every *.yml in `referenceDir`; throws std::runtime_error when none can be read.
    explicit RequestAudit(const std::string& referenceDir);
    ~RequestAudit();
    void check(const Request& req);
    Poco::JSON::Object::Ptr toJson() const;
    void clear();

private:
    struct Violation {
        std::string method, path, operation;
        std::vector<std::string> problems;
    };
    std::unique_ptr<ledgerbridge::testsupport::OpenApiValidator> spec_;
    mutable std::mutex mutex_;
    std::uint64_t validated_ = 0;
    std::map<std::string, std::uint64_t> perOperation_;
    std::vector<Violation> violations_;  // the first 1000 kept in full, the rest counted
    std::uint64_t violationCount_ = 0;
};

}  // namespace lbsim
