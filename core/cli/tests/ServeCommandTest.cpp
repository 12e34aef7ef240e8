// `ledgerbridge serve` as a real process, without a Pleo simulator (core/host's
// ServiceEndToEndTest runs a whole export through it): /healthz, /readyz and /metrics over
// loopback, a signed webhook reaching the run launcher (the connection is not logged in, so the
// run ends needs_reauth and /metrics says so), SIGHUP reloading the file, SIGTERM → exit 0;
// --daemon returning once the service listens, its start-up errors reported by the starting
// process; and the [service] section in `config validate` and `config show`.
// GCC 12 at -O1 and above (the Asan build) reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function (GCC bug 105562); the pragma must precede the include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "SimHarness.h"
#include "CliTestSupport.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/service/Clock.h"
#include "ledgerbridge/service/WebhookVerifier.h"
#include "ledgerbridge/testsupport/RawHttp.h"

using namespace ledgerbridge;
namespace fs = std::filesystem;
namespace simtest = ledgerbridge::oauth::simtest;

namespace {

const char* kCompany = "6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90";
const char* kWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const char* kTokenKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 bytes, base64
const char* kClientSecret = "serve-test-client-secret";

struct Reply {
    int status = 0;
    std::string body;
};

Reply request(int port, const std::string& method, const std::string& path,
           const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = "") {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    s.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    Reply r;
    Poco::StreamCopier::copyToString(s.receiveResponse(res), r.body);
    r.status = static_cast<int>(res.getStatus());
    return r;
}

/// Polls `what` for up to `seconds`; true once it holds.
template <typename F>
bool eventually(F what, int seconds = 20) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (what()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return what();
}

bool processGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

/// A signed v1.export-job.created for kCompany, as Pleo sends it.
Reply sendWebhook(int port, const std::string& id) {
    service::SystemClock clock;
    service::WebhookVerifier signer(kWebhookSecret, clock);
    const std::string body = std::string(R"({"type":"v1.export-job.created","timestamp":"2026-01-01T00:00:00Z","data":{"companyId":")") +
                             kCompany + R"(","jobId":"job-1"}})";
    const std::string ts = std::to_string(std::time(nullptr));
    return request(port, "POST", "/webhooks/pleo",
                   {{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", signer.sign(id, ts, body)},
                    {"Content-Type", "application/json"}},
                   body);
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class ServeCommand : public ::testing::Test {
protected:
    void SetUp() override {
        clitest::makeInstallation("lb-serve", dir);
        if (HasFatalFailure()) return;
        ::setenv("LB_SERVE_TEST_TOKEN_KEY", kTokenKey, 1);
        ::setenv("LB_SERVE_TEST_CLIENT_SECRET", kClientSecret, 1);
        ::setenv("LB_SERVE_TEST_WEBHOOK", kWebhookSecret, 1);
        config = (dir / "ledgerbridge.ini").string();
        writeConfig("listen = 127.0.0.1:0\nwebhook_secret = env:LB_SERVE_TEST_WEBHOOK\ngrace_period = 5s\n");
    }
    void TearDown() override {
        if (daemonPid > 0 && !processGone(daemonPid)) ::kill(daemonPid, SIGKILL);
        fs::remove_all(dir);
    }

    /// One connection to a Pleo that is never reached (the connection is not logged in).
    void writeConfig(const std::string& serviceSection, const std::string& extra = "") {
        std::ofstream(config) << "environment = local\n[state]\ndir = state\ntoken_key = env:LB_SERVE_TEST_TOKEN_KEY\n"
                                 "[log]\nfile = serve.log\nformat = json\n"
                                 "[plugins]\ndir = plugins\n"
                                 "[environment.local]\nauth_url = https://127.0.0.1:9\napi_url = https://127.0.0.1:9\n"
                                 "client_id = demo\nclient_secret = env:LB_SERVE_TEST_CLIENT_SECRET\n"
                                 "[service]\n"
                              << serviceSection << "[connection.acme]\ncompany_id = " << kCompany
                              << "\nplugin = csv\nsetting.output_dir = out\n"
                              << extra;
    }
    std::string log() const {
        std::ifstream in(dir / "serve.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::vector<std::string> argv(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--config", config});
        return args;
    }

    fs::path dir;
    std::string config;
    pid_t daemonPid = 0;
};

