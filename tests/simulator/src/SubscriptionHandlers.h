// Pleo's webhook subscriptions API (subscriptions.yml), on the simulator's signed deliveries
// (Webhooks): a company's subscriptions get only that company's events.
#pragma once

#include <string>
#include <vector>

#include "Http.h"
#include "State.h"

namespace lbsim {

Reply routeSubscriptions(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName);

}  // namespace lbsim
