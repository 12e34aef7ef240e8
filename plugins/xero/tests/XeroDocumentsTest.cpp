// The Xero plugin's pure parts: settings refused by key, the exact JSON of each document kind,
// idempotency keys, Xero-specific rejections, lookup filters, deep links, response parsing and
// the mapping of Xero's validation messages to Pleo failure reasons.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "XeroApi.hpp"
#include "XeroDocuments.hpp"
#include "XeroSettings.hpp"
#include "XeroTestSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::xero;
using ledgerbridge::xerotest::entry;

namespace {
XeroConfig config(std::vector<std::pair<std::string, std::string>> extra = {}) {
    return parseXeroSettings(sdk::validateSettings(
        xeroManifest().settings, xerotest::settings("https://api.xero.com/api.xro/2.0", std::move(extra))));
}

std::string problemKeys(std::vector<std::pair<std::string, std::string>> extra) {
    try {
        config(std::move(extra));
    } catch (const sdk::SettingsError& e) {
        std::string keys;
        for (const auto& [k, m] : e.problems()) keys += k + ";";
        return keys;
    }
    return "";
}
}  // namespace

TEST(XeroSettings, BadValuesAreRefusedByKey) {
    EXPECT_EQ(problemKeys({}), "");
    EXPECT_EQ(problemKeys({{"tenant_id", "Demo Company (UK)"}}), "tenant_id;");
    EXPECT_EQ(problemKeys({{"reimbursable_mode", "expense_claim"}}), "reimbursable_mode;");
    EXPECT_EQ(problemKeys({{"batch_size", "51"}}), "batch_size;");
    EXPECT_EQ(problemKeys({{"tax_types", "S25"}}), "tax_types;");
    EXPECT_EQ(problemKeys({{"tax_types", "S25:INPUT2,S25:NONE"}}), "tax_types;");
    EXPECT_EQ(problemKeys({{"base_url", "ftp://api.xero.com"}}), "base_url;");
    EXPECT_EQ(problemKeys({{"line_amount_types", "NoTax"}}), "line_amount_types;");
    EXPECT_EQ(problemKeys({{"bank_account_code", "12345678901"}, {"bill_status", "PAID"}}), "bank_account_code;bill_status;");
    EXPECT_EQ(config({{"base_url", "http://127.0.0.1:9/api/"}}).baseUrl, "http://127.0.0.1:9/api");
}

TEST(XeroDocuments, ACardExpenseIsASpendBankTransactionWithExactAmounts) {
    sdk::Entry e = entry("E1", "card_purchase", {{12345, 2469}});
    e.lines[0].description = "Taxi";
    EXPECT_EQ(kindOf(config(), e), DocKind::BankTransaction);
    EXPECT_FALSE(checkEntry(config(), e));
    EXPECT_EQ(documentJson(config(), e),
              R"({"Type":"SPEND","Contact":{"Name":"Cab & Co"},"BankAccount":{"Code":"090"},"Date":"2026-03-14",)"
              R"("Reference":"E1","CurrencyCode":"EUR","LineAmountTypes":"Inclusive","Status":"AUTHORISED",)"
              R"("LineItems":[{"Description":"Taxi","Quantity":1,"UnitAmount":123.45,"LineAmount":123.45,)"
              R"("AccountCode":"400","TaxType":"INPUT2","TaxAmount":24.69,"Tracking":[{"Name":"Region","Option":"North"}]}]})");
    const std::string exclusive = documentJson(config({{"line_amount_types", "Exclusive"}}), e);
    EXPECT_NE(exclusive.find(R"("LineAmountTypes":"Exclusive")"), std::string::npos);
    EXPECT_NE(exclusive.find(R"("LineAmount":98.76)"), std::string::npos) << exclusive;
}

