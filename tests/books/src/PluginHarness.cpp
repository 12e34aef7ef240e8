// See PluginHarness.hpp.
#include "PluginHarness.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace ledgerbridge::books {

std::string buildPluginDirectory() {
    if (const char* dir = std::getenv("LEDGERBRIDGE_BOOKS_PLUGIN_DIR"); dir && *dir) return dir;
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    if (!bin || !*bin) throw std::runtime_error("LEDGERBRIDGE_BINARY_DIR is not set (the build folder)");
    return std::string(bin) + "/lib/ledgerbridge/plugins";
}

std::string scratchDirectory() {
    if (const char* dir = std::getenv("LEDGERBRIDGE_BOOKS_TMP"); dir && *dir) return dir;
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
    return std::filesystem::temp_directory_path().string();
}

namespace {
std::string freshHealthDirectory() {
    static std::atomic<int> counter{0};
    return scratchDirectory() + "/lb-books-health-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}
}  // namespace

PluginHarness::PluginHarness(const std::string& name)
    : healthDir_(freshHealthDirectory()),
      health_(healthDir_),
      loader_(loader::LoaderOptions{{buildPluginDirectory()}, {}}, host_, health_),
      plugin_(loader_.load(buildPluginDirectory() + "/" + name + ".so")) {}

PluginHarness::~PluginHarness() {
    std::error_code ec;
    std::filesystem::remove_all(healthDir_, ec);
}

std::unique_ptr<loader::PluginSession> PluginHarness::open(const Settings& settings) {
    auto session = plugin_->open();
    session->configure(settings);
    session->check();
    return session;
}

}  // namespace ledgerbridge::books
