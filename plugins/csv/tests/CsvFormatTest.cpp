// The CSV mapping: RFC 4180 quoting, records per line, exact decimals, parsing back.
#include <gtest/gtest.h>

#include "CsvFormat.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::csv;

TEST(CsvFormat, QuotesOnlyWhatRfc4180Requires) {
    EXPECT_EQ(quoteField("plain", ','), "plain");
    EXPECT_EQ(quoteField("a,b", ','), "\"a,b\"");
    EXPECT_EQ(quoteField("a,b", ';'), "a,b");
    EXPECT_EQ(quoteField("say \"hi\"", ','), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(quoteField("two\nlines", ','), "\"two\nlines\"");
    EXPECT_EQ(quoteField("Kødbyen Æblet", ','), "Kødbyen Æblet");
    EXPECT_EQ(formatRecord({"a", "b,c", ""}, ','), "a,\"b,c\",\r\n");
}

TEST(CsvFormat, OneRecordPerLineWithExactAmountsInTheChosenSeparator) {
    sdk::Entry e;
    e.accountingEntryId = "E1";
    e.supplier.name = "Café \"Ø\"";
    for (int n = 1; n <= 2; ++n) {
        sdk::Line l;
        l.lineId = "L" + std::to_string(n);
        l.walletAmount = sdk::Money{-1005 * n, "EUR", 2};
        l.netAmount = sdk::Money{-804 * n, "EUR", 2};
        l.taxAmount = sdk::Money{-201 * n, "EUR", 2};
        l.accountCode = "6110";
        l.tags = {sdk::Tag{"PROJECT", "P1", ""}, sdk::Tag{"DEPT", "D2", ""}};
        e.lines.push_back(l);
    }
    CsvFormat f;
    f.columns = {"entry_id", "line_id", "supplier", "gross", "net", "currency", "tags"};
    f.delimiter = ';';
    f.decimalSeparator = ',';
    EXPECT_EQ(entryRecords(e, rowAmounts(e), f),
              "E1;L1;\"Café \"\"Ø\"\"\";-10,05;-8,04;EUR;\"PROJECT:P1;DEPT:D2\"\r\n"
              "E1;L2;\"Café \"\"Ø\"\"\";-20,10;-16,08;EUR;\"PROJECT:P1;DEPT:D2\"\r\n");
}

TEST(CsvFormat, ParsesWhatItWrites) {
    const std::string text = formatRecord({"id", "note"}, ',') + formatRecord({"E1", "a,\"b\"\r\nc"}, ',');
    const auto records = parse(text, ',');
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1], (std::vector<std::string>{"E1", "a,\"b\"\r\nc"}));
    EXPECT_EQ(parse("a,b\nc,", ',').back(), (std::vector<std::string>{"c", ""}));
    EXPECT_THROW(parse("\"open", ','), std::runtime_error);
}
