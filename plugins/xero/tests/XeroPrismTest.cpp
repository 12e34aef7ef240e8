// Every request the Xero plugin makes, checked against Xero's own OpenAPI: the plugin talks to
// Stoplight Prism (`prism proxy --errors`, from tests/tooling, installed by scripts/setup with
// npm ci), which validates each request against xero_accounting.yaml and forwards it to the
// stateful test double, validating the answer too. The spec is patched at test time into the
// build folder (plugins/xero/tests/prism/patch-xero-spec.js: attachment bodies are raw bytes,
// not base64). Any violation fails the test: Prism answers 422 or sets an sl-violations header.
// The master-data reads (Accounts, TaxRates, TrackingCategories, Contacts with where, order,
// includeArchived, page, pageSize and If-Modified-Since) go through the same proxy.
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "PrismProxy.hpp"
#include "XeroDouble.hpp"
#include "XeroMasterDataSet.hpp"
#include "XeroTestSupport.hpp"
#include "ledgerbridge/testsupport/Simulator.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using namespace ledgerbridge::xerotest;
using sdk::OutcomeKind;

TEST(XeroPrism, EveryRequestOfThePluginConformsToXerosOpenApi) {
    const std::string reference = testsupport::referenceDir();
    const fs::path spec = fs::path(reference) / "xero-openapi" / "xero_accounting.yaml";
    if (reference.empty() || !fs::exists(spec))
        GTEST_SKIP() << "reference folder with xero-openapi/xero_accounting.yaml absent (set LEDGERBRIDGE_REFERENCE_DIR)";
    ASSERT_TRUE(fs::exists(XERO_PRISM_BIN)) << XERO_PRISM_BIN << " is missing: run scripts/setup (npm ci in tests/tooling)";

    const fs::path work = fs::path(XERO_TEST_WORK_DIR) / ("prism-" + std::to_string(::getpid()));
    fs::remove_all(work);
    fs::create_directories(work);
    const fs::path patched = work / "xero_accounting.patched.yaml";
    const std::string patch = "node '" XERO_PATCH_SCRIPT "' '" + spec.string() + "' '" + patched.string() + "' > '" +
                              (work / "patch.log").string() + "' 2>&1";
    ASSERT_EQ(std::system(patch.c_str()), 0) << readAll(work / "patch.log");

    XeroDouble xero;
    PrismProxy prism(XERO_PRISM_BIN, patched.string(), xero.baseUrl(), work / "prism.log");

    // Negative control: the proxy does refuse a request the spec forbids.
    sdk::HttpRequest bad;
    bad.method = "PUT";
    bad.url = prism.baseUrl() + "/BankTransactions?summarizeErrors=false";
    bad.headers = {{"xero-tenant-id", kTenant}, {"Content-Type", "application/json"}};
    bad.body = R"({"BankTransactions":[{"Type":"SPENDING","BankAccount":{"Code":"090"},"LineItems":[]}]})";
    bad.useTargetToken = true;
    std::string error;
    const auto refused = sendHttp(bad, "t", error);
    ASSERT_TRUE(refused) << error;
    EXPECT_TRUE(refused->status == 422 || !header(refused->headers, "sl-violations").empty())
        << "Prism let a forbidden Type through: " << refused->status << " " << refused->body;

    const fs::path receipts = work / "receipts";
    XeroTestHost host;
    auto client = std::make_unique<sdk::PluginClient>(xeroApi(), host, "xero");
    client->configure(settings(prism.baseUrl()));
    client->check();

    sdk::Entry card = entry("P-card-1", "card_purchase", {{12500, 2500}, {-2000, 0}});
    card.lines[1].taxCode = "Z0";
    card.receipts.push_back(receipt(receipts, "receipt 1.pdf", binaryBytes(), "application/pdf"));
    card.receipts.push_back(receipt(receipts, "photo.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11), "image/jpeg"));
    sdk::Entry refund = entry("P-refund", "card_purchase", {{-3000, -600}});
    sdk::Entry pocket = entry("P-pocket", "out_of_pocket");
    pocket.employee.code = "EMP-42";
    pocket.receipts.push_back(receipt(receipts, "taxi.pdf", binaryBytes(), "application/pdf"));
    sdk::Entry badAccount = entry("P-bad", "per_diem", {{3000, 0}});
    badAccount.lines[0].accountCode = "999";
    const auto out = client->push({card, refund, pocket, badAccount, entry("P-mileage", "mileage", {{4200, 0}})});
    ASSERT_EQ(out.size(), 5u);
    for (std::size_t i : {0u, 1u, 2u, 4u}) EXPECT_EQ(out[i].kind, OutcomeKind::Posted) << i << ": " << out[i].message;
    EXPECT_EQ(out[3].failureReason, "account_unknown") << out[3].message;
    EXPECT_EQ(client->lookup(card).externalId, out[0].externalId);
    EXPECT_EQ(client->lookup(entry("P-never", "out_of_pocket")).kind, OutcomeKind::Absent);
    // Both receipts arrived. (Prism's proxy forwards a binary body re-encoded as UTF-8 text, so
    // byte identity is checked where the plugin talks to the double directly: XeroDoubleTest.)
    EXPECT_EQ(xero.attachments(kTenant, out[0].externalId).size(), 2u);

    // Journal mode: ManualJournals and their attachments.
    client->configure(settings(prism.baseUrl(), {{"reimbursable_mode", "journal"}}));
    sdk::Entry journal = entry("P-journal", "out_of_pocket", {{2500, 500}, {1000, 0}});
    journal.lines[1].taxCode.clear();
    journal.receipts.push_back(receipt(receipts, "hotel.pdf", binaryBytes(), "application/pdf"));
    const auto jout = client->push({journal});
    ASSERT_EQ(jout.size(), 1u);
    EXPECT_EQ(jout[0].kind, OutcomeKind::Posted) << jout[0].message;
    EXPECT_EQ(client->lookup(journal).externalId, jout[0].externalId);

    // Master data: every kind, suppliers in pages of 100, If-Modified-Since where it is sent.
    const MasterDataSet data = masterDataSet();
    xero.setOrganisation(data.org);
    for (sdk::MasterKind kind : sdk::allMasterKinds())
        for (const std::string& since : {std::string(), std::string(kMar1)}) {
            std::size_t records = 0;
            sdk::MasterDataRequest request;
            request.kind = kind;
            request.pageSize = 100;
            request.changedSince = since;
            do {
                const auto page = client->readMasterData(request);
                records += page.records.size();
                request.cursor = page.nextCursor;
            } while (!request.cursor.empty());
            if (since.empty()) {
                EXPECT_EQ(records, data.expected.at(kind).size()) << sdk::masterKindName(kind);
            }
        }

    std::map<std::string, int> seen;
    for (const Exchange& ex : host.exchangesSnapshot()) {
        EXPECT_EQ(violations(ex), "") << ex.method << " " << ex.url;
        EXPECT_EQ(ex.status, 200) << ex.method << " " << ex.url << "\n" << ex.responseBody;
        std::string what = ex.url.substr(prism.baseUrl().size());
        what = what.substr(0, what.find('?'));
        if (what.find("/Attachments/") != std::string::npos) what = what.substr(0, what.find('/', 1)) + "/{id}/Attachments";
        ++seen[ex.method + " " + what];
        if (what.find("/Attachments") != std::string::npos) {
            EXPECT_TRUE(ex.requestBytes == binaryBytes().size() || ex.requestBytes == 11u) << "raw bytes, not base64";
        }
    }
    for (const char* expected : {"GET /Organisation", "GET /Accounts", "PUT /BankTransactions", "GET /BankTransactions",
                                 "PUT /BankTransactions/{id}/Attachments", "PUT /Invoices", "GET /Invoices",
                                 "PUT /Invoices/{id}/Attachments", "PUT /ManualJournals", "GET /ManualJournals",
                                 "PUT /ManualJournals/{id}/Attachments", "GET /TaxRates", "GET /TrackingCategories",
                                 "GET /Contacts"})
        EXPECT_GT(seen[expected], 0) << expected << " was not exercised";
    std::string summary;
    for (const auto& [what, n] : seen) summary += what + " x" + std::to_string(n) + "; ";
    std::cout << "[prism] validated: " << summary << std::endl;
    if (HasFailure()) std::cout << prism.log() << std::endl;
    fs::remove_all(work);
}
