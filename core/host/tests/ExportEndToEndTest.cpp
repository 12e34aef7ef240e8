// `ledgerbridge run` as a real process against the real simulator over HTTPS, into the CSV
// plugin: a multi-page job with split lines, two currencies, receipts and invalid entries; a
// dry run that changes nothing; a job that expires after a crash without losing or doubling an
// entry. What Pleo (the simulator) and the target (the CSV files) hold is checked entry by
// entry.
#include <gtest/gtest.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <fstream>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

Poco::JSON::Object::Ptr firstReport(const ProcessResult& r) {
    auto arr = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Array::Ptr>();
    return arr->getObject(0);
}

std::size_t filesBelow(const std::string& dir) {
    std::size_t n = 0;
    if (!Poco::File(dir).exists()) return 0;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) n += it->isDirectory() ? filesBelow(it.path().toString()) : 1;
    return n;
}

/// Every item of `jobs` is in the target at most once, Pleo holds the target's external id for
/// every successful one, and the set of successful items equals what the target holds.
void expectExactlyOnce(Installation& inst, const std::vector<std::string>& jobs, std::size_t expectedEntries) {
    CsvContents csv = inst.csv();
    EXPECT_EQ(csv.duplicates(), 0) << "an entry line was written twice";
    std::set<std::string> successful, failed;
    for (const auto& job : jobs)
        for (const auto& item : inst.jobItems(job)) {
            if (item.status == "successful") {
                EXPECT_TRUE(successful.insert(item.entryId).second) << item.entryId << " successful in two jobs";
                ASSERT_TRUE(csv.fileOfEntry.count(item.entryId)) << item.entryId << " successful in Pleo, absent in the target";
                EXPECT_EQ(item.externalId, csv.fileOfEntry[item.entryId] + "#" + item.entryId);
            } else if (item.status == "failed") {
                failed.insert(item.entryId);
            }
        }
    EXPECT_EQ(successful, csv.entries) << "the target and Pleo disagree";
    std::set<std::string> all = successful;
    all.insert(failed.begin(), failed.end());
    EXPECT_EQ(all.size(), expectedEntries) << "entries lost";
}

}  // namespace

TEST(ExportEndToEnd, MultiPageJobWithSplitLinesReceiptsAndInvalidEntries) {
    // The target knows the company's tax codes; the simulator's invalid entries carry an
    // unknown tax code or no account.
    Installation inst({"--items", "250", "--invalid-rate", "0.1"}, "setting.tax_codes = I25,I12,I6,RC25,E0\n");
    std::string job = inst.createJob();
    auto r = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(r.exitCode, 3) << r.err;  // completed with errors: the invalid entries
    auto report = firstReport(r);
    EXPECT_EQ(report->getValue<std::string>("outcome"), "completed_with_errors");
    auto jobReport = report->getArray("jobs")->getObject(0);
    EXPECT_EQ(jobReport->getValue<int>("fetched"), 250);
    int posted = jobReport->getValue<int>("posted"), rejected = jobReport->getValue<int>("rejected");
    EXPECT_EQ(posted + rejected, 250);
    EXPECT_GT(rejected, 5);
    EXPECT_EQ(inst.jobStatus(job), "completed_with_errors");

    // Pleo holds the right outcome for every entry: the simulator marks which it made invalid.
    for (const auto& item : inst.jobItems(job)) {
        if (item.invalid) {
            EXPECT_EQ(item.status, "failed") << item.entryId;
            EXPECT_TRUE(item.failureReasonType == "account_unknown" || item.failureReasonType == "tax_code_unknown")
                << item.entryId << ": " << item.failureReasonType;
        } else {
            EXPECT_EQ(item.status, "successful") << item.entryId << " (" << item.failureReasonType << ")";
        }
    }
    expectExactlyOnce(inst, {job}, 250);
    CsvContents csv = inst.csv();
    EXPECT_GT(csv.rowsPerLine.size(), csv.entries.size()) << "split lines: more rows than entries";

    // Three pages of export items (100 per page), results in PUTs of at most 100.
    auto routes = inst.routeCounts();
    EXPECT_GE(routes["GET /v3/export-items"], 3);
    EXPECT_GE(routes["PUT /v3/export-jobs/{jobId}/items"], 3);
    // The CSV plugin takes no attachments, so no receipt was downloaded for it.
    EXPECT_EQ(routes["GET /files/{file}"], 0);

    // A second run finds nothing and writes nothing.
    auto before = inst.routeCounts()["PUT /v3/export-jobs/{jobId}/items"];
    auto again = inst.ledgerbridge({"run"});
    EXPECT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.out.find("no export jobs were waiting"), std::string::npos) << again.out;
    EXPECT_EQ(inst.routeCounts()["PUT /v3/export-jobs/{jobId}/items"], before);
    EXPECT_EQ(inst.csv().rowsPerLine, csv.rowsPerLine);

    // `history` shows both runs; the client secret is nowhere in what the installation wrote.
    auto history = inst.ledgerbridge({"history", "--json"});
    EXPECT_EQ(history.exitCode, 0);
    EXPECT_NE(history.out.find("completed_with_errors"), std::string::npos);
    EXPECT_EQ(inst.filesContaining(Installation::kClientSecret), std::vector<std::string>{})
        << "the client secret left its own file";
    EXPECT_EQ(r.out.find(Installation::kClientSecret), std::string::npos);
    EXPECT_EQ(r.err.find(Installation::kClientSecret), std::string::npos);
}

