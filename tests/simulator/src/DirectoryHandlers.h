// Pleo's Companies (companies.yml) and Employees v2 (employees.yml) APIs, read-only from the
// catalogue: a credential sees its own company and its employees only.
#pragma once

#include <string>
#include <vector>

#include "Http.h"
#include "State.h"

namespace lbsim {

Reply routeDirectory(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName);

}  // namespace lbsim
