// The admin API under /admin/ (loopback only, no auth): what a Pleo user or operator would do
// in the app, plus test controls. Every route is listed in tests/simulator/README.md.
#pragma once

#include <string>
#include <vector>

#include "Http.h"
#include "State.h"

namespace lbsim {

/// Dispatches /admin/<segments...>. Throws ApiError 404 for unknown admin routes.
Reply handleAdmin(SimState& s, const Request& req, const std::vector<std::string>& segments);

}  // namespace lbsim
