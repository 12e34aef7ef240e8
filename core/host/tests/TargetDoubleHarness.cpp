// See TargetDoubleHarness.h.
#include "TargetDoubleHarness.h"

#include <gtest/gtest.h>

#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <thread>

namespace ledgerbridge::e2e {
namespace {
std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

std::string hostPortOf(const std::string& url) {
    const auto start = url.find("://") + 3;
    return url.substr(start, url.find('/', start) - start);
}

void useTargetDouble(Installation& inst, const std::string& tokenHosts) {
    const std::string ini = inst.dir() + "/ledgerbridge.ini";
    std::string text = readFile(ini);
    const std::string sim = inst.sim().baseUrl();
    text.insert(text.find("[connection.acme]\n") + 18,
                "target.client_id = ledgerbridge-demo\ntarget.client_secret = file:client-secret\n"
                "target.authorize_url = " + sim + "/oauth/authorize\ntarget.token_url = " + sim +
                    "/oauth/token\ntarget.scopes = export-jobs:read\ntarget.ca_file = " + inst.sim().caFile() +
                    "\ntarget.token_hosts = " + tokenHosts + "\n");
    text.insert(text.find("[environment.sim]\n") + 18, "allow_http = true\n");
    std::ofstream(ini, std::ios::trunc) << text;
}

void loginTarget(Installation& inst) {
    auto done = inst.login(true);
    ASSERT_EQ(done.exitCode, 0) << done.err;
}

void setConfigValue(Installation& inst, const std::string& key, const std::string& value) {
    const std::string ini = inst.dir() + "/ledgerbridge.ini";
    std::string text = readFile(ini);
    const auto at = text.find("\n" + key + " = ");
    if (at == std::string::npos) throw std::runtime_error("no '" + key + " = ' line in " + ini);
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, key + " = " + value);
    std::ofstream(ini, std::ios::trunc) << text;
}

bool runAndKill(Installation& inst, std::chrono::milliseconds delay, int& exitCode) {
    std::vector<std::string> args = inst.argv({"--log-level", "warn", "run", "--no-progress"});
    Poco::Pipe outPipe, errPipe;
    Poco::ProcessHandle h = Poco::Process::launch(oauth::simtest::binary("ledgerbridge"), args, nullptr, &outPipe, &errPipe);
    auto deadline = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!Poco::Process::isRunning(h)) {
            exitCode = h.wait();
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    Poco::Process::kill(h);  // SIGKILL
    exitCode = h.wait();
    return true;
}

KillCount killAtRandomInstants(Installation& inst, const std::string& job, int wanted, int minMs, int maxMs) {
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> delayMs(minMs, maxMs);
    KillCount n;
    int exitCode = 0;
    while (n.kills < wanted && n.runs < 200) {
        ++n.runs;
        if (runAndKill(inst, std::chrono::milliseconds(delayMs(rng)), exitCode))
            ++n.kills;
        else if (inst.jobStatus(job) != "in_progress" && inst.jobStatus(job) != "pending")
            break;  // finished before `wanted` kills
    }
    for (const char* step : {"export:staged", "export:pushing#1", "export:pushed#1", "export:reported#1"})
        (void)oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}), {{"LEDGERBRIDGE_CRASH_AT", step}});
    return n;
}

}  // namespace ledgerbridge::e2e
