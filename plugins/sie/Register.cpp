// Registers the SIE plugin: the library's one exported entry point.
#include "SiePlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::sie::SiePlugin)
