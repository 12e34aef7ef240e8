// What an operator sees of the logs, from the real process against the real simulator:
//   - `--log-level debug` names every HTTP request (method, path without query, status, time),
//     every plugin call, lease and token decisions — and no secret;
//   - on a terminal (a real pseudo-terminal): the progress line and coloured levels for a
//     person, nothing of either in a JSON stream, under TERM=dumb, or (colour) under NO_COLOR.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "SimHarness.h"

using namespace ledgerbridge;
namespace fs = std::filesystem;
namespace simtest = ledgerbridge::oauth::simtest;

namespace {

const char* kClientSecret = "operator-log-client-s3cret";

std::vector<Poco::JSON::Object::Ptr> jsonLines(const std::string& text) {
    std::vector<Poco::JSON::Object::Ptr> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        out.push_back(Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
    }
    return out;
}

std::vector<Poco::JSON::Object::Ptr> withMessage(const std::vector<Poco::JSON::Object::Ptr>& lines, const std::string& msg) {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (const auto& l : lines)
        if (l->optValue<std::string>("msg", "") == msg) out.push_back(l);
    return out;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TerminalRun {
    int exitCode = -1;
    std::string screen;  ///< everything the process wrote to its terminal
};

/// Runs the binary with a pseudo-terminal as stdin and stderr (and stdout, unless `stdoutFile`
/// is given), with `env` set ("" = unset). Returns what reached the terminal.
TerminalRun runOnTerminal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                          const std::string& stdoutFile = "") {
    const std::string program = simtest::binary("ledgerbridge");
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) throw std::runtime_error("forkpty failed");
    if (pid == 0) {
        for (const auto& [k, v] : env) v.empty() ? ::unsetenv(k.c_str()) : ::setenv(k.c_str(), v.c_str(), 1);
        if (!stdoutFile.empty()) {
            const int fd = ::open(stdoutFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0) ::_exit(120);
        }
        std::vector<char*> argv{const_cast<char*>(program.c_str())};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(program.c_str(), argv.data());
        ::_exit(121);
    }
    TerminalRun r;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n > 0) r.screen.append(buffer, static_cast<std::size_t>(n));
        else if (n < 0 && errno == EINTR) continue;
        else break;  // EIO: the child closed the terminal
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// A folder with a configuration of one API-key connection per simulated company (CSV plugin)
/// plus `broken`, whose API key Pleo refuses (its error line is what colour is tested on).
class TerminalFixture : public ::testing::Test {
protected:
    void SetUp() override {
        // Big enough jobs that delivery takes over a second (the progress line's first draw);
        // a few slow answers make sure of it on a fast machine.
        sim = std::make_unique<simtest::Simulator>(
            "http://127.0.0.1:" + std::to_string(simtest::freePort()) + "/callback", kClientSecret,
            std::vector<std::string>{"--companies", "3", "--items", "1500", "--rate-limit", "0", "--faults", "slow",
                                     "--fault-rate", "0.1", "--slow-ms", "300"});
        dir = fs::temp_directory_path() / ("lb-oplog-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir / "out");
        std::ofstream ini(dir / "ledgerbridge.ini");
        ini << "environment = sim\n[state]\ndir = state\n[environment.sim]\nauth_url = " << sim->baseUrl()
            << "\napi_url = " << sim->baseUrl() << "\nca_file = " << sim->caFile()
            << "\nclient_id = ledgerbridge-demo\nrequests_per_minute = 0\n";
        auto data = sim->admin("GET", "/admin/companies")->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i) {
            const std::string company = data->getObject(static_cast<unsigned>(i))->getValue<std::string>("id");
            const std::string key = sim->admin("POST", "/admin/api-keys", R"({"companyId":")" + company + "\"}")
                                        ->getValue<std::string>("apiKey");
            const fs::path keyFile = dir / ("key" + std::to_string(i));
            std::ofstream(keyFile) << key;
            fs::permissions(keyFile, fs::perms::owner_read | fs::perms::owner_write);
            companies.push_back(company);
            ini << "[connection.c" << i << "]\ncompany_id = " << company << "\nplugin = csv\ncredential = api_key\n"
                << "api_key = file:" << keyFile.string() << "\nsetting.output_dir = out\n";
        }
        // An API key Pleo does not know: the configuration is sound, the run is refused (401).
        const fs::path badKey = dir / "key-unknown";
        std::ofstream(badKey) << "lb-unknown-api-key-0000000000000000";
        fs::permissions(badKey, fs::perms::owner_read | fs::perms::owner_write);
        ini << "[connection.broken]\ncompany_id = " << companies.front()
            << "\nplugin = csv\ncredential = api_key\napi_key = file:" << badKey.string()
            << "\nsetting.output_dir = out\n";
    }
    void TearDown() override { fs::remove_all(dir); }

    void pendingJobFor(std::size_t company) {
        sim->admin("POST", "/admin/export-jobs", R"({"companyId":")" + companies.at(company) + "\"}");
    }
    /// `ledgerbridge --config FILE GLOBAL... run OPTIONS...`
    std::vector<std::string> run(std::vector<std::string> global = {}, std::vector<std::string> options = {}) const {
        std::vector<std::string> args{"--config", (dir / "ledgerbridge.ini").string()};
        args.insert(args.end(), global.begin(), global.end());
        args.push_back("run");
        args.insert(args.end(), options.begin(), options.end());
        return args;
    }

    std::unique_ptr<simtest::Simulator> sim;
    fs::path dir;
    std::vector<std::string> companies;
};

