// The rejected-entries workflow end to end: the real `ledgerbridge` against the real simulator
// and the CSV plugin. A job with invalid entries is exported; the run summary, `history show` and
// `status` group the rejections by reason with the fix; an accountant corrects the entries in
// Pleo (the simulator's admin fix); Pleo offers them again in a new job; they are posted, once,
// and "posted" and "already posted" stay apart in the report.
// GCC 12 at -O1 and above (the Asan build) reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function (GCC bug 105562); the pragma must precede the include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <regex>
#include <set>
#include <sstream>

#include "EndToEndHarness.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

Poco::JSON::Object::Ptr onlyReport(const ProcessResult& r) {
    return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Array::Ptr>()->getObject(0);
}

}  // namespace

TEST(RejectedEntriesEndToEnd, AnEntryFixedInPleoIsExportedWhenOfferedAgainAndTheReportsSayWhatToFix) {
    Installation inst({"--items", "40", "--invalid-rate", "0.25"}, "setting.tax_codes = I25,I12,I6,RC25,E0\n");
    const std::string first = inst.createJob();
    auto r = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(r.exitCode, 3) << r.err;
    const auto report = onlyReport(r);
    const std::string firstRun = report->getValue<std::string>("runId");
    std::set<std::string> rejected;
    for (const auto& item : inst.jobItems(first))
        if (item.status == "failed") rejected.insert(item.entryId);
    ASSERT_GE(rejected.size(), 3u) << "the simulator made a quarter of the entries invalid";
    const auto totals = report->getObject("totals");
    EXPECT_EQ(totals->getValue<std::size_t>("rejected"), rejected.size());
    EXPECT_EQ(totals->getValue<std::size_t>("posted"), 40 - rejected.size());
    EXPECT_EQ(totals->getValue<int>("alreadyPosted"), 0);
    const auto groups = report->getArray("rejectionsByReason");
    ASSERT_GE(groups->size(), 1u);
    std::size_t grouped = 0;
    for (std::size_t i = 0; i < groups->size(); ++i) {
        const auto g = groups->getObject(static_cast<unsigned>(i));
        grouped += g->getValue<std::size_t>("count");
        const std::string reason = g->getValue<std::string>("reason");
        EXPECT_TRUE(reason == "account_unknown" || reason == "tax_code_unknown") << reason;
        EXPECT_NE(g->getValue<std::string>("fix").find("then export the entries again"), std::string::npos);
        if (reason == "tax_code_unknown") {
            EXPECT_EQ(g->getArray("subjects")->getElement<std::string>(0), "UNKNOWN-99") << "the code Pleo sent";
        }
    }
    EXPECT_EQ(grouped, rejected.size()) << "every rejection is in one group";

    // `history show` prints that run with every rejected entry and the fix per reason.
    auto shown = inst.ledgerbridge({"history", "show", firstRun});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    EXPECT_NE(shown.out.find("rejected entries by reason:"), std::string::npos) << shown.out;
    for (const auto& id : rejected) EXPECT_NE(shown.out.find("rejected " + id + ": "), std::string::npos) << id;
    EXPECT_NE(shown.out.find(std::to_string(rejected.size()) + " rejected"), std::string::npos) << shown.out;

    // `status` names the rejections and the command that shows them.
    auto status = inst.ledgerbridge({"status"});
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_NE(status.out.find(std::to_string(rejected.size()) + " entries were rejected in the last run"), std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find("fix: ledgerbridge history show " + firstRun), std::string::npos) << status.out;

    // An accountant corrects the entries in Pleo, and Pleo offers them again in a new job.
    Poco::JSON::Array ids;
    for (const auto& id : rejected) ids.add(id);
    Poco::JSON::Object body;
    body.set("entryIds", ids);
    std::ostringstream text;
    body.stringify(text);
    inst.sim().admin("POST", "/admin/companies/" + inst.companyId() + "/entries/fix", text.str());
    const std::string second = inst.createJob();
    std::set<std::string> offered;
    for (const auto& item : inst.jobItems(second)) offered.insert(item.entryId);
    ASSERT_EQ(offered, rejected) << "Pleo offers exactly the entries that were not exported";

    r = inst.ledgerbridge({"run", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
    const auto again = onlyReport(r)->getObject("totals");
    EXPECT_EQ(again->getValue<std::size_t>("posted"), rejected.size()) << r.out;
    EXPECT_EQ(again->getValue<int>("alreadyPosted"), 0);
    EXPECT_EQ(again->getValue<int>("rejected"), 0);
    for (const auto& item : inst.jobItems(second)) EXPECT_EQ(item.status, "successful") << item.entryId;
    EXPECT_EQ(inst.jobStatus(second), "completed");

    // The target holds every entry of the company exactly once now.
    CsvContents csv = inst.csv();
    EXPECT_EQ(csv.duplicates(), 0);
    EXPECT_EQ(csv.entries.size(), 40u);
    for (const auto& id : rejected) EXPECT_TRUE(csv.entries.count(id)) << id << " not in the target";

    status = inst.ledgerbridge({"status"});
    EXPECT_EQ(status.out.find("entries were rejected"), std::string::npos) << "fixed: " << status.out;

    // `history` lists both runs with posted, already posted and rejected apart.
    auto list = inst.ledgerbridge({"history"});
    const std::string n = std::to_string(rejected.size()), rest = std::to_string(40 - rejected.size());
    EXPECT_TRUE(std::regex_search(list.out, std::regex(firstRun + " .* " + rest + " +0 +" + n + " +completed_with_errors\n")))
        << list.out;
    EXPECT_TRUE(std::regex_search(list.out, std::regex("acme .* " + n + " +0 +0 +ok\n"))) << list.out;
}
