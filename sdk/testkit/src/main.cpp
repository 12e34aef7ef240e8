// The conformance kit's entry point: `<kit> --plugin=FILE --settings=FILE [gtest flags]`, or the
// environment variables LEDGERBRIDGE_PLUGIN and LEDGERBRIDGE_PLUGIN_SETTINGS.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "ledgerbridge/testkit/Kit.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const char* envPlugin = std::getenv("LEDGERBRIDGE_PLUGIN");
    const char* envSettings = std::getenv("LEDGERBRIDGE_PLUGIN_SETTINGS");
    std::string plugin = envPlugin ? envPlugin : "", settings = envSettings ? envSettings : "";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--plugin=", 0) == 0) plugin = a.substr(9);
        else if (a.rfind("--settings=", 0) == 0) settings = a.substr(11);
        else {
            std::cerr << "unknown argument " << a << "\nusage: " << argv[0]
                      << " --plugin=PLUGIN.so --settings=SETTINGS.conf [gtest flags]\n";
            return 2;
        }
    }
    if (plugin.empty() || settings.empty()) {
        std::cerr << "usage: " << argv[0] << " --plugin=PLUGIN.so --settings=SETTINGS.conf [gtest flags]\n"
                  << "(or set LEDGERBRIDGE_PLUGIN and LEDGERBRIDGE_PLUGIN_SETTINGS)\n";
        return 2;
    }
    try {
        ledgerbridge::testkit::config() = ledgerbridge::testkit::parseSettingsFile(plugin, settings);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    return RUN_ALL_TESTS();
}
