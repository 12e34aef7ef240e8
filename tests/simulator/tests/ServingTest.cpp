// Serving: HTTPS with the generated CA (verification on), the address line, SANs for
// --hostname, plain HTTP, --help, bad flags, clean stop on SIGTERM.

// GCC 12 at -O1+ reports a false -Wmaybe-uninitialized inside <regex> (GCC bug 105562).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/X509Certificate.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>
#include <iostream>
#include <fstream>
#include <regex>
#include <sstream>

#include "SimClient.h"
#include "ledgerbridge/testsupport/RawHttp.h"

using ledgerbridge::testsupport::rawStatusLine;
using ledgerbridge::testsupport::SimulatorProcess;
using ledgerbridge::testsupport::simulatorBinary;
using simtest::SimClient;

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string runCapture(const std::string& cmd, int& exitCode) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = ::pclose(p);
    exitCode = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}
}  // namespace

TEST(Serving, PrintsHttpsAddressAndServesWithAVerifiedCertificate) {
    SimulatorProcess sim({"--items", "5"});
    EXPECT_TRUE(std::regex_match(sim.baseUrl(), std::regex(R"(https://127\.0\.0\.1:\d+)"))) << sim.baseUrl();
    EXPECT_GT(sim.port(), 0);
    EXPECT_FALSE(sim.caFile().empty());
    SimClient c(sim);
    auto r = c.get("/healthz");
    EXPECT_EQ(r.status, 200);
}

TEST(Serving, UntrustedClientsAreRefusedBecauseTheCertIsReal) {
    SimulatorProcess sim({"--items", "5"});
    // A client trusting nothing (no CA, no system store) must fail the handshake.
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                         Poco::Net::Context::VERIFY_STRICT, 9, false);
    Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(sim.port()), ctx);
    Poco::Net::HTTPRequest req("GET", "/healthz");
    EXPECT_ANY_THROW({
        s.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        s.receiveResponse(resp);
    });
}

TEST(Serving, ReusesTheCaAndNamesExtraHostnames) {
    std::string first;
    {
        SimulatorProcess sim({"--items", "1"});
        first = slurp(sim.caFile());
    }
    SimulatorProcess sim({"--items", "1", "--hostname", "auth.staging.pleo.io", "--hostname", "external.staging.pleo.io"});
    EXPECT_EQ(slurp(sim.caFile()), first) << "the CA must be reused so clients keep trusting it";
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, sim.caFile(),
                                                         Poco::Net::Context::VERIFY_STRICT, 9, false);
    Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(sim.port()), ctx);
    Poco::Net::HTTPRequest req("GET", "/healthz");
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    s.receiveResponse(resp).ignore(1000);
    std::string cn;
    std::set<std::string> names;
    s.serverCertificate().extractNames(cn, names);
    EXPECT_TRUE(names.count("localhost"));
    EXPECT_TRUE(names.count("auth.staging.pleo.io"));
    EXPECT_TRUE(names.count("external.staging.pleo.io"));
}

TEST(Serving, PlainHttpByFlag) {
    SimulatorProcess sim({"--http", "--items", "1"});
    EXPECT_EQ(sim.baseUrl().rfind("http://127.0.0.1:", 0), 0u);
    EXPECT_TRUE(sim.caFile().empty());
    SimClient c(sim);
    EXPECT_EQ(c.get("/healthz").status, 200);
}

