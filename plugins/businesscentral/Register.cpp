// Registers the Business Central plugin: the library's one exported entry point.
#include "BcPlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::businesscentral::BcPlugin)