TEST(XeroDocuments, ARefundIsAReceiveAndForeignMinorUnitsStayExact) {
    sdk::Entry refund = entry("E2", "card_purchase", {{-5000, -1000}});
    EXPECT_FALSE(checkEntry(config(), refund));
    const std::string json = documentJson(config(), refund);
    EXPECT_NE(json.find(R"("Type":"RECEIVE")"), std::string::npos);
    EXPECT_NE(json.find(R"("LineAmount":50.00,)"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("TaxAmount":10.00)"), std::string::npos) << json;

    sdk::Entry jpy = entry("E3", "card_purchase", {{1500, 0}});
    for (auto* m : {&jpy.totalWallet, &jpy.lines[0].walletAmount, &jpy.lines[0].netAmount, &jpy.lines[0].taxAmount})
        m->currency = "JPY", m->exponent = 0;
    EXPECT_NE(documentJson(config(), jpy).find(R"("LineAmount":1500,)"), std::string::npos);

    sdk::Entry bhd = entry("E4", "card_purchase", {{12345, 0}});
    for (auto* m : {&bhd.totalWallet, &bhd.lines[0].walletAmount, &bhd.lines[0].netAmount, &bhd.lines[0].taxAmount})
        m->currency = "BHD", m->exponent = 3;
    const auto rejected = checkEntry(config(), bhd);
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->failureReason, "validation_failure");
    EXPECT_NE(rejected->message.find("12.345 BHD would be rounded"), std::string::npos) << rejected->message;
}

TEST(XeroDocuments, ReimbursableExpensesAreBillsOrBalancedJournals) {
    sdk::Entry e = entry("E5", "mileage", {{4000, 0}, {1250, 250}});
    e.lines[0].taxCode.clear();
    e.employee.code = "EMP-7";
    const std::string bill = documentJson(config({{"bill_due_days", "30"}}), e);
    EXPECT_EQ(bill.rfind(R"({"Type":"ACCPAY","Contact":{"ContactNumber":"EMP-7","Name":"Grace Hopper"},)"
                         R"("Date":"2026-03-14","DueDate":"2026-04-13","InvoiceNumber":"E5",)", 0), 0u) << bill;
    EXPECT_NE(bill.find(R"("InvoiceNumber":"E5")"), std::string::npos);
    EXPECT_NE(bill.find(R"("TaxType":"NONE")"), std::string::npos);

    const XeroConfig journal = config({{"reimbursable_mode", "journal"}});
    EXPECT_EQ(kindOf(journal, e), DocKind::Journal);
    const std::string j = documentJson(journal, e);
    EXPECT_EQ(j.rfind(R"({"Narration":"Pleo E5: Taxi to \"client\"\nsecond line","Date":"2026-03-14",)", 0), 0u) << j;
    EXPECT_NE(j.find(R"({"LineAmount":-52.50,"AccountCode":"814","Description":"Owed to Grace Hopper","TaxType":"NONE"})"),
              std::string::npos) << j;

    e.employee.code = "7d0c1f5e-2a4b-4c6d-8e9f-0a1b2c3d4e5f";
    EXPECT_NE(documentJson(config(), e).find(R"("Contact":{"ContactID":"7d0c1f5e-2a4b-4c6d-8e9f-0a1b2c3d4e5f"})"),
              std::string::npos);
}

TEST(XeroDocuments, XeroSpecificProblemsAreRejectedBeforeAnythingIsSent) {
    const auto reason = [](const XeroConfig& c, const sdk::Entry& e) {
        const auto r = checkEntry(c, e);
        return r ? r->failureReason : std::string("ok");
    };
    sdk::Entry e = entry("E6", "card_purchase");
    EXPECT_EQ(reason(config(), e), "ok");
    sdk::Entry tags = e;
    tags.lines[0].tags = {{"A", "1", ""}, {"B", "2", ""}, {"C", "3", ""}};
    EXPECT_EQ(reason(config({{"tracking_categories", ""}}), tags), "validation_failure") << "Xero allows 2 per line";
    EXPECT_EQ(reason(config(), tags), "ok") << "unmapped tag groups are not sent";
    sdk::Entry refundBill = entry("E7", "out_of_pocket", {{-100, 0}});
    EXPECT_EQ(reason(config(), refundBill), "validation_failure");
    EXPECT_EQ(reason(config({{"reimbursable_mode", "journal"}}), refundBill), "ok");
    sdk::Entry noContra = refundBill;
    noContra.contraAccountCode.clear();
    EXPECT_EQ(reason(config({{"reimbursable_mode", "journal"}}), noContra), "account_unknown");
    EXPECT_EQ(reason(config({{"reimbursable_mode", "journal"}, {"payable_account_code", "800"}}), noContra), "ok");
    sdk::Entry unknownTax = e;
    unknownTax.lines[0].taxCode = "S99";
    EXPECT_EQ(reason(config(), unknownTax), "tax_code_unknown");
    EXPECT_EQ(reason(config({{"tax_types", ""}}), unknownTax), "ok") << "no mapping: tax codes are TaxTypes";
    sdk::Entry badDate = e;
    badDate.date = "14.03.2026";
    EXPECT_EQ(reason(config(), badDate), "validation_failure");

    const auto dir = std::filesystem::temp_directory_path() / ("lb-xero-docs-" + std::to_string(::getpid()));
    sdk::Entry big = e;
    big.receipts.push_back(xerotest::receipt(dir, "big.pdf", std::string(kMaxAttachmentBytes + 1, 'x'), "application/pdf"));
    EXPECT_EQ(reason(config(), big), "receipt_file_size_limit_exceeded");
    EXPECT_EQ(reason(config({{"attach_receipts", "false"}}), big), "ok");
    sdk::Entry missing = e;
    missing.receipts.push_back({(dir / "gone.pdf").string(), "gone.pdf", "application/pdf"});
    EXPECT_EQ(reason(config(), missing), "receipt_upload_failure");
    std::filesystem::remove_all(dir);
}

TEST(XeroDocuments, IdempotencyKeysFollowEntryAndContent) {
    const std::string a = idempotencyKey({{"lb-E1", "{\"x\":1}"}});
    EXPECT_EQ(a, idempotencyKey({{"lb-E1", "{\"x\":1}"}}));
    EXPECT_NE(a, idempotencyKey({{"lb-E1", "{\"x\":2}"}}));
    EXPECT_NE(a, idempotencyKey({{"lb-E2", "{\"x\":1}"}}));
    EXPECT_EQ(a.size(), 44u);
    EXPECT_EQ(a.rfind("lbx-", 0), 0u);
    EXPECT_NE(attachmentKey("lb-E1", "a.pdf", "1"), attachmentKey("lb-E1", "a.pdf", "2"));
    sdk::Entry noKey = entry("E9", "card_purchase");
    noKey.idempotencyKey.clear();
    EXPECT_EQ(entryKey(noKey), "E9");
}

TEST(XeroDocuments, LookupFiltersLinksAndFileNames) {
    EXPECT_EQ(lookupWhere(DocKind::BankTransaction, {"a", "b\"c"}), R"(Reference=="a" OR Reference=="b\"c")");
    EXPECT_EQ(lookupWhere(DocKind::Bill, {"a"}), R"(InvoiceNumber=="a")");
    EXPECT_EQ(lookupWhere(DocKind::Journal, {"Pleo a:"}), R"(Narration.StartsWith("Pleo a:"))");
    EXPECT_EQ(deepLink(config(), DocKind::Bill, "G"), "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=G");
    EXPECT_EQ(deepLink(config({{"short_code", "!k3Xyz"}}), DocKind::BankTransaction, "G"),
              "https://go.xero.com/organisationlogin/default.aspx?shortcode=%21k3Xyz&redirecturl="
              "%2FBank%2FViewTransaction.aspx%3FbankTransactionID%3DG");
    EXPECT_EQ(attachmentName({"/tmp/x/receipt.pdf", "Quittung für Taxi/1.pdf", ""}, 0), "Quittung f__r Taxi_1.pdf");
    EXPECT_EQ(attachmentName({"/tmp/x/receipt.pdf", "", ""}, 2), "3-receipt.pdf");
    EXPECT_EQ(attachmentName({"/tmp/x/blob", "scan", "image/png"}, 0), "scan.png");
    EXPECT_EQ(urlEncode("a b/ü"), "a%20b%2F%C3%BC");
}

TEST(XeroResponses, ElementsErrorsAndReasons) {
    const auto& ep = endpointOf(DocKind::BankTransaction);
    const auto elements = parseCollection(
        R"({"BankTransactions":[{"BankTransactionID":"11111111-2222-4333-8444-555555555555","Reference":"E1","Status":"AUTHORISED","HasAttachments":true},)"
        R"({"StatusAttributeString":"ERROR","ValidationErrors":[{"Message":"Account code '999' is not a valid code for this document."}]}]})",
        ep);
    ASSERT_EQ(elements.size(), 2u);
    EXPECT_EQ(elements[0].id, "11111111-2222-4333-8444-555555555555");
    EXPECT_TRUE(elements[0].hasAttachments);
    EXPECT_EQ(elements[1].id, "");
    EXPECT_EQ(failureReasonFor(elements[1].errors), "account_unknown");
    EXPECT_EQ(xeroMessage(elements[1].errors), "Xero: Account code '999' is not a valid code for this document.");
    EXPECT_EQ(failureReasonFor({"The TaxType code 'X' does not exist or cannot be used for this type of transaction."}),
              "tax_code_unknown");
    EXPECT_EQ(failureReasonFor({"The tracking category 'Q' does not exist."}), "tag_unknown");
    EXPECT_EQ(failureReasonFor({"Date must be within the financial year"}), "validation_failure");
    EXPECT_THROW(parseCollection("<html>", ep), std::runtime_error);
    const auto error = parseError(
        R"({"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"m"}]}]})",
        ep);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message, "A validation exception occurred");
    ASSERT_EQ(error->elements.size(), 1u);
    EXPECT_EQ(error->elements[0].errors, std::vector<std::string>{"m"});
}

