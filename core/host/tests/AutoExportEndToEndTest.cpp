// Automatic exports and unfinished jobs against the simulator over HTTPS, `ledgerbridge` as a
// real process: reviewers approve entries → `run --create-jobs` creates non-interactive jobs of
// at most auto_export_max_entries and exports them until every approved entry is EXPORTED in
// Pleo's accounting-entries view; MISSING_CONTRA_ACCOUNTS is an operator's message, not a
// crash or a retry storm; a service started after a crash mid-export resumes the job of a
// connection that has no schedule (webhook-only).
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "EndToEndHarness.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/StateStore.h"
#include "ledgerbridge/testsupport/Simulator.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

Poco::JSON::Object::Ptr firstReport(const ProcessResult& r) {
    auto arr = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Array::Ptr>();
    return arr->getObject(0);
}

/// Pleo's accounting-entries view of the company: count of entries per export status.
std::int64_t entriesWithExportStatus(Installation& inst, const std::string& status) {
    auto o = inst.sim().admin("GET", "/admin/companies/" + inst.companyId() + "/entries");
    auto counts = o->getObject("exportStatus");
    return counts->has(status) ? counts->getValue<std::int64_t>(status) : 0;
}

std::vector<std::string> approve(Installation& inst, int count) {
    auto o = inst.sim().admin("POST", "/admin/companies/" + inst.companyId() + "/entries",
                              "{\"reviewStatus\":\"OK\",\"count\":" + std::to_string(count) + "}");
    std::vector<std::string> ids;
    auto arr = o->getArray("entryIds");
    for (std::size_t i = 0; i < arr->size(); ++i) ids.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
    return ids;
}

}  // namespace

TEST(AutoExportEndToEnd, ApprovedEntriesBecomeAutomaticJobsUntilEveryOneIsExported) {
    // --validate-requests: the simulator checks every request ledgerbridge sends against Pleo's
    // reference OpenAPI files (the search's body and query, the create, events, PUTs).
    // Without the reference folder the export is still checked, the requests are not.
    const std::string openApi = testsupport::pleoOpenApiDir();
    std::vector<std::string> simArgs = {"--items", "120"};
    if (!openApi.empty()) simArgs.insert(simArgs.end(), {"--validate-requests", openApi});
    Installation inst(simArgs, "auto_export = on\nauto_export_review_status = OK\nauto_export_max_entries = 30\n");
    const auto approved = approve(inst, 50);
    ASSERT_EQ(approved.size(), 50u);

    auto first = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
    auto report = firstReport(first);
    EXPECT_NE(report->getValue<std::string>("autoExport").find("for 30 ready entries"), std::string::npos) << first.out;
    const std::string job = report->getArray("jobs")->getObject(0)->getValue<std::string>("jobId");
    auto jobView = inst.sim().admin("GET", "/admin/export-jobs/" + job);
    EXPECT_EQ(jobView->getValue<std::string>("status"), "completed");
    EXPECT_FALSE(jobView->getValue<bool>("isInteractive")) << "an automatic job is not a user's";
    EXPECT_EQ(entriesWithExportStatus(inst, "EXPORTED"), 30);

    auto second = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;
    EXPECT_NE(firstReport(second)->getValue<std::string>("autoExport").find("for 20 ready entries"), std::string::npos)
        << second.out;
    auto third = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    ASSERT_EQ(third.exitCode, 0) << third.out << third.err;
    EXPECT_EQ(firstReport(third)->getValue<std::string>("autoExport"), "no accounting entries are ready to export");

    // Every approved entry is EXPORTED in Pleo, in the target exactly once; nothing else moved.
    EXPECT_EQ(entriesWithExportStatus(inst, "EXPORTED"), 50);
    EXPECT_EQ(entriesWithExportStatus(inst, "NOT_EXPORTED"), 70);
    CsvContents csv = inst.csv();
    EXPECT_EQ(csv.duplicates(), 0);
    EXPECT_EQ(csv.entries, std::set<std::string>(approved.begin(), approved.end()));

    if (!openApi.empty()) {
        auto audit = inst.sim().admin("GET", "/admin/request-violations");
        std::ostringstream shown;
        audit->stringify(shown);
        EXPECT_EQ(audit->getValue<std::int64_t>("count"), 0) << "requests that break the reference files: " << shown.str();
        EXPECT_TRUE(audit->getObject("operations")->has("post /v1/accounting-entries:search")) << shown.str();
        EXPECT_TRUE(audit->getObject("operations")->has("post /v3/export-jobs")) << shown.str();
        std::cout << "request validation: " << shown.str() << "\n";
    }

    // Without --create-jobs (and outside the service) a run creates nothing.
    approve(inst, 5);
    auto plain = inst.ledgerbridge({"run", "--json"});
    EXPECT_EQ(plain.exitCode, 0) << plain.err;
    EXPECT_EQ(entriesWithExportStatus(inst, "EXPORTED"), 50);
}

