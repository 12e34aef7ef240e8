// Units of the master-data mapping (no I/O): exact decimals from Xero's number text, Xero's
// /Date()/ values, the If-Modified-Since value, account and tax types, country names, and the
// errors that name the record and field when Xero's answer breaks its OpenAPI.
#include <gtest/gtest.h>

#include <array>
#include <utility>
#include <vector>

#include "Countries.hpp"
#include "XeroRecords.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::xero;

TEST(XeroRecords, NumbersAreKeptAsTheirExactText) {
    const auto o = parseKeepingNumbers(R"({"a":12.5000,"b":"x \"1.5\" \\","c":[-0.1,3E2],"d":true,"e":33.333333333333333})");
    EXPECT_EQ(o->getValue<std::string>("a"), "12.5000");
    EXPECT_EQ(o->getValue<std::string>("b"), "x \"1.5\" \\");
    EXPECT_EQ(o->getArray("c")->getElement<std::string>(1), "3E2");
    EXPECT_TRUE(o->getValue<bool>("d"));
    EXPECT_EQ(exactDecimal(o->getValue<std::string>("e")), "33.333333333333333");
}

TEST(XeroRecords, ExactDecimalDropsOnlyZerosThatCarryNothing) {
    const std::pair<const char*, const char*> cases[] = {
        {"15.0000", "15"}, {"12.5000", "12.5"}, {"0.0000", "0"}, {"-0.0", "0"},   {"100", "100"},
        {"0.05", "0.05"},  {"1.25E1", "12.5"},  {"1E-4", "0.0001"}, {"25e0", "25"}, {"-7.50", "-7.5"},
        {"12.4999", "12.4999"}, {"0.1000000000000000055511151231257827", "0.1000000000000000055511151231257827"}};
    for (const auto& [in, out] : cases) EXPECT_EQ(exactDecimal(in), out) << in;
    for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "12,5", "NaN", "1E1000", "2 "})
        EXPECT_THROW(exactDecimal(bad), BadRecord) << bad;
}

TEST(XeroRecords, XeroDatesBecomeIso8601Utc) {
    EXPECT_EQ(isoFromXeroDate("/Date(1573755038314+0000)/"), "2019-11-14T18:10:38.314Z");
    EXPECT_EQ(isoFromXeroDate("/Date(1767605400000)/"), "2026-01-05T09:30:00Z");
    EXPECT_EQ(isoFromXeroDate("/Date(1767605400000+1300)/"), "2026-01-05T09:30:00Z") << "the milliseconds are UTC";
    EXPECT_EQ(isoFromXeroDate(""), "");
    for (const char* bad : {"2026-01-05", "/Date()/", "/Date(12a)/", "/Date(1+00)/"})
        EXPECT_THROW(isoFromXeroDate(bad), BadRecord) << bad;
}

TEST(XeroRecords, IfModifiedSinceIsRfc3339) {
    EXPECT_EQ(ifModifiedSince("2026-03-01"), "2026-03-01T00:00:00Z");
    EXPECT_EQ(ifModifiedSince("2026-03-01T10:20:30"), "2026-03-01T10:20:30Z");
    EXPECT_EQ(ifModifiedSince("2026-03-01T10:20:30.5Z"), "2026-03-01T10:20:30.5Z");
    EXPECT_EQ(ifModifiedSince("2026-03-01T10:20:30-08:00"), "2026-03-01T10:20:30-08:00");
    for (const char* bad : {"", "yesterday", "2026-13-01", "2026-03-01 10:20:30", "2026-03-01T10:20", "2026-03-01T10:20:30+0100",
                            "2026-03-01T25:00:00Z"})
        EXPECT_THROW(ifModifiedSince(bad), std::invalid_argument) << bad;
}

TEST(XeroRecords, AccountTypesByTypeThenClass) {
    const std::vector<std::array<const char*, 3>> cases{
        {"OVERHEADS", "", "expense"},  {"DEPRECIATN", "", "expense"}, {"BANK", "", "asset"},
        {"PAYG", "", "liability"},     {"SALES", "", "revenue"},      {"EQUITY", "", "equity"},
        {"NEWTYPE", "LIABILITY", "liability"},  // Class decides an unknown Type
        {"NEWTYPE", "", "other"}};
    for (const auto& [type, cls, expected] : cases) EXPECT_EQ(accountType(type, cls), expected) << type << "/" << cls;
}

TEST(XeroRecords, TaxTypesByReportTaxTypeThenTaxType) {
    const std::vector<std::array<const char*, 3>> cases{
        {"REVERSECHARGES", "REVERSECHARGES", "reverse"},
        {"TAX007", "ECACQUISITIONS", "reverse"},  // a custom rate by its report type
        {"DRCHARGE20", "", "reverse"},
        {"DRCHARGESUPPLY20", "", "normal"},  // the supplier's side of the domestic reverse charge
        {"EXEMPTEXPENSES", "EXEMPTEXPENSES", "exempt"},
        {"NONE", "NONE", "exempt"},
        {"INPUT2", "INPUT", "normal"}};
    for (const auto& [taxType, report, expected] : cases)
        EXPECT_EQ(taxCodeType(taxType, report), expected) << taxType << "/" << report;
}

TEST(XeroRecords, CountryNamesBecomeAlpha2) {
    const std::vector<std::pair<const char*, const char*>> cases{
        {"Denmark", "DK"},        {"  denmark ", "DK"}, {"DK", "DK"},        {"DNK", "DK"},
        {"United Kingdom", "GB"}, {"UK", "GB"},         {"United States", "US"}, {"Germany", "DE"},
        {"Netherlands", "NL"},    {"New Zealand", "NZ"}, {"Atlantis", ""},   {"", ""}};
    for (const auto& [name, code] : cases) EXPECT_EQ(countryCode(name), code) << "'" << name << "'";
}

TEST(XeroRecords, RecordsWithoutTheirIdOrWithABadRateNameTheRecordAndField) {
    try {
        taxCodeRecord(parseKeepingNumbers(R"({"TaxType":"TAX009","Name":"x","EffectiveRate":"12,5"})"));
        FAIL() << "a rate that is no number was accepted";
    } catch (const BadRecord& e) {
        EXPECT_NE(std::string(e.what()).find("tax rate TAX009"), std::string::npos) << e.what();
    }
    try {
        accountRecord(parseKeepingNumbers(R"({"Code":"400","Name":"Advertising"})"));
        FAIL() << "an account without AccountID was accepted";
    } catch (const BadRecord& e) {
        EXPECT_NE(std::string(e.what()).find("without AccountID"), std::string::npos) << e.what();
    }
    EXPECT_THROW(taxCodeRecord(parseKeepingNumbers(R"({"TaxType":"T","Name":"x"})")), BadRecord) << "no rate at all";
    std::string problem;
    const auto c = supplierRecord(
        parseKeepingNumbers(R"({"ContactID":"c1","Name":"N","AccountNumber":"A1","Addresses":[{"AddressType":"STREET","Country":"Mordor"}]})"),
        problem);
    EXPECT_EQ(c.code, "A1") << "AccountNumber when there is no ContactNumber";
    EXPECT_EQ(c.country, "");
    EXPECT_NE(problem.find("'Mordor'"), std::string::npos) << problem;
}
