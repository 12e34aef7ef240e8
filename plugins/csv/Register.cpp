// Registers the CSV plugin: the library's one exported entry point.
#include "CsvPlugin.hpp"

LEDGERBRIDGE_PLUGIN(ledgerbridge::csv::CsvPlugin)
