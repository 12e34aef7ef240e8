// What the Xero plugin's conformance-kit binary shares between its network hook
// (XeroKitNetwork.cpp) and its read-back hook (KitReadBack.cpp): one stateful Xero test double
// for the whole run, and the tenant (Xero organisation) of each kit target number.
#pragma once

#include <string>

#include "XeroDouble.hpp"

namespace ledgerbridge::xerotest {

/// The double every kit instance talks to (started on first use).
XeroDouble& kitDouble();

/// The tenant id of kit target `number` (from 1): each new target is its own organisation,
/// and an instance over the same target (a restart) is the same organisation.
std::string kitTenant(int number);

}  // namespace ledgerbridge::xerotest