namespace {
/// A card expense with a normal line and a reverse-charge line (no VAT charged, 25 % self-assessed).
sdk::Entry withReverseCharge(const std::string& id) {
    sdk::Entry e = entry(id, "card_purchase", {{12500, 2500}, {40000, 10000}});
    e.lines[1].netAmount = e.lines[1].walletAmount;
    e.lines[1].taxType = "reverse";
    e.lines[1].taxCode = "RC25";
    return e;
}
}  // namespace

TEST(XeroDocuments, ReverseChargeLinesGoWithTheRegionsReverseChargeTaxTypeAndNoTax) {
    const sdk::Entry e = withReverseCharge("E-rc");
    const auto uk = config({{"region", "UK"}});
    EXPECT_FALSE(checkEntry(uk, e)) << checkEntry(uk, e)->message;
    const std::string json = documentJson(uk, e);
    EXPECT_NE(json.find(R"("LineAmount":400.00,"AccountCode":"400","TaxType":"REVERSECHARGES","TaxAmount":0.00)"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find(R"("TaxType":"INPUT2","TaxAmount":25.00)"), std::string::npos) << json;

    // An explicit mapping wins over the region (EU goods: EC acquisitions), also in other regions.
    const auto mapped = config({{"region", "AU"}, {"reverse_charge_tax_types", "RC25:ECACQUISITIONS"}});
    EXPECT_FALSE(checkEntry(mapped, e));
    EXPECT_NE(documentJson(mapped, e).find(R"("TaxType":"ECACQUISITIONS","TaxAmount":0.00)"), std::string::npos);

    // A region without a reverse-charge tax type and no mapping: refused before sending.
    for (const char* region : {"GLOBAL", "AU", "NZ", "US"}) {
        const auto problem = checkEntry(config({{"region", region}}), e);
        ASSERT_TRUE(problem) << region;
        EXPECT_EQ(problem->failureReason, "tax_code_unknown");
        EXPECT_EQ(problem->message, std::string("entry E-rc: line E-rc-2 is a reverse charge (tax code 'RC25') and region ") +
                                        region + " has no reverse-charge TaxType; map it in reverse_charge_tax_types");
    }
    // tax_types lists the normal codes only; a reverse-charge code need not be in it.
    EXPECT_FALSE(checkEntry(config({{"region", "UK"}, {"tax_types", "S25:INPUT2"}}), e));
    EXPECT_EQ(problemKeys({{"region", "EU"}}), "region;");
    EXPECT_EQ(problemKeys({{"reverse_charge_tax_types", "RC25"}}), "reverse_charge_tax_types;");
}

TEST(XeroDocuments, ReverseChargeJournalsAndExclusiveLinesBalance) {
    const sdk::Entry e = withReverseCharge("E-rcj");
    const auto exclusive = config({{"region", "UK"}, {"line_amount_types", "Exclusive"}});
    EXPECT_FALSE(checkEntry(exclusive, e));
    const auto sent = sentAmounts(exclusive, e);
    ASSERT_EQ(sent.lines.size(), 2u);
    EXPECT_EQ(sent.lines[0].lineAmount + sent.lines[0].taxAmount, 12500);
    EXPECT_EQ(sent.lines[1].lineAmount, 40000);
    EXPECT_EQ(sent.lines[1].taxAmount, 0);

    sdk::Entry pocket = withReverseCharge("E-rcp");
    pocket.type = "out_of_pocket";
    const auto journal = config({{"region", "UK"}, {"reimbursable_mode", "journal"}});
    EXPECT_FALSE(checkEntry(journal, pocket));
    EXPECT_NE(documentJson(journal, pocket).find(R"("LineAmount":-525.00,"AccountCode":"814")"), std::string::npos);
}

TEST(XeroDocuments, ADocumentThatWouldNotBalanceAsSentIsRejectedWithTheAmounts) {
    // Pleo's line is consistent (net + tax = gross) but has no tax code: Xero gets no TaxAmount
    // and TaxType NONE, so in Exclusive mode the bank transaction would be short by the tax.
    sdk::Entry e = entry("E-short", "card_purchase", {{12500, 2500}});
    e.lines[0].taxCode.clear();
    const auto exclusive = config({{"line_amount_types", "Exclusive"}});
    auto problem = checkEntry(exclusive, e);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->failureReason, "validation_failure");
    EXPECT_EQ(problem->message, "entry E-short: the BankTransactions document would not balance: line E-short-1 sends "
                                "LineAmount 10000 and TaxAmount 0 on top = 10000 minor units, its gross is 12500");
    EXPECT_FALSE(checkEntry(config(), e)) << "Inclusive sends the gross: balanced";

    // The rules themselves, on amounts a mapping defect could produce.
    sdk::Entry ok = entry("E-ok", "card_purchase", {{12500, 2500}, {100, 0}});
    SentAmounts sent = sentAmounts(config(), ok);
    EXPECT_FALSE(balanceProblem(ok, sent));
    sent.lines[1].lineAmount = 101;
    sent.lines[1].gross = 101;
    problem = balanceProblem(ok, sent);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "entry E-ok: the BankTransactions document would not balance: line amounts 12601 = "
                                "12601 minor units, the entry's total is 12600");
    sdk::Entry pocket = entry("E-j", "out_of_pocket");
    const auto journalConfig = config({{"reimbursable_mode", "journal"}});
    sent = sentAmounts(journalConfig, pocket);
    sent.creditLine = -12499;
    problem = balanceProblem(pocket, sent);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "entry E-j: the ManualJournals document would not balance: the expense lines sum to "
                                "12500 minor units, the credit line is -12499");
}
