// Registers the Xero plugin: the library's one exported entry point.
#include "XeroPlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::xero::XeroPlugin)