const std::regex kSgrColour("\x1b\\[[0-9;]*m");
const int kRefused = 4;  // the broken connection's exit code: its credential needs a person

}  // namespace

TEST_F(TerminalFixture, APersonAtATerminalGetsTheProgressLineAndColouredLevels) {
    pendingJobFor(0);
    const TerminalRun r = runOnTerminal(run(), {{"TERM", "xterm"}, {"NO_COLOR", ""}});
    EXPECT_EQ(r.exitCode, kRefused) << "the broken connection's key is refused\n" << r.screen;
    EXPECT_NE(r.screen.find("\r\x1b[K  job "), std::string::npos) << "the progress line, redrawn in place\n" << r.screen;
    EXPECT_NE(r.screen.find("\x1b[1;31mERROR \x1b[0m"), std::string::npos) << r.screen;
    EXPECT_NE(r.screen.find("1500 posted"), std::string::npos) << r.screen;
}

TEST_F(TerminalFixture, JsonLogsOnATerminalAreOnlyJsonLines) {
    pendingJobFor(1);
    const std::string report = (dir / "report.txt").string();
    const TerminalRun r = runOnTerminal(run({"--log-format", "json"}), {{"TERM", "xterm"}, {"NO_COLOR", ""}}, report);
    EXPECT_EQ(r.exitCode, kRefused) << r.screen;
    EXPECT_EQ(r.screen.find('\x1b'), std::string::npos) << "no progress line, no colour in a JSON stream\n" << r.screen;
    std::vector<Poco::JSON::Object::Ptr> lines;
    ASSERT_NO_THROW(lines = jsonLines(r.screen)) << "every line a JSON object:\n" << r.screen;
    const auto finished = withMessage(lines, "export job finished");
    ASSERT_EQ(finished.size(), 1u) << r.screen;
    EXPECT_TRUE(finished[0]->get("posted").isInteger()) << "numbers are JSON numbers";
    EXPECT_EQ(finished[0]->getValue<int>("posted"), 1500);
    EXPECT_NE(readFile(report).find("1500 posted"), std::string::npos) << "the report went to stdout";
}

TEST_F(TerminalFixture, TermDumbGetsNeitherProgressLineNorColour) {
    pendingJobFor(2);
    const TerminalRun r = runOnTerminal(run({"--log-format", "human"}), {{"TERM", "dumb"}, {"NO_COLOR", ""}});
    EXPECT_EQ(r.exitCode, kRefused) << r.screen;
    EXPECT_EQ(r.screen.find('\x1b'), std::string::npos) << r.screen;
    EXPECT_NE(r.screen.find("ERROR [broken] export run did not finish"), std::string::npos) << r.screen;
    EXPECT_NE(r.screen.find("1500 posted"), std::string::npos) << r.screen;
}

