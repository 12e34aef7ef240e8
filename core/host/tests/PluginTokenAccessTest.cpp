// The target's bearer token stays with the host: a plugin that asks for it through the C ABI
// (host().accessToken()) gets none and the host logs why, while the host's own HTTP service
// still gets the token to attach to requests for the declared token hosts (TargetTokenHostsTest,
// XeroEndToEnd.* show that side over the wire).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <ledgerbridge/host.hpp>
#include <ledgerbridge/plugin.hpp>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/host/StoreHostServices.h"
#include "ledgerbridge/store/StateStore.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;

TEST(PluginTokenAccess, APluginAskingForTheTargetTokenGetsNoneAndTheHostKeepsItForItsOwnRequests) {
    const fs::path dir = fs::temp_directory_path() / ("lb-plugin-token-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        store::StateStore store(dir.string());
        host::StoreHostServices services(store, "0123456789abcdef", nullptr);
        int fetched = 0;
        services.setTargetToken([&]() -> std::optional<std::string> {
            ++fetched;
            return std::string("xero-bearer-0f9e8d7c6b5a");
        });

        // What the plugin sees: its sdk::Host over the C table the loader hands it.
        sdk::hostdetail::Binding binding{&services, "xero"};
        sdk::Host pluginSide(sdk::hostApi(), reinterpret_cast<lb_host*>(&binding));
        std::ostringstream logLines;
        log::setSink(&logLines);
        const std::optional<std::string> given = pluginSide.accessToken();
        log::setSink(nullptr);

        EXPECT_EQ(given, std::nullopt);
        EXPECT_EQ(fetched, 0) << "the token is not even fetched for a plugin's own request";
        EXPECT_NE(logLines.str().find("plugin xero asked for the target's access token itself; refused"),
                  std::string::npos)
            << logLines.str();
        EXPECT_NE(logLines.str().find("useTargetToken"), std::string::npos) << logLines.str();
        EXPECT_EQ(logLines.str().find("xero-bearer-0f9e8d7c6b5a"), std::string::npos);

        // The host's HTTP service still has it, to attach after the token-host check.
        EXPECT_EQ(services.targetToken("xero"), std::optional<std::string>("xero-bearer-0f9e8d7c6b5a"));
        EXPECT_EQ(fetched, 1);
    }
    fs::remove_all(dir);
}
