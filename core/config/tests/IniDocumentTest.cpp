// The strict INI reader: values with their lines, and each kind of syntax error with its line.
#include <gtest/gtest.h>

#include "ledgerbridge/config/IniDocument.h"

using namespace ledgerbridge::config;

TEST(IniDocument, ReadsSectionsKeysCommentsAndLines) {
    std::vector<Problem> problems;
    auto doc = IniDocument::parse("; comment\nenvironment = staging\n\n[connection.acme]\n# another\nplugin = csv\n"
                                  "setting.note = \"  padded  \"\n",
                                  "x.ini", problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_NE(doc.find("environment"), nullptr);
    EXPECT_EQ(doc.find("environment")->value, "staging");
    EXPECT_EQ(doc.find("environment")->origin.line, 2);
    EXPECT_EQ(doc.find("connection.acme.plugin")->value, "csv");
    EXPECT_EQ(doc.find("connection.acme.plugin")->origin.str(), "x.ini:6");
    EXPECT_EQ(doc.find("connection.acme.setting.note")->value, "  padded  ");
    EXPECT_EQ(doc.sections().at("connection.acme").line, 4);
}

TEST(IniDocument, ReportsEachSyntaxErrorWithItsLine) {
    std::vector<Problem> problems;
    IniDocument::parse("[state\nthis is not a pair\n[log]\nlevel = info\nlevel = debug\n= value\n[log]\n", "bad.ini",
                       problems);
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_EQ(problems[0].str(), "bad.ini:1: section header '[state' has no closing ']' (write it as [section.name])");
    EXPECT_EQ(problems[1].origin.line, 2);
    EXPECT_NE(problems[1].message.find("neither a [section]"), std::string::npos);
    EXPECT_EQ(problems[2].str(), "bad.ini:5: log.level: is set twice (first at line 4) (keep one of the two lines)");
    EXPECT_EQ(problems[3].origin.line, 6);
    EXPECT_EQ(problems[4].str(), "bad.ini:7: section [log] appears twice (first at line 3) (merge the two sections into one)");
}
