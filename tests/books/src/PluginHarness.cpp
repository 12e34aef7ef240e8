// See PluginHarness.hpp.
#include "PluginHarness.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ledgerbridge::books {

std::string buildPluginDirectory() {
    if (const char* dir = std::getenv("LEDGERBRIDGE_BOOKS_PLUGIN_DIR"); dir && *dir) return dir;
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    if (!bin || !*bin) throw std::runtime_error("LEDGERBRIDGE_BINARY_DIR is not set (the build folder)");
    return std::string(bin) + "/lib/ledgerbridge/plugins";
}

PluginHarness::PluginHarness(const std::string& name)
    : loader_(loader::LoaderOptions{{buildPluginDirectory()}}, host_, health_),
      plugin_(loader_.load(buildPluginDirectory() + "/" + name + ".so")) {}

std::unique_ptr<loader::PluginSession> PluginHarness::open(const Settings& settings) {
    auto session = plugin_->open();
    session->configure(settings);
    session->check();
    return session;
}

}  // namespace ledgerbridge::books