TEST_F(TerminalFixture, NoColorTurnsOffColourOnly) {
    const TerminalRun r = runOnTerminal(run({}, {"--connection", "broken"}), {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
    EXPECT_EQ(r.exitCode, kRefused) << r.screen;
    EXPECT_FALSE(std::regex_search(r.screen, kSgrColour)) << r.screen;
    EXPECT_NE(r.screen.find("ERROR [broken] export run did not finish"), std::string::npos) << r.screen;
}

TEST(OperatorDebugLog, ShowsRequestsPluginCallsLeasesAndTokenDecisionsAndNoSecret) {
    const std::string redirect = "http://127.0.0.1:" + std::to_string(simtest::freePort()) + "/callback";
    simtest::Simulator sim(redirect, kClientSecret, {"--auto-approve", "--companies", "1", "--items", "5"});
    const std::string company =
        sim.admin("GET", "/admin/companies")->getArray("data")->getObject(0)->getValue<std::string>("id");
    simtest::Installation inst(sim, redirect, kClientSecret, company, simtest::kIntegrationScopes);
    fs::create_directories(inst.dir() + "/out");
    std::ofstream(inst.configPath(), std::ios::app) << "setting.output_dir = " << inst.dir() << "/out\n";
    const auto login = simtest::loginAutoApproved(sim, inst, "acme");
    ASSERT_EQ(login.exitCode, 0) << login.out << login.err;
    sim.admin("POST", "/admin/export-jobs", R"({"companyId":")" + company + "\"}");

    const auto r = simtest::run(simtest::binary("ledgerbridge"), {"--config", inst.configPath(), "--log-level", "debug",
                                                                  "--log-format", "json", "run", "--no-progress"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    std::vector<Poco::JSON::Object::Ptr> lines;
    ASSERT_NO_THROW(lines = jsonLines(r.err)) << r.err;

    // Every HTTP request: method, origin, path, status and time as numbers; never a query.
    const auto requests = withMessage(lines, "HTTP request");
    ASSERT_GE(requests.size(), 3u) << r.err;
    bool sawItems = false, sawPut = false;
    for (const auto& q : requests) {
        const std::string path = q->getValue<std::string>("path");
        EXPECT_EQ(path.find('?'), std::string::npos) << path;
        EXPECT_EQ(q->getValue<std::string>("origin"), sim.baseUrl());
        EXPECT_TRUE(q->get("status").isInteger());
        EXPECT_TRUE(q->get("ms").isNumeric());
        EXPECT_GE(q->getValue<double>("ms"), 0.0);
        sawItems = sawItems || (q->getValue<std::string>("method") == "GET" && path == "/v3/export-items");
        sawPut = sawPut || q->getValue<std::string>("method") == "PUT";
    }
    EXPECT_TRUE(sawItems) << "the export items request (its job id and cursor, in the query, stay out)\n" << r.err;
    EXPECT_TRUE(sawPut) << "the results reported to Pleo\n" << r.err;

    // Plugin calls with their time; the run's lease taken and released; the token decision.
    const auto calls = withMessage(lines, "plugin call");
    ASSERT_FALSE(calls.empty()) << r.err;
    bool sawPush = false;
    for (const auto& c : calls) {
        EXPECT_NE(c->getValue<std::string>("plugin").find("csv"), std::string::npos);
        EXPECT_TRUE(c->get("ms").isNumeric());
        sawPush = sawPush || c->getValue<std::string>("call") == "push";
    }
    EXPECT_TRUE(sawPush) << r.err;
    EXPECT_FALSE(withMessage(lines, "lease taken").empty()) << r.err;
    EXPECT_FALSE(withMessage(lines, "lease released").empty()) << r.err;
    bool sawTokenDecision = false;
    for (const auto& l : lines) sawTokenDecision = sawTokenDecision || l->getValue<std::string>("msg").rfind("access token: ", 0) == 0;
    EXPECT_TRUE(sawTokenDecision) << r.err;

    // No secret: not the client secret, not a bearer token, not a token or code in any form,
    // here nor in the log file (which also holds the login's debug lines: the token exchange).
    for (const std::string& text : {r.err, readFile(inst.logPath())}) {
        EXPECT_EQ(text.find(kClientSecret), std::string::npos);
        EXPECT_EQ(text.find("Bearer"), std::string::npos);
        EXPECT_EQ(text.find("access_token"), std::string::npos);
        EXPECT_EQ(text.find("refresh_token"), std::string::npos);
        EXPECT_EQ(text.find("code_verifier"), std::string::npos);
    }
    EXPECT_FALSE(withMessage(jsonLines(readFile(inst.logPath())), "HTTP request").empty()) << "the login's token request";
}
