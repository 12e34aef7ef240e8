// Test harness for the oauth tests that run against the real simulator over HTTPS: starts
// `ledgerbridge-sim` as a process (certificate verification stays on; its generated CA is
// trusted through ca_file), writes an installation (config, secret files, state folder) for
// it, plays the browser (auto-consent redirect or the real HTML login/consent form), talks to
// the admin API, and runs the `ledgerbridge` CLI or the oauth test helper as child processes.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <thread>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/http/HttpTransport.h"
#include "ledgerbridge/testsupport/Simulator.h"

namespace ledgerbridge::oauth::simtest {

using http::formEncode;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpTransport;
using http::PocoHttpTransport;

/// A free TCP port on 127.0.0.1 (for the redirect URI of one test).
int freePort();

/// Path of a binary in the build's bin folder (LEDGERBRIDGE_BINARY_DIR/bin/NAME).
std::string binary(const std::string& name);

/// The shared SimulatorProcess plus the admin calls these tests need.
class Simulator {
public:
    /// Starts the simulator with the demo client registered for `redirectUri` and
    /// `clientSecret`, client authentication by HTTP Basic only, and `extraArgs`.
    /// Throws std::runtime_error when it does not start.
    Simulator(const std::string& redirectUri, const std::string& clientSecret, std::vector<std::string> extraArgs = {});
    ~Simulator();
    const std::string& baseUrl() const { return process_->baseUrl(); }
    const std::string& caFile() const { return process_->caFile(); }
    /// Calls the admin API; returns the parsed JSON object (throws on non-2xx).
    Poco::JSON::Object::Ptr admin(const std::string& method, const std::string& path, const std::string& jsonBody = "");
    /// The simulator's named counter (e.g. client_secret_as_api_credential); 0 when absent.
    std::int64_t counter(const std::string& name);
    /// How many grants the simulator holds that are revoked.
    int revokedGrants();

private:
    std::unique_ptr<testsupport::SimulatorProcess> process_;
};

/// One installation: a temporary folder with a config for the simulator, the client secret
/// file, the token key reference (not created yet), the state folder and the log file.
class Installation {
public:
    Installation(const Simulator& sim, const std::string& redirectUri, const std::string& clientSecretInFile,
                 const std::string& companyId, const std::string& scopes = "export:read export:write");
    ~Installation();
    const std::string& dir() const { return dir_; }
    const std::string& configPath() const { return configPath_; }
    const std::string& logPath() const { return logPath_; }
    const std::string& stateDir() const { return stateDir_; }
    /// The loaded configuration (for in-process use of the library).
    config::Config loadConfig() const;

private:
    std::string dir_, configPath_, logPath_, stateDir_;
};

/// A transport for the test's own "browser" and API calls: trusts the simulator's CA, allows
/// plain http (the loopback redirect), follows nothing.
std::unique_ptr<HttpTransport> browserTransport(const std::string& caFile);

/// Plays the browser for an authorization URL. `htmlConsent`: fill in and post the simulator's
/// real login/consent form (user of the first company, approve or deny); otherwise expect the
/// auto-approve redirect. Returns the redirect Location; when `follow` is set, also GETs it
/// (delivering the code to the loopback listener).
std::string driveBrowser(HttpTransport& browser, const std::string& authorizeUrl, bool htmlConsent, bool approve,
                         bool follow);

struct ProcessResult {
    int exitCode = -1;
    bool killed = false;  ///< ended by a signal
    std::string out, err;
};

/// Runs `program args` to completion with `env` added, feeding `input` on stdin.
ProcessResult run(const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {}, const std::string& input = "");

/// A child process whose output is read while it runs (login waits for the browser).
class LiveProcess {
public:
    LiveProcess(const std::string& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {});
    ~LiveProcess();
    /// Reads stdout lines until one contains `needle`; returns it (throws at end of output).
    std::string readLineContaining(const std::string& needle);
    /// Writes `line` and a newline to stdin.
    void writeLine(const std::string& line);
    /// Closes stdin, reads the rest and waits. `out` holds everything read from stdout.
    ProcessResult finish();

private:
    std::unique_ptr<Poco::ProcessHandle> handle_;
    Poco::Pipe in_, out_, err_;
    std::unique_ptr<std::istream> outStream_;
    std::unique_ptr<std::ostream> inStream_;
    std::string seen_;
    std::string errText_;
    std::unique_ptr<std::thread> errReader_;
};

/// The scopes of an integration that exports, syncs master data and manages its installation.
inline const char* const kIntegrationScopes =
    "export-jobs:read export-jobs:write export-items:read installations:read installations:write "
    "chart-of-accounts:read chart-of-accounts:write tax-codes:read tax-codes:write tags:read tags:write "
    "vendors:read vendors:write accounting-entries:read";

/// `ledgerbridge auth login --connection NAME --no-browser` for `inst`, with the test playing the
/// browser through the simulator's auto-approve (start the simulator with --auto-approve).
ProcessResult loginAutoApproved(const Simulator& sim, const Installation& inst, const std::string& connection);

/// Every file below `dir` (recursively), with contents.
std::map<std::string, std::string> readTree(const std::string& dir);

}  // namespace ledgerbridge::oauth::simtest
