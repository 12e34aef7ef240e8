// auto_export* keys of a connection: defaults, parsed lists, and each bad value refused with its
// file:line and the allowed values.
#include <gtest/gtest.h>

#include "MinimalConfig.h"
#include "ledgerbridge/config/Config.h"

using namespace ledgerbridge::config;

namespace {

const char* const kBase = ledgerbridge::config::test::kMinimalLocal;  // the connection's keys start on line 13

LoadResult parse(const std::string& extra) {
    return parseConfig(std::string(kBase) + extra, "lb.ini", "/etc/lb", {}, {}, false);
}

std::string problemsText(const LoadResult& r) {
    std::string s;
    for (const auto& p : r.problems) s += p.str() + "\n";
    return s;
}

}  // namespace

TEST(AutoExportConfig, OffByDefaultWithReadyReviewStatusesAndEveryFamily) {
    auto r = parse("");
    ASSERT_TRUE(r.config.has_value()) << problemsText(r);
    const AutoExport& a = r.config->connections.at(0).autoExport;
    EXPECT_FALSE(a.enabled);
    EXPECT_EQ(a.reviewStatus, (std::vector<std::string>{"OK", "NOT_REQUIRED"}));
    EXPECT_TRUE(a.families.empty());
    EXPECT_EQ(a.maxEntries, 500);
}

TEST(AutoExportConfig, KeysAreRead) {
    auto r = parse("auto_export = on\nauto_export_review_status = OK\nauto_export_families = CARD_PURCHASE, OUT_OF_POCKET\n"
                   "auto_export_max_entries = 250\n");
    ASSERT_TRUE(r.config.has_value()) << problemsText(r);
    const AutoExport& a = r.config->connections.at(0).autoExport;
    EXPECT_TRUE(a.enabled);
    EXPECT_EQ(a.reviewStatus, (std::vector<std::string>{"OK"}));
    EXPECT_EQ(a.families, (std::vector<std::string>{"CARD_PURCHASE", "OUT_OF_POCKET"}));
    EXPECT_EQ(a.maxEntries, 250);
}

TEST(AutoExportConfig, BadValuesNameFileLineAndTheAllowedValues) {
    auto r = parse("auto_export = sometimes\nauto_export_review_status = OK, APPROVED\nauto_export_families = CARD\n"
                   "auto_export_max_entries = 0\n");
    EXPECT_FALSE(r.config.has_value());
    ASSERT_EQ(r.problems.size(), 4u) << problemsText(r);
    const std::string all = problemsText(r);
    EXPECT_NE(all.find("lb.ini:13: connection.acme.auto_export: 'sometimes' is not on or off"), std::string::npos) << all;
    EXPECT_NE(all.find("lb.ini:14: connection.acme.auto_export_review_status: 'APPROVED' is not one of Pleo's values "
                       "(use a comma-separated list of: NOT_OK, NOT_REQUIRED"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("lb.ini:15: connection.acme.auto_export_families: 'CARD' is not one of Pleo's values"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("lb.ini:16: connection.acme.auto_export_max_entries: '0' is not a number of entries from 1 to 10000"),
              std::string::npos)
        << all;
}

TEST(AutoExportConfig, AnEmptyReviewStatusListIsRefused) {
    auto r = parse("auto_export_review_status = ,\n");
    ASSERT_EQ(r.problems.size(), 1u) << problemsText(r);
    EXPECT_EQ(r.problems[0].origin.line, 13);
    EXPECT_EQ(r.problems[0].message, "is empty");
}
