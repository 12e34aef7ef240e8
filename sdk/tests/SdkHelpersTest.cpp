// The SDK's plugin-side helpers: exact decimal formatting of minor units, settings validation
// against the manifest, the standard entry rejections, and the C views of the model.
#include <gtest/gtest.h>

#include <limits>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/validation.hpp"

using namespace ledgerbridge::sdk;

TEST(FormatDecimal, IsExactForEveryExponentAndSign) {
    EXPECT_EQ(formatDecimal(123456, 2), "1234.56");
    EXPECT_EQ(formatDecimal(-5, 2, ','), "-0,05");
    EXPECT_EQ(formatDecimal(0, 2), "0.00");
    EXPECT_EQ(formatDecimal(500, 0), "500");
    EXPECT_EQ(formatDecimal(1, 3), "0.001");
    EXPECT_EQ(formatDecimal(std::numeric_limits<std::int64_t>::min(), 2), "-92233720368547758.08");
    EXPECT_EQ(formatDecimal(std::numeric_limits<std::int64_t>::max(), 2), "92233720368547758.07");
}

TEST(ValidateSettings, NamesEveryBadKeyAndAppliesDefaults) {
    const std::vector<SettingSpec> specs{{"dir", SettingType::Path, std::nullopt, false, "d"},
                                         {"n", SettingType::Int, "5", false, "n"},
                                         {"on", SettingType::Bool, "false", false, "b"}};
    EXPECT_EQ(validateSettings(specs, {{"dir", "/x"}, {"n", "-12"}}).getInt("n"), -12);
    for (const char* bad : {"-", "", "1-2", "+1", "1234567890123456789"})
        EXPECT_THROW(validateSettings(specs, {{"dir", "/x"}, {"n", bad}}), SettingsError) << bad;
    const Settings ok = validateSettings(specs, {{"dir", "/x"}});
    EXPECT_EQ(ok.getInt("n"), 5);
    EXPECT_FALSE(ok.getBool("on"));
    try {
        validateSettings(specs, {{"n", "5x"}, {"on", "yes"}, {"extra", "1"}});
        FAIL();
    } catch (const SettingsError& e) {
        const SettingsError::Problems expected{{"extra", "unknown setting"},
                                               {"dir", "required setting is missing"},
                                               {"n", "expected an integer, got '5x'"},
                                               {"on", "expected true or false, got 'yes'"}};
        EXPECT_EQ(e.problems(), expected);
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
    }
}

// Found by fuzz_plugin_settings: a manifest's default was never checked against its type, so
// an int setting declared with the default "abc" passed validation and getInt threw
// std::invalid_argument inside the plugin. Defaults are now checked like given values.
TEST(ValidateSettings, ADefaultThatBreaksItsOwnTypeIsAProblemNamingTheDefault) {
    const std::vector<SettingSpec> specs{{"n", SettingType::Int, "abc", false, "n"},
                                         {"on", SettingType::Bool, "yes", false, "b"}};
    try {
        validateSettings(specs, {});
        FAIL() << "bad defaults were accepted";
    } catch (const SettingsError& e) {
        const SettingsError::Problems expected{{"n", "expected an integer, got 'abc' (the plugin's default)"},
                                               {"on", "expected true or false, got 'yes' (the plugin's default)"}};
        EXPECT_EQ(e.problems(), expected);
    }
    // A given value replaces the bad default and is what gets checked.
    EXPECT_EQ(validateSettings(specs, {{"n", "7"}, {"on", "true"}}).getInt("n"), 7);
}

// A path setting with the default "" is optional (a master-data file the connection may name);
// a required path, or one whose default names something, must not be given as "".
TEST(ValidateSettings, AnOptionalPathMayStayEmptyAnyOtherPathMustNameSomething) {
    const std::vector<SettingSpec> specs{{"optional", SettingType::Path, "", false, "o"},
                                         {"required", SettingType::Path, std::nullopt, false, "r"},
                                         {"defaulted", SettingType::Path, "out", false, "d"}};
    EXPECT_EQ(validateSettings(specs, {{"required", "/x"}}).get("optional"), "");
    EXPECT_EQ(validateSettings(specs, {{"required", "/x"}, {"optional", "/md"}}).get("optional"), "/md");
    try {
        validateSettings(specs, {{"required", ""}, {"defaulted", ""}});
        FAIL() << "empty paths were accepted";
    } catch (const SettingsError& e) {
        const SettingsError::Problems expected{{"required", "expected a path, got ''"},
                                               {"defaulted", "expected a path, got ''"}};
        EXPECT_EQ(e.problems(), expected);
    }
}

