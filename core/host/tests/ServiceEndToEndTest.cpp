// `ledgerbridge serve` as a real process against the simulator: Pleo's signed
// v1.export-job.created webhook starts the company's run at once, the job is exported, the
// metrics say so, a forged webhook is refused, and SIGTERM stops the service cleanly (exit 0).
// GCC 12 at -O1 and above (the Asan build) reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function (GCC bug 105562); the pragma must precede the include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

std::pair<int, std::string> httpCall(int port, const std::string& method, const std::string& path,
                                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                                     const std::string& body = "") {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::string text;
    Poco::StreamCopier::copyToString(s.receiveResponse(res), text);
    return {static_cast<int>(res.getStatus()), text};
}

}  // namespace

TEST(Service, ASignedWebhookStartsTheRunAndSigtermStopsCleanly) {
    Installation inst({"--items", "120"});
    const int port = oauth::simtest::freePort();
    // Pleo's webhook subscription for the service's receiver; its whsec_ secret goes to a file.
    auto sub = inst.sim().admin("POST", "/admin/webhooks",
                                "{\"url\":\"http://127.0.0.1:" + std::to_string(port) +
                                    "/webhooks/pleo\",\"events\":[\"v1.export-job.created\"]}");
    {
        std::ofstream f(inst.dir() + "/webhook-secret");
        f << sub->getValue<std::string>("secret");
    }
    std::filesystem::permissions(inst.dir() + "/webhook-secret", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    std::ofstream(inst.dir() + "/ledgerbridge.ini", std::ios::app)
        << "\n[service]\nlisten = 127.0.0.1:" << port << "\nwebhook_secret = file:webhook-secret\ngrace_period = 20s\n";

    Poco::Pipe outPipe, errPipe;
    Poco::ProcessHandle serve = Poco::Process::launch(oauth::simtest::binary("ledgerbridge"),
                                                      inst.argv({"--log-format", "json", "serve"}), nullptr, &outPipe,
                                                      &errPipe);
    Poco::PipeInputStream out(outPipe);
    // The log goes to stderr; read it on the side so the pipe never fills.
    std::string errText;
    std::thread errReader([&errPipe, &errText] {
        Poco::PipeInputStream err(errPipe);
        Poco::StreamCopier::copyToString(err, errText);
    });
    struct Join {
        std::thread& t;
        ~Join() { if (t.joinable()) t.join(); }
    } join{errReader};
    std::string line;
    if (!std::getline(out, line)) {
        int code = serve.wait();
        errReader.join();
        std::string logs;
        for (const auto& [path, content] : oauth::simtest::readTree(inst.dir()))
            if (path.find(".log") != std::string::npos) logs += content.substr(content.size() > 3000 ? content.size() - 3000 : 0);
        FAIL() << "serve printed nothing (exit " << code << "); stderr:\n" << errText << "\nlog:\n" << logs;
    }
    EXPECT_NE(line.find("listening on 127.0.0.1:" + std::to_string(port)), std::string::npos) << line;
    EXPECT_EQ(httpCall(port, "GET", "/healthz").first, 200);

    // A forged delivery is refused before anything runs.
    auto forged = httpCall(port, "POST", "/webhooks/pleo",
                           {{"webhook-id", "msg_forged"},
                            {"webhook-timestamp", std::to_string(std::time(nullptr))},
                            {"webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                            {"Content-Type", "application/json"}},
                           R"({"type":"v1.export-job.created","data":{"companyId":"x"}})");
    EXPECT_EQ(forged.first, 401);

    // The user clicks Export: Pleo creates the job and sends the signed webhook.
    std::string job = inst.createJob();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string status;
    while (std::chrono::steady_clock::now() < deadline) {
        status = inst.jobStatus(job);
        if (status == "completed" || status == "completed_with_errors" || status == "failed") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, "completed") << "the webhook did not lead to a finished export";
    EXPECT_EQ(inst.csv().entries.size(), 120u);

    // The metrics count the run and its entries.
    std::string metrics;
    for (int i = 0; i < 50; ++i) {
        metrics = httpCall(port, "GET", "/metrics").second;
        if (metrics.find("ledgerbridge_runs_total{") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(metrics.find("ledgerbridge_runs_total{connection=\"acme\",outcome=\"ok\"} 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("outcome=\"posted\"} 120"), std::string::npos) << metrics;
    // Pleo's answers by HTTP status, and the connection's health from the store (read at most
    // every 5 s, so the run's end may take one more reading to show).
    EXPECT_TRUE(std::regex_search(metrics, std::regex("\nledgerbridge_pleo_requests_total\\{status=\"200\"\\} [1-9][0-9]*\n")))
        << metrics;
    const std::regex lastSuccess("\nledgerbridge_last_successful_run_timestamp_seconds\\{connection=\"acme\"\\} 1[0-9]{9}\n");
    for (int i = 0; i < 80 && !std::regex_search(metrics, lastSuccess); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        metrics = httpCall(port, "GET", "/metrics").second;
    }
    EXPECT_TRUE(std::regex_search(metrics, lastSuccess)) << metrics;
    EXPECT_NE(metrics.find("ledgerbridge_connection_needs_reauth{connection=\"acme\"} 0\n"), std::string::npos) << metrics;
    EXPECT_TRUE(std::regex_search(metrics, std::regex("\nledgerbridge_grant_expiry_timestamp_seconds\\{connection=\"acme\"\\} 1[0-9]{9}\n")))
        << metrics;
    EXPECT_TRUE(std::regex_search(metrics, std::regex("\nledgerbridge_build_info\\{plugin_abi=\"[0-9]+\\.[0-9]+\",state_schema=\"[0-9]+\",version=\"[^\"]+\"\\} 1\n")))
        << metrics;
    const auto attention = httpCall(port, "GET", "/attention");
    EXPECT_EQ(attention.first, 200);
    EXPECT_NE(attention.second.find("\"count\":0"), std::string::npos) << attention.second;

    ::kill(serve.id(), SIGTERM);
    EXPECT_EQ(serve.wait(), 0) << "a graceful stop exits 0";
}
