// Registers the Fortnox plugin: the library's one exported entry point.
#include "FortnoxPlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::fortnox::FortnoxPlugin)
