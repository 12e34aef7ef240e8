// Registers the DATEV plugin: the library's one exported entry point.
#include "DatevPlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::datev::DatevPlugin)
