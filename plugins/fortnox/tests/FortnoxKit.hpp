// What the Fortnox plugin's conformance-kit binary shares between its network hook
// (FortnoxKitNetwork.cpp) and its read-back hook (KitReadBack.cpp): one stateful Fortnox test
// double for the whole run, and the company (path prefix) of each kit target number.
#pragma once

#include <string>

#include "FortnoxDouble.hpp"

namespace ledgerbridge::fortnoxtest {

/// The double every kit instance talks to (started on first use).
FortnoxDouble& kitDouble();

/// The company of kit target `number` (from 1); a restarted instance reaches the same one.
inline std::string kitTenant(int number) { return "kit-" + std::to_string(number); }

}  // namespace ledgerbridge::fortnoxtest