/// "listening on 127.0.0.1:PORT (process PID" -> {port, pid}
std::pair<int, pid_t> portAndPid(const std::string& line) {
    std::smatch m;
    if (!std::regex_search(line, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+) \\(process ([0-9]+)")))
        return {0, 0};
    return {std::stoi(m[1].str()), static_cast<pid_t>(std::stol(m[2].str()))};
}

}  // namespace

TEST_F(ServeCommand, ServesHealthAndMetricsRunsOnAWebhookReloadsOnSighupAndStopsOnSigterm) {
    simtest::LiveProcess serve(simtest::binary("ledgerbridge"), argv({"serve"}));
    // Plain variables, not a structured binding: clang 14 (the Asan build) cannot capture one in
    // a lambda.
    const std::pair<int, pid_t> listening = portAndPid(serve.readLineContaining("listening on"));
    const int port = listening.first;
    const pid_t pid = listening.second;
    ASSERT_GT(port, 0);
    ASSERT_GT(pid, 0);

    EXPECT_EQ(request(port, "GET", "/healthz").status, 200);
    EXPECT_EQ(request(port, "GET", "/readyz").status, 200);
    const Reply metrics = request(port, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("# TYPE ledgerbridge_runs_total counter"), std::string::npos) << metrics.body;

    // A signed v1.export-job.created for the connection's company reaches the launcher, which
    // runs the connection through the same runner as `ledgerbridge run`. It is not logged in,
    // so the run stops before any request with the fixing command; /metrics counts the run.
    // (The engine reports that AuthError as outcome "failed" today, not "needs_reauth"; either
    // is accepted here.)
    service::SystemClock clock;
    service::WebhookVerifier signer(kWebhookSecret, clock);
    const std::string body = std::string(R"({"type":"v1.export-job.created","timestamp":"2026-01-01T00:00:00Z","data":{"companyId":")") +
                             kCompany + R"(","jobId":"job-1"}})";
    const std::string ts = std::to_string(std::time(nullptr));
    const Reply hook = request(port, "POST", "/webhooks/pleo",
                            {{"webhook-id", "msg_serve_1"},
                             {"webhook-timestamp", ts},
                             {"webhook-signature", signer.sign("msg_serve_1", ts, body)},
                             {"Content-Type", "application/json"}},
                            body);
    EXPECT_GE(hook.status, 200);
    EXPECT_LT(hook.status, 300) << hook.body;
    std::string text;
    EXPECT_TRUE(eventually([&] {
        text = request(port, "GET", "/metrics").body;
        return std::regex_search(text, std::regex("ledgerbridge_runs_total\\{connection=\"acme\",outcome=\"(needs_reauth|failed)\"\\} 1"));
    })) << text << log();
    EXPECT_NE(log().find("Run `ledgerbridge auth login --connection acme` first."), std::string::npos) << log();

    // SIGHUP: the file is read again (a second connection appears in the log line).
    writeConfig("listen = 127.0.0.1:0\nwebhook_secret = env:LB_SERVE_TEST_WEBHOOK\ngrace_period = 5s\n",
                std::string("[connection.second]\ncompany_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a91\nplugin = csv\n"
                            "setting.output_dir = out\n"));
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(eventually([&] { return log().find("The configuration was reloaded.") != std::string::npos; })) << log();
    // A broken file on SIGHUP is logged and the running configuration kept.
    std::ofstream(config, std::ios::app) << "[connection.bad]\ncompany_id = nope\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(eventually([&] { return log().find("could not be reloaded") != std::string::npos; })) << log();
    EXPECT_EQ(request(port, "GET", "/healthz").status, 200);

    ::kill(pid, SIGTERM);
    const auto result = serve.finish();
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(log().find("The service stopped cleanly."), std::string::npos);
    EXPECT_EQ(log().find(kWebhookSecret + 6), std::string::npos) << "the webhook secret never reaches the log";
    EXPECT_EQ(log().find(kClientSecret), std::string::npos);
}

TEST_F(ServeCommand, DaemonReturnsOnceListeningAndStopsCleanlyOnSigterm) {
    const auto r = simtest::run(simtest::binary("ledgerbridge"), argv({"serve", "--daemon"}));
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("background as process ([0-9]+), listening on 127\\.0\\.0\\.1:([0-9]+)")))
        << r.out;
    daemonPid = static_cast<pid_t>(std::stol(m[1].str()));
    const int port = std::stoi(m[2].str());
    EXPECT_EQ(request(port, "GET", "/healthz").status, 200) << "listening when --daemon returned";
    EXPECT_NE(::getsid(daemonPid), ::getsid(0)) << "detached into a session of its own";

    ::kill(daemonPid, SIGTERM);
    EXPECT_TRUE(eventually([&] { return processGone(daemonPid); })) << "the daemon did not stop";
    EXPECT_NE(log().find("The service stopped cleanly."), std::string::npos) << log();
}

TEST_F(ServeCommand, DaemonStartupErrorsAreReportedByTheStartingProcess) {
    // The port is taken: the daemon cannot listen, and `serve --daemon` says so with exit 1.
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    writeConfig("listen = 127.0.0.1:" + std::to_string(taken.address().port()) + "\n");
    auto r = simtest::run(simtest::binary("ledgerbridge"), argv({"serve", "--daemon"}));
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("Could not listen on 127.0.0.1:" + std::to_string(taken.address().port())), std::string::npos) << r.err;

    // No [log] file: refused before detaching (exit 2).
    std::string text;
    {
        std::ifstream in(config);
        std::stringstream s;
        s << in.rdbuf();
        text = std::regex_replace(s.str(), std::regex("file = serve.log\n"), "");
    }
    std::ofstream(config) << text;
    r = simtest::run(simtest::binary("ledgerbridge"), argv({"serve", "--daemon"}));
    EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--daemon needs [log] file"), std::string::npos) << r.err;
}