TEST(AutoExportEndToEnd, AUserClickedJobIsExportedInsteadOfCreatingOne) {
    Installation inst({"--items", "40"}, "auto_export = on\n");
    approve(inst, 10);
    const std::string clicked = inst.createJob(5);
    auto r = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    auto report = firstReport(r);
    ASSERT_EQ(report->getArray("jobs")->size(), 1u);
    EXPECT_EQ(report->getArray("jobs")->getObject(0)->getValue<std::string>("jobId"), clicked);
    EXPECT_EQ(inst.jobStatus(clicked), "completed");
    EXPECT_EQ(inst.routeCounts()["POST /v3/export-jobs"], 0) << "no job is created while one is waiting";
}

TEST(AutoExportEndToEnd, MissingContraAccountsIsAClearOperatorMessageAndExportsOnceMapped) {
    Installation inst({"--items", "30"}, "auto_export = on\n");
    approve(inst, 8);
    inst.sim().admin("POST", "/admin/companies/" + inst.companyId() + "/contra-accounts", "{\"configured\":false}");
    auto refused = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    EXPECT_EQ(refused.exitCode, 1) << refused.out << refused.err;
    auto report = firstReport(refused);
    EXPECT_EQ(report->getValue<std::string>("outcome"), "missing_contra_accounts");
    const std::string error = report->getValue<std::string>("error");
    EXPECT_NE(error.find("MISSING_CONTRA_ACCOUNTS"), std::string::npos) << error;
    EXPECT_NE(error.find("Map a contra account for every Pleo account in Pleo's Accounting settings"), std::string::npos) << error;
    EXPECT_EQ(inst.routeCounts()["POST /v3/export-jobs"], 1) << "asked once, not retried";
    EXPECT_EQ(entriesWithExportStatus(inst, "EXPORTED"), 0);

    inst.sim().admin("POST", "/admin/companies/" + inst.companyId() + "/contra-accounts", "{\"configured\":true}");
    auto mapped = inst.ledgerbridge({"run", "--create-jobs", "--json"});
    EXPECT_EQ(mapped.exitCode, 0) << mapped.out << mapped.err;
    EXPECT_EQ(entriesWithExportStatus(inst, "EXPORTED"), 8);
}

TEST(AutoExportEndToEnd, AServiceStartedAfterACrashResumesAWebhookOnlyConnectionsJob) {
    Installation inst({"--items", "150"});  // no schedule, no webhook secret: this connection only runs when told
    const std::string job = inst.createJob();
    // The run dies (SIGKILL) right after its second batch of results reached Pleo.
    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:reported#2"}});
    ASSERT_NE(crashed.exitCode, 0) << "the crash hook did not fire: " << crashed.out << crashed.err;
    ASSERT_EQ(inst.jobStatus(job), "in_progress");

    const int port = oauth::simtest::freePort();
    std::ofstream(inst.dir() + "/ledgerbridge.ini", std::ios::app) << "\n[service]\nlisten = 127.0.0.1:" << port << "\n";
    Poco::Pipe outPipe, errPipe;
    Poco::ProcessHandle serve = Poco::Process::launch(oauth::simtest::binary("ledgerbridge"), inst.argv({"serve"}), nullptr,
                                                      &outPipe, &errPipe);
    std::string errText;
    std::thread errReader([&errPipe, &errText] {
        Poco::PipeInputStream err(errPipe);
        Poco::StreamCopier::copyToString(err, errText);
    });
    struct Stop {
        Poco::ProcessHandle& p;
        std::thread& t;
        ~Stop() {
            ::kill(p.id(), SIGTERM);
            p.wait();
            if (t.joinable()) t.join();
        }
    } stop{serve, errReader};
    std::string status;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60); std::chrono::steady_clock::now() < deadline;) {
        status = inst.jobStatus(job);
        if (status != "in_progress" && status != "pending") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, "completed") << "the service did not resume the unfinished job";
    CsvContents csv = inst.csv();
    EXPECT_EQ(csv.duplicates(), 0);
    EXPECT_EQ(csv.entries.size(), 150u);
}

