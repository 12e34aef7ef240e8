// Test helpers to run ledgerbridge-sim (the local Pleo Staging simulator) as a real child
// process, and to find the reference folder holding Pleo's OpenAPI files.
//
//   ledgerbridge::testsupport::SimulatorProcess sim({"--items", "20", "--auto-approve"});
//   client.get(sim.baseUrl() + "/v3/export-jobs")  // trust sim.caFile(), keep verification on
//
// The binary is $LEDGERBRIDGE_BINARY_DIR/bin/ledgerbridge-sim (CTest sets the variable for
// tests added with lb_add_test); $LEDGERBRIDGE_SIM overrides the path.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace ledgerbridge::testsupport {

/// One running simulator on 127.0.0.1 and a free port. Killed (SIGTERM, then SIGKILL after 5 s)
/// when destroyed. Not copyable.
class SimulatorProcess {
public:
    /// Starts the simulator with `args` (plus `--port 0` and a per-user TLS folder unless
    /// given) and waits up to 15 s for its address line. `--http` in `args` selects plain HTTP.
    /// Throws std::runtime_error with the simulator's stderr when it does not start.
    explicit SimulatorProcess(std::vector<std::string> args = {});
    ~SimulatorProcess();
    SimulatorProcess(const SimulatorProcess&) = delete;
    SimulatorProcess& operator=(const SimulatorProcess&) = delete;

    /// e.g. https://127.0.0.1:43123 (no trailing slash)
    const std::string& baseUrl() const { return baseUrl_; }
    /// The CA certificate clients must trust; empty with --http.
    const std::string& caFile() const { return caFile_; }
    const std::string& tlsDir() const { return tlsDir_; }
    /// baseUrl() + "/admin"
    std::string adminUrl() const { return baseUrl_ + "/admin"; }
    /// The port actually bound.
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    /// Where the simulator's stderr (request log) goes.
    const std::string& logFile() const { return logFile_; }
    /// Sends SIGTERM and waits; returns the exit status (as from waitpid) or -1.
    int stop();

private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string baseUrl_, caFile_, tlsDir_, logFile_;
};

/// Path of the ledgerbridge-sim executable.
std::string simulatorBinary();

/// $LEDGERBRIDGE_REFERENCE_DIR, else $LEDGERBRIDGE_REFERENCE_DIR_DEFAULT; "" when neither is
/// set or the folder does not exist.
std::string referenceDir();

/// referenceDir() + "/pleo-openapi", or "" when absent.
std::string pleoOpenApiDir();

}  // namespace ledgerbridge::testsupport

/// Skips the current test when the reference folder (Pleo/Xero OpenAPI files) is absent.
#define LB_REQUIRE_REFERENCE_DIR()                                                                  \
    do {                                                                                           \
        if (::ledgerbridge::testsupport::pleoOpenApiDir().empty())                                 \
            GTEST_SKIP() << "reference folder with pleo-openapi/ absent (set LEDGERBRIDGE_REFERENCE_DIR)"; \
    } while (0)
