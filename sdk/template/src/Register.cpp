// Registers the example plugin: the library's one exported entry point.
#include "ExamplePlugin.hpp"

LEDGERBRIDGE_PLUGIN(example::ExamplePlugin)
