// Routing of Pleo's APIs beyond the Export API: /v0 (tags, tag groups, tax codes), /v1
// (accounting entries, installations, chart of accounts, vendors, subscriptions, companies),
// /v1-beta (accounts) and /v2 (employees). `routeName` gets the spec's path template, so the
// counters group requests by operation.
#pragma once

#include <string>
#include <vector>

#include "Http.h"
#include "State.h"

namespace lbsim {

/// True when the first path segment is one of these API versions.
bool isPleoApiVersion(const std::string& firstSegment);
Reply routePleoApis(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName);

}  // namespace lbsim
