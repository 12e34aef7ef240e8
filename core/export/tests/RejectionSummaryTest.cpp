// Rejections grouped by reason: the subject is read from the messages the host's validation and
// the first-party plugins really write, and every group's fix says what to change and that the
// entries must be exported again.
#include <gtest/gtest.h>

#include "ledgerbridge/export/RejectionSummary.h"

using namespace ledgerbridge::exporter;

TEST(RejectionSummary, ReadsTheAccountOrTaxCodeThePluginsName) {
    // SIE and Fortnox (plugins/sie/SieMapping.cpp, plugins/fortnox/FortnoxVoucher.cpp)
    EXPECT_EQ(rejectionSubject("account_unknown", "line L1 of entry E1: account 'X40' is not a number (SIE accounts are numeric)"), "X40");
    EXPECT_EQ(rejectionSubject("account_unknown", "entry E1: contra account '19A0' is not a number"), "19A0");
    // the host's validation (sdk/include/ledgerbridge/validation.hpp)
    EXPECT_EQ(rejectionSubject("account_unknown", "line L1 of entry E1 has no account"), "");
    EXPECT_EQ(rejectionSubject("tax_code_unknown", "line L2 of entry E1 has unknown tax code UNKNOWN-99"), "UNKNOWN-99");
    // Business Central (plugins/businesscentral/BcPlugin.cpp)
    EXPECT_EQ(rejectionSubject("tag_unknown", "dimension DEPT value SALES: not found"), "SALES");
    EXPECT_EQ(rejectionSubject("validation_failure", "entry E1 is unbalanced"), "");
}

TEST(RejectionSummary, GroupsByReasonLargestFirstWithEachSubjectOnce) {
    JobReport a, b;
    a.addFailure({"E1", "account_unknown", "line 1 of entry E1: account '4010' is not a number"});
    a.addFailure({"E2", "tax_code_unknown", "line 1 of entry E2 has unknown tax code XX"});
    b.addFailure({"E3", "account_unknown", "line 2 of entry E3: account '4010' is not a number"});
    b.addFailure({"E4", "account_unknown", "line 1 of entry E4: account '4020' is not a number"});
    const auto groups = groupRejections({a, b});
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].reason, "account_unknown");
    EXPECT_EQ(groups[0].count, 3);
    EXPECT_EQ(groups[0].subjects, (std::vector<std::string>{"4010", "4020"}));
    EXPECT_EQ(groups[0].fix.rfind("map accounts 4010, 4020 in Pleo's accounting settings", 0), 0u) << groups[0].fix;
    EXPECT_EQ(groups[1].reason, "tax_code_unknown");
    EXPECT_EQ(groups[1].count, 1);
    EXPECT_EQ(groups[1].fix.rfind("map tax code XX in Pleo's accounting settings", 0), 0u) << groups[1].fix;
    for (const auto& g : groups) EXPECT_NE(g.fix.find("then export the entries again"), std::string::npos) << g.fix;
}

TEST(RejectionSummary, EveryReasonOfPleosEnumHasAFixThatEndsInExportingAgain) {
    for (const char* reason : {"receipt_upload_failure", "receipt_download_failure", "receipt_file_size_limit_exceeded",
                               "receipt_conversion_failure", "unexpected_failure", "invalid_configuration",
                               "missing_configuration", "accounting_system_authentication_failure",
                               "accounting_system_rate_limit", "accounting_system_unreachable", "validation_failure",
                               "accounting_system_validation_failure", "authorization_failure", "accounting_system_timeout",
                               "vendor_unknown", "account_unknown", "tax_code_unknown", "tag_unknown"}) {
        const std::string fix = rejectionFix(reason, {});
        EXPECT_NE(fix.find("export the entries again"), std::string::npos) << reason << ": " << fix;
    }
}

TEST(RunReportJson, ReadsBackWhatItWroteSoHistoryShowPrintsWhatRunPrinted) {
    RunReport r;
    r.runId = "run-1";
    r.connection = "acme";
    r.environment = "staging";
    r.plugin = "csv";
    r.outcome = "completed_with_errors";
    r.startedAtMs = 1000;
    r.finishedAtMs = 3500;
    r.pleoRequests = 7;
    r.pleoRequestsByStatus = {{"200", 6}, {"429", 1}};
    JobReport j;
    j.jobId = "job-1";
    j.fetched = 4;
    j.posted = 2;
    j.alreadyPosted = 1;
    j.rejected = 1;
    j.postedMinorByCurrency = {{"DKK", 12345}, {"JPY", 500}};
    j.alreadyPostedMinorByCurrency = {{"EUR", -250}};
    j.finalEvent = "completed_with_errors";
    j.addFailure({"E4", "account_unknown", "line 1 of entry E4: account '4010' is not a number"});
    r.jobs = {j, j};
    r.jobs[1].jobId = "job-2";
    const RunReport back = RunReport::fromJson(r.toJson());
    EXPECT_EQ(back.toText(), r.toText());
    EXPECT_EQ(back.toJson(), r.toJson());
    EXPECT_EQ(back.jobs.at(1).alreadyPostedMinorByCurrency.at("EUR"), -250);
    EXPECT_EQ(back.totals().postedMinorByCurrency.at("DKK"), 2 * 12345);
    EXPECT_THROW(RunReport::fromJson("[1,2]"), std::runtime_error);
    EXPECT_THROW(RunReport::fromJson("not json"), std::runtime_error);
}