TEST_F(ServeCommand, ConfigValidateAndShowCoverTheServiceSection) {
    const auto cli = [&](std::vector<std::string> args) {
        std::ostringstream out, err;
        const int code = cli::runCli(argv(std::move(args)), out, err);
        return std::make_tuple(code, out.str(), err.str());
    };
    auto [code, out, err] = cli({"config", "show"});
    EXPECT_EQ(code, 0) << err;
    EXPECT_NE(out.find("[service]\nlisten = 127.0.0.1:0\nwebhook_secret = env:LB_SERVE_TEST_WEBHOOK\ngrace_period = 5s\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find(kWebhookSecret + 6), std::string::npos) << "never the secret itself";

    std::tie(code, out, err) = cli({"config", "validate"});
    EXPECT_EQ(code, 0) << err;
    EXPECT_NE(out.find("  service      127.0.0.1:0, webhooks on, grace period 5s"), std::string::npos) << out;

    // validate insists on a readable webhook secret (other commands do not need it).
    ::unsetenv("LB_SERVE_TEST_WEBHOOK");
    std::tie(code, out, err) = cli({"config", "validate"});
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(err.find(config + ":17: service.webhook_secret: "), std::string::npos) << err;
    EXPECT_NE(err.find("LB_SERVE_TEST_WEBHOOK"), std::string::npos) << err;
    std::tie(code, out, err) = cli({"config", "show"});
    EXPECT_EQ(code, 0) << "show needs no secret: " << err;
}

TEST_F(ServeCommand, ReopensItsLogFileOnSighupAfterLogrotateRenamedItAndLosesNoLine) {
    simtest::LiveProcess serve(simtest::binary("ledgerbridge"), argv({"serve"}));
    const std::pair<int, pid_t> listening = portAndPid(serve.readLineContaining("listening on"));
    const int port = listening.first;
    const pid_t pid = listening.second;
    ASSERT_GT(port, 0);
    const fs::path current = dir / "serve.log", rotated = dir / "serve.log.1";
    ASSERT_TRUE(eventually([&] { return readFile(current).find("The service is running.") != std::string::npos; }));
    struct stat st {};
    ASSERT_EQ(::stat(current.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the log names companies and jobs: owner only";

    // logrotate renames the file; until the signal the service keeps writing to it.
    fs::rename(current, rotated);
    ASSERT_LT(sendWebhook(port, "msg_rotate_1").status, 300);
    EXPECT_TRUE(eventually([&] { return readFile(rotated).find("A webhook started a run.") != std::string::npos; }))
        << readFile(rotated);
    EXPECT_FALSE(fs::exists(current)) << "nothing reopens the path before the signal";

    ::kill(pid, SIGHUP);
    EXPECT_TRUE(eventually([&] { return readFile(current).find("The configuration was reloaded.") != std::string::npos; }))
        << readFile(current);
    ASSERT_LT(sendWebhook(port, "msg_rotate_2").status, 300);
    EXPECT_TRUE(eventually([&] { return readFile(current).find("A webhook started a run.") != std::string::npos; }))
        << readFile(current);
    ::kill(pid, SIGTERM);
    EXPECT_EQ(serve.finish().exitCode, 0);

    const std::string before = readFile(rotated), after = readFile(current);
    EXPECT_NE(after.find(R"("signal":"SIGHUP")"), std::string::npos) << "the signal's own line goes to the new file\n"
                                                                     << after;
    EXPECT_EQ(count(before + after, "A webhook started a run."), 2u) << "each webhook's line exactly once";
    EXPECT_EQ(count(before, "The service stopped cleanly."), 0u);
    EXPECT_EQ(count(after, "The service stopped cleanly."), 1u);
    ASSERT_EQ(::stat(current.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // Both files are whole JSON lines: nothing cut or interleaved at the switch.
    for (const std::string* text : {&before, &after}) {
        std::istringstream lines(*text);
        for (std::string line; std::getline(lines, line);)
            EXPECT_NO_THROW(Poco::JSON::Parser().parse(line)) << line;
    }
}

TEST_F(ServeCommand, RepliesCarryTheReasonPhraseOfTheirStatus) {
    simtest::LiveProcess serve(simtest::binary("ledgerbridge"), argv({"serve"}));
    const std::pair<int, pid_t> listening = portAndPid(serve.readLineContaining("listening on"));
    const int port = listening.first;
    const pid_t pid = listening.second;
    ASSERT_GT(port, 0);
    // Written out from RFC 9110, not taken from the library that writes them.
    EXPECT_EQ(testsupport::rawStatusLine(port, "GET", "/healthz"), "HTTP/1.1 200 OK");
    EXPECT_EQ(testsupport::rawStatusLine(port, "GET", "/no-such-page"), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(testsupport::rawStatusLine(port, "GET", "/webhooks/pleo"), "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(testsupport::rawStatusLine(port, "POST", "/webhooks/pleo"), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(sendWebhook(port, "msg_reason_1").status, 202);
    ::kill(pid, SIGTERM);
    EXPECT_EQ(serve.finish().exitCode, 0);
}