namespace {
Entry twoLines() {
    Entry e;
    e.accountingEntryId = "E1";
    e.totalWallet = Money{1500, "EUR", 2};
    for (int i = 0; i < 2; ++i) {
        Line l;
        l.lineId = "L" + std::to_string(i);
        l.walletAmount = Money{750, "EUR", 2};
        l.netAmount = Money{600, "EUR", 2};
        l.taxAmount = Money{150, "EUR", 2};
        l.accountCode = "6110";
        l.taxCode = "S25";
        e.lines.push_back(l);
    }
    return e;
}
std::string reason(const Entry& e, const std::set<std::string>& codes = {}) {
    auto r = validateEntry(e, codes);
    return r ? r->failureReason + ": " + r->message : "ok";
}
}  // namespace

TEST(ValidateEntry, RejectsWithPleoFailureReasons) {
    EXPECT_EQ(reason(twoLines(), {"S25"}), "ok");
    Entry unbalanced = twoLines();
    unbalanced.totalWallet.minor = 1501;
    EXPECT_EQ(reason(unbalanced), "validation_failure: entry E1 is unbalanced: lines sum to 1500 minor units, total is 1501");
    Entry badLine = twoLines();
    badLine.lines[0].taxAmount.minor = 149;
    EXPECT_EQ(reason(badLine), "validation_failure: line L0 of entry E1: net + tax differs from the gross amount");
    Entry currency = twoLines();
    currency.lines[1].walletAmount.currency = "DKK";
    EXPECT_EQ(reason(currency), "validation_failure: line L1 of entry E1 is in DKK, the entry in EUR");
    Entry noAccount = twoLines();
    noAccount.lines[1].accountCode.clear();
    EXPECT_EQ(reason(noAccount), "account_unknown: line L1 of entry E1 has no account");
    EXPECT_EQ(reason(twoLines(), {"Z0"}), "tax_code_unknown: line L0 of entry E1 has unknown tax code S25");
    Entry overflow = twoLines();
    overflow.lines[0].netAmount.minor = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(reason(overflow), "validation_failure: line L0 of entry E1: net + tax differs from the gross amount");
    EXPECT_EQ(reason(Entry{}), "validation_failure: entry  has no lines");
}

TEST(ValidateEntry, ReverseChargeTaxIsOnTopOfTheGross) {
    // Reverse charge: the buyer self-assesses VAT, so the line's gross is its net and the tax
    // amount comes on top (Pleo sends tax.type "reverse" with lineAmount == netAmount).
    Entry e = twoLines();
    e.lines[0].taxType = "reverse";
    e.lines[0].netAmount.minor = e.lines[0].walletAmount.minor;
    EXPECT_EQ(reason(e), "ok");
    e.lines[0].netAmount.minor -= 1;
    EXPECT_EQ(reason(e), "validation_failure: line L0 of entry E1: a reverse-charge line's net differs from its gross amount");
    Entry normal = twoLines();
    normal.lines[0].netAmount.minor = normal.lines[0].walletAmount.minor;  // tax not inside: wrong for a normal line
    EXPECT_EQ(reason(normal), "validation_failure: line L0 of entry E1: net + tax differs from the gross amount");
}

TEST(EntryView, RoundTripsThroughTheCStructs) {
    Entry e = twoLines();
    e.lines[0].tags = {Tag{"PROJECT", "P1", "Apollo"}};
    e.receipts = {Receipt{"/tmp/r.pdf", "r.pdf", "application/pdf"}};
    e.note = "ÆØÅ";
    const std::vector<Entry> batch{e};
    EntryView view(batch);
    ASSERT_EQ(view.size(), 1u);
    EXPECT_EQ(view.data()[0].struct_size, sizeof(lb_entry));
    EXPECT_EQ(view.data()[0].sub_type, nullptr) << "empty strings cross as NULL";
    const Entry back = fromC(view.data()[0]);
    EXPECT_EQ(back.lines[0].tags[0].name, "Apollo");
    EXPECT_EQ(back.receipts[0].mimeType, "application/pdf");
    EXPECT_EQ(back.lines[1].walletAmount.minor, 750);
    EXPECT_EQ(back.note, "ÆØÅ");
}

TEST(CallFailed, SaysOperationStatusAndPluginMessage) {
    EXPECT_STREQ(CallFailed("push", LB_ERR_TARGET, "ERP down", {}).what(), "push failed (target error): ERP down");
    EXPECT_STREQ(CallFailed("x", 99, "m", {}).what(), "x failed (status 99): m");
}