TEST(ExportEndToEnd, DryRunChangesNothing) {
    Installation inst({"--items", "120"});
    std::string job = inst.createJob();
    auto before = inst.routeCounts();
    auto r = inst.ledgerbridge({"run", "--dry-run", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto report = firstReport(r);
    EXPECT_TRUE(report->getValue<bool>("dryRun"));
    // Nothing that changes state reached Pleo, nothing reached the target.
    for (const auto& [route, n] : inst.routeCounts()) {
        if (route.rfind("POST /v3", 0) == 0 || route.rfind("PUT /v3", 0) == 0) {
            EXPECT_EQ(n, before[route]) << route << " was called by a dry run";
        }
    }
    EXPECT_EQ(inst.jobStatus(job), "pending");
    EXPECT_EQ(filesBelow(inst.exportsDir()), 0u);
    // The plan holds the exact documents, one line per planned document.
    std::string plan = report->getValue<std::string>("output");
    std::ifstream in(plan);
    ASSERT_TRUE(in.good()) << plan;
    int lines = 0;
    for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
    EXPECT_GE(lines, 1);

    // A real run afterwards delivers everything: the dry run left no trace in the ledger.
    auto real = inst.ledgerbridge({"run"});
    EXPECT_EQ(real.exitCode, 0) << real.err;
    expectExactlyOnce(inst, {job}, 120);
}

TEST(ExportEndToEnd, AJobThatExpiresAfterACrashLosesAndDoublesNothing) {
    Installation inst({"--items", "600"});
    std::string first = inst.createJob();
    // Die right after the plugin wrote the second batch, before Pleo heard about it.
    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:pushed#2"}});
    ASSERT_NE(crashed.exitCode, 0);
    EXPECT_EQ(inst.jobStatus(first), "in_progress");
    // Nobody comes back for two hours: Pleo expires the job (one hour after its last update).
    inst.sim().admin("POST", "/admin/clock/advance", "{\"seconds\":7200}");
    EXPECT_NE(inst.jobStatus(first), "in_progress");

    auto afterExpiry = inst.ledgerbridge({"run"});
    EXPECT_NE(afterExpiry.out.find(first), std::string::npos) << afterExpiry.out;
    // Not a success: entries were left undelivered. Exit 1, and the report says what happens next.
    EXPECT_EQ(afterExpiry.exitCode, 1) << afterExpiry.out << afterExpiry.err;
    EXPECT_NE(afterExpiry.out.find(": closed_by_pleo in "), std::string::npos) << afterExpiry.out;
    EXPECT_NE(afterExpiry.out.find("    next: "), std::string::npos) << afterExpiry.out;
    EXPECT_NE(afterExpiry.out.find("again in a new export job"), std::string::npos) << afterExpiry.out;
    // The user exports again: the new job holds every entry Pleo never heard was exported,
    // including the batch written before the crash. That batch is reported, not written again.
    std::string second = inst.createJob();
    auto r = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    auto jobReport = firstReport(r)->getArray("jobs")->getObject(0);
    EXPECT_EQ(jobReport->getValue<int>("alreadyPosted"), 100);
    EXPECT_EQ(inst.jobStatus(second), "completed");
    expectExactlyOnce(inst, {first, second}, 600);
}

namespace {
struct FilePlugin {
    std::string name, settings;
};
class FilePlugins : public ::testing::TestWithParam<FilePlugin> {};
}  // namespace

// The ERP file plugins, loaded and configured by the host exactly as the CSV plugin is, export
// a whole job from the simulator (the first company books in DKK).
TEST_P(FilePlugins, ExportAJobFromTheSimulator) {
    const FilePlugin& p = GetParam();
    Installation inst({"--items", "150"}, p.settings, p.name);
    std::string job = inst.createJob();
    auto r = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    EXPECT_EQ(firstReport(r)->getValue<std::string>("plugin"), p.name);
    EXPECT_EQ(inst.jobStatus(job), "completed");
    std::set<std::string> ids;
    for (const auto& item : inst.jobItems(job)) {
        EXPECT_EQ(item.status, "successful") << item.entryId;
        EXPECT_FALSE(item.externalId.empty());
        ids.insert(item.externalId);
    }
    EXPECT_EQ(ids.size(), 150u) << "one external id per entry";
    EXPECT_GE(filesBelow(inst.exportsDir()), 1u);
    // Nothing more on a second run, and the files do not change.
    std::map<std::string, std::string> before = oauth::simtest::readTree(inst.exportsDir());
    EXPECT_EQ(inst.ledgerbridge({"run"}).exitCode, 0);
    EXPECT_EQ(oauth::simtest::readTree(inst.exportsDir()), before);
}

INSTANTIATE_TEST_SUITE_P(
    Host, FilePlugins,
    ::testing::Values(FilePlugin{"datev", "setting.beraternummer = 1001\nsetting.mandantennummer = 1\nsetting.wkz = DKK\n"
                                            "setting.bu_keys = I25:9,I12:8,I6:8,RC25:94,E0:\n"},
                      FilePlugin{"sie", "setting.company_name = Demo AB\nsetting.org_nr = 556000-0001\n"
                                        "setting.fiscal_year_start = 20260101\nsetting.fiscal_year_end = 20261231\n"
                                        "setting.currency = DKK\n"}),
    [](const ::testing::TestParamInfo<FilePlugin>& param) { return param.param.name; });

// The host runs the target system's OAuth flow for a connection (here against the simulator's
// authorization server standing in for an ERP's identity server): `auth login --target` stores
// a second, separately sealed grant under the plugin's name, and a run checks it before any
// work. Without it the run stops with exit code 4 and the command that fixes it.
TEST(TargetOAuth, LoginWithTheTargetsIdentityServerAndRunWithIt) {
    Installation inst({"--items", "20"});
    const std::string sim = inst.sim().baseUrl();
    std::string config;
    {
        std::ifstream in(inst.dir() + "/ledgerbridge.ini");
        config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string connectionHeader = "[connection.acme]\n";
    auto at = config.find(connectionHeader);
    ASSERT_NE(at, std::string::npos);
    config.insert(at + connectionHeader.size(),
                  "target.client_id = ledgerbridge-demo\ntarget.client_secret = file:client-secret\n"
                  "target.authorize_url = " + sim + "/oauth/authorize\ntarget.token_url = " + sim +
                      "/oauth/token\ntarget.scopes = export-jobs:read\ntarget.ca_file = " + inst.sim().caFile() + "\n");
    std::ofstream(inst.dir() + "/ledgerbridge.ini", std::ios::trunc) << config;

    inst.createJob();
    auto refused = inst.ledgerbridge({"run"});
    EXPECT_EQ(refused.exitCode, 4) << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("auth login --connection acme --target"), std::string::npos)
        << refused.out << refused.err;

    auto done = inst.login(true);
    ASSERT_EQ(done.exitCode, 0) << done.err;
    EXPECT_NE(done.out.find("authorised with its target system (csv)"), std::string::npos) << done.out;

    auto r = inst.ledgerbridge({"run"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(inst.filesContaining(Installation::kClientSecret), std::vector<std::string>{});
}