TEST(AutoExportEndToEnd, AJobThatCannotFinishIsReportedFailedWithItsReason) {
    Installation inst({"--items", "20"});
    const std::string job = inst.createJob();
    // The plugin crashed the process often enough to be quarantined: refused until an operator
    // enables it again, so the user's job cannot finish.
    {
        store::StateStore state(inst.dir() + "/state");
        store::PluginHealth(state).quarantine("csv", "it crashed the process 3 times in a row (last inside push)");
    }
    auto r = inst.ledgerbridge({"run"});
    EXPECT_EQ(r.exitCode, 5) << r.out << r.err;  // plugin failure, as before
    auto view = inst.sim().admin("GET", "/admin/export-jobs/" + job);
    EXPECT_EQ(view->getValue<std::string>("status"), "failed");
    EXPECT_EQ(view->getValue<std::string>("failureReasonType"), "integration_unusable");
    EXPECT_NE(view->getValue<std::string>("failureReason").find("is quarantined"), std::string::npos)
        << view->getValue<std::string>("failureReason");
    // Its entries are back to not exported in Pleo: a new job can take them once the plugin is fixed.
    EXPECT_EQ(entriesWithExportStatus(inst, "NOT_EXPORTED"), 20);
}

namespace {
std::string metricsText(int port) {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req("GET", "/metrics", Poco::Net::HTTPMessage::HTTP_1_1);
    s.sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::string text;
    Poco::StreamCopier::copyToString(s.receiveResponse(res), text);
    return text;
}

template <typename Pred>
bool waitFor(Pred done, int seconds) {
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds); std::chrono::steady_clock::now() < deadline;) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return done();
}
}  // namespace

TEST(AutoExportEndToEnd, TheServiceExportsOnItsScheduleAndDoesNotStormOnMissingContraAccounts) {
    Installation inst({"--items", "80"},
                      "schedule = every 2s\nauto_export = on\nauto_export_review_status = OK\nauto_export_max_entries = 25\n");
    approve(inst, 60);
    const int port = oauth::simtest::freePort();
    std::ofstream(inst.dir() + "/ledgerbridge.ini", std::ios::app) << "\n[service]\nlisten = 127.0.0.1:" << port << "\n";
    Poco::Pipe outPipe, errPipe;
    Poco::ProcessHandle serve = Poco::Process::launch(oauth::simtest::binary("ledgerbridge"), inst.argv({"serve"}), nullptr,
                                                      &outPipe, &errPipe);
    std::string errText;
    std::thread errReader([&errPipe, &errText] {
        Poco::PipeInputStream err(errPipe);
        Poco::StreamCopier::copyToString(err, errText);
    });
    struct Stop {
        Poco::ProcessHandle& p;
        std::thread& t;
        ~Stop() {
            ::kill(p.id(), SIGTERM);
            p.wait();
            if (t.joinable()) t.join();
        }
    } stop{serve, errReader};

    // Three scheduled runs, each creating and exporting a job of at most 25.
    EXPECT_TRUE(waitFor([&] { return entriesWithExportStatus(inst, "EXPORTED") == 60; }, 60))
        << entriesWithExportStatus(inst, "EXPORTED") << " exported";
    EXPECT_EQ(inst.routeCounts()["POST /v3/export-jobs"], 3);
    EXPECT_EQ(inst.csv().duplicates(), 0);

    // Contra accounts unmapped: refused once, then no search and no create on the next ticks.
    inst.sim().admin("POST", "/admin/companies/" + inst.companyId() + "/contra-accounts", "{\"configured\":false}");
    approve(inst, 5);
    EXPECT_TRUE(waitFor([&] { return inst.routeCounts()["POST /v3/export-jobs"] == 4; }, 20));
    EXPECT_TRUE(waitFor([&] {
        return metricsText(port).find("ledgerbridge_auto_export_missing_contra_accounts{connection=\"acme\"} 1") != std::string::npos;
    }, 10)) << metricsText(port);
    const auto searchesAfterRefusal = inst.routeCounts()["POST /v1/accounting-entries:search"];
    std::this_thread::sleep_for(std::chrono::seconds(5));  // two or three more ticks
    EXPECT_EQ(inst.routeCounts()["POST /v3/export-jobs"], 4) << "no retry storm";
    EXPECT_EQ(inst.routeCounts()["POST /v1/accounting-entries:search"], searchesAfterRefusal);
    EXPECT_NE(metricsText(port).find("outcome=\"missing_contra_accounts\""), std::string::npos);
}
