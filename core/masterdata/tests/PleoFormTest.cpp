// The ERP → Pleo mapping: exact tax rates, tax types, Pleo's validation rules as refusals,
// and hashes that change exactly when what Pleo holds would change.
#include <gtest/gtest.h>

#include "ledgerbridge/masterdata/PleoForm.h"

using namespace ledgerbridge;
using namespace ledgerbridge::masterdata;

TEST(PercentToFraction, IsExactDecimalText) {
    EXPECT_EQ(percentToFraction("25"), "0.25");
    EXPECT_EQ(percentToFraction("12.5"), "0.125");
    EXPECT_EQ(percentToFraction("6"), "0.06");
    EXPECT_EQ(percentToFraction("0"), "0");
    EXPECT_EQ(percentToFraction("100"), "1");
    EXPECT_EQ(percentToFraction("7.25"), "0.0725");
    EXPECT_EQ(percentToFraction("0.0001"), "0.000001");
    EXPECT_EQ(percentToFraction("025.50"), "0.255");
    // A binary double would print 0.1 + 0.2 style noise; 33.3333 stays what it was.
    EXPECT_EQ(percentToFraction("33.3333"), "0.333333");
}

TEST(PercentToFraction, RefusesWhatPleoCannotHold) {
    for (const char* bad : {"", "-5", "101", "150", "100.5", "25%", "2e1", "1.00001", "abc", "1.2.3", "."})
        EXPECT_THROW(percentToFraction(bad), std::invalid_argument) << bad;
}

TEST(CanonicalDecimal, MakesPleosNumbersComparable) {
    EXPECT_EQ(canonicalDecimal("0.250"), "0.25");
    EXPECT_EQ(canonicalDecimal("0.25"), "0.25");
    EXPECT_EQ(canonicalDecimal("1.0"), "1");
    EXPECT_EQ(canonicalDecimal(".5"), "0.5");
    EXPECT_EQ(canonicalDecimal("0"), "0");
}

TEST(PleoTaxType, MapsTheErpsTypes) {
    EXPECT_EQ(pleoTaxType(""), "inclusive");
    EXPECT_EQ(pleoTaxType("normal"), "inclusive");
    EXPECT_EQ(pleoTaxType("exempt"), "inclusive");
    EXPECT_EQ(pleoTaxType("reverse"), "reverse");
    EXPECT_THROW(pleoTaxType("zero"), std::invalid_argument);
}

namespace {
sdk::MasterRecord record(sdk::MasterKind kind, const std::string& id, const std::string& code, const std::string& name) {
    sdk::MasterRecord r;
    r.kind = kind;
    r.id = id;
    r.code = code;
    r.name = name;
    return r;
}
std::string refusal(const std::variant<PleoForm, std::string>& v) {
    return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
}
}  // namespace

TEST(ToPleoForm, TaxCodeByCodeWithFraction) {
    auto r = record(sdk::MasterKind::TaxCode, "erp-7", "RC25", "Reverse charge");
    r.taxRate = "25";
    r.type = "reverse";
    r.inputAccountCode = "2640";
    auto f = std::get<PleoForm>(toPleoForm(r, {}));
    EXPECT_EQ(f.key, "RC25");
    EXPECT_EQ(f.fields.at("rate"), "0.25");
    EXPECT_EQ(f.fields.at("type"), "reverse");
    EXPECT_EQ(f.fields.at("ingoingTaxAccount"), "2640");
}

TEST(ToPleoForm, RefusalsNameTheProblem) {
    auto tax = record(sdk::MasterKind::TaxCode, "t1", "X", "Too much");
    tax.taxRate = "150";
    EXPECT_NE(refusal(toPleoForm(tax, {})).find("above 100"), std::string::npos);
    auto exempt = record(sdk::MasterKind::TaxCode, "t2", "EX", "Exempt");
    exempt.type = "exempt";
    exempt.taxRate = "5";
    EXPECT_NE(refusal(toPleoForm(exempt, {})).find("exempt"), std::string::npos);
    auto acc = record(sdk::MasterKind::Account, "a1", "6100", std::string(256, 'n'));
    EXPECT_NE(refusal(toPleoForm(acc, {})).find("255"), std::string::npos);
    auto accTax = record(sdk::MasterKind::Account, "a2", "6100", "Travel");
    accTax.defaultTaxCodeId = "nope";
    EXPECT_NE(refusal(toPleoForm(accTax, {})).find("nope"), std::string::npos);
    auto value = record(sdk::MasterKind::DimensionValue, "v1", "S", "Sales");
    value.parentId = "dim-x";
    EXPECT_NE(refusal(toPleoForm(value, {})).find("dim-x"), std::string::npos);
    auto supplier = record(sdk::MasterKind::Supplier, "s1", "", "ACME");
    EXPECT_NE(refusal(toPleoForm(supplier, {})).find("currency"), std::string::npos);
    auto noName = record(sdk::MasterKind::Dimension, "d1", "DEPT", "");
    EXPECT_NE(refusal(toPleoForm(noName, {})).find("name"), std::string::npos);
}

TEST(ToPleoForm, AccountsNameTheirTaxCodeByCodeAndValuesTheirGroup) {
    MappingContext ctx;
    ctx.taxCodeById["t-25"] = "I25";
    ctx.dimensionById["d-1"] = "DEPT";
    auto acc = record(sdk::MasterKind::Account, "acc-1", "6100", "Travel");
    acc.defaultTaxCodeId = "t-25";
    auto f = std::get<PleoForm>(toPleoForm(acc, ctx));
    EXPECT_EQ(f.key, "acc-1");
    EXPECT_EQ(f.fields.at("taxCodeExternalId"), "I25");
    auto value = record(sdk::MasterKind::DimensionValue, "v-1", "SALES", "Sales");
    value.parentId = "d-1";
    EXPECT_EQ(std::get<PleoForm>(toPleoForm(value, ctx)).key, "DEPT/SALES");
}

TEST(PleoFormHash, ChangesExactlyWithWhatPleoHolds) {
    auto acc = record(sdk::MasterKind::Account, "acc-1", "6100", "Travel");
    const std::string h = std::get<PleoForm>(toPleoForm(acc, {})).hash();
    EXPECT_EQ(h.size(), 64u);
    EXPECT_EQ(std::get<PleoForm>(toPleoForm(acc, {})).hash(), h);
    acc.updatedAt = "2026-01-01T00:00:00Z";  // not written to Pleo: no change
    EXPECT_EQ(std::get<PleoForm>(toPleoForm(acc, {})).hash(), h);
    acc.archived = true;
    EXPECT_NE(std::get<PleoForm>(toPleoForm(acc, {})).hash(), h);
    acc.archived = false;
    acc.name = "Travel ";
    EXPECT_NE(std::get<PleoForm>(toPleoForm(acc, {})).hash(), h);
    // Field boundaries are part of the hash: "ab"+"c" differs from "a"+"bc".
    PleoForm a, b;
    a.fields = {{"x", "ab"}, {"y", "c"}};
    b.fields = {{"x", "a"}, {"y", "bc"}};
    EXPECT_NE(a.hash(), b.hash());
}