TEST(Serving, StopsCleanlyOnSigterm) {
    SimulatorProcess sim({"--items", "1"});
    int st = sim.stop();
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(Serving, HelpListsFlagsAndBadFlagsExitWithUsageError) {
    int code = -1;
    std::string help = runCapture(simulatorBinary() + " --help", code);
    EXPECT_EQ(code, 0);
    for (const char* flag : {"--port", "--http", "--tls-dir", "--hostname", "--seed", "--items", "--companies",
                             "--invalid-rate", "--auto-approve", "--strict-client-auth", "--token-ttl", "--time-scale",
                             "--rate-limit", "--fault-rate", "--faults", "--fault-seed", "--client-secret"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
    runCapture(simulatorBinary() + " --no-such-flag 2>/dev/null", code);
    EXPECT_EQ(code, 2);
    runCapture(simulatorBinary() + " --invalid-rate 2 2>/dev/null", code);
    EXPECT_EQ(code, 2);
}

TEST(Serving, MillionItemsStartFastAndStaySmall) {
    auto t0 = std::chrono::steady_clock::now();
    SimulatorProcess sim({"--items", "1000000", "--rate-limit", "0"});
    auto startMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    // Under a second on an idle machine; the bound is loose because CI cores are shared.
    EXPECT_LT(startMs, 3000);
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, -1);
    auto first = c.get("/v3/export-items?job_id=" + job + "&limit=100", auth).object();
    EXPECT_EQ(first->getObject("pagination")->getValue<int>("total"), 1000000);
    auto last = c.get("/v3/export-items?job_id=" + job + "&offset=999900&limit=100", auth).object();
    EXPECT_EQ(last->getArray("data")->size(), 100u);
    EXPECT_FALSE(last->getObject("pagination")->getValue<bool>("hasNextPage"));
    std::ifstream status("/proc/" + std::to_string(sim.pid()) + "/status");
    std::string line;
    long hwmKb = -1;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) hwmKb = std::stol(line.substr(6));
    ASSERT_GT(hwmKb, 0);
    EXPECT_LT(hwmKb, 100 * 1024) << "peak RSS " << hwmKb << " kB";
    std::cout << "[ figures  ] 1,000,000 items: start " << startMs << " ms, peak RSS " << hwmKb / 1024 << " MB\n";
}

TEST(Serving, StopsCleanlyOnSigintToo) {
    SimulatorProcess sim({"--items", "1"});
    ::kill(sim.pid(), SIGINT);
    int st = -1;
    for (int i = 0; i < 100 && ::waitpid(sim.pid(), &st, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(Serving, ParallelClientsGetConsistentAnswers) {
    SimulatorProcess sim({"--items", "400", "--rate-limit", "0"});
    SimClient setup(sim);
    std::string auth = setup.apiKeyAuth(0);
    std::string job = setup.createJob(0, 400);
    setup.postJson("/v3/export-job-events", "{\"event\":\"started\",\"jobId\":\"" + job + "\"}", auth);
    auto ids = setup.admin("GET", "/export-jobs/" + job + "/items?limit=400")->getArray("data");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            SimClient c(sim);
            for (int i = 0; i < 50; ++i) {
                std::size_t idx = static_cast<std::size_t>(t * 50 + i);
                std::string id = ids->getObject(static_cast<unsigned>(idx))->getValue<std::string>("accountingEntryId");
                auto put = c.putJson("/v3/export-jobs/" + job + "/items",
                                     "[{\"accountingEntryId\":\"" + id + "\",\"status\":\"successful\",\"externalId\":\"T" +
                                         std::to_string(idx) + "\"}]",
                                     auth);
                auto get = c.get("/v3/export-items?job_id=" + job + "&offset=" + std::to_string(idx) + "&limit=1", auth);
                if (put.status != 200 || get.status != 200) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto details = setup.admin("GET", "/export-jobs/" + job);
    EXPECT_EQ(details->getObject("itemCounts")->getValue<int>("successful"), 400);
}

TEST(Serving, StatusLinesCarryTheReasonPhraseOfTheirStatus) {
    SimulatorProcess sim({"--http", "--items", "5"});
    // Written out from RFC 9110: before the fix every status read "OK" ("401 OK").
    EXPECT_EQ(rawStatusLine(sim.port(), "GET", "/healthz"), "HTTP/1.1 200 OK");
    EXPECT_EQ(rawStatusLine(sim.port(), "GET", "/no-such-route"), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(rawStatusLine(sim.port(), "GET", "/v3/export-jobs"), "HTTP/1.1 401 Unauthorized");
    EXPECT_EQ(rawStatusLine(sim.port(), "POST", "/oauth/token"), "HTTP/1.1 401 Unauthorized") << "no client credentials";
    EXPECT_EQ(rawStatusLine(sim.port(), "GET", "/oauth/authorize"), "HTTP/1.1 400 Bad Request") << "no client_id";
}
