// The HTTP(S) front: binds 127.0.0.1, turns Poco requests into Request values, routes them
// (OAuth, Export API, files, admin), applies rate limits and faults, counts and logs.
#pragma once

#include <Poco/Net/HTTPServer.h>

#include <memory>
#include <string>

#include "Http.h"
#include "State.h"
#include "Tls.h"

namespace lbsim {

class Server {
public:
    /// Binds and starts serving. Throws Poco::Exception when the port cannot be bound.
    Server(SimState& state, const TlsFiles* tls);
    ~Server();
    /// e.g. https://127.0.0.1:43123
    std::string baseUrl() const { return baseUrl_; }

private:
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::string baseUrl_;
};

/// Routes one request to its handler (no faults, no counting): exposed for in-process tests.
Reply route(SimState& s, const Request& req, std::string& routeName);

}  // namespace lbsim
