// The Xero plugin end to end: the simulator's export job → `ledgerbridge run` (a real process)
// → xero.so through the host's loader → the host's target HTTP (Bearer token from the target
// OAuth grant the host obtained with `auth login --target`) → our stateful Xero test double.
// Receipts are downloaded by the engine (the plugin declares attachments) and uploaded.
#include <gtest/gtest.h>

#include <chrono>

#include "TargetDoubleHarness.h"
#include "XeroDouble.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {
const char* kTenant = "7e1c1d2a-5d5b-4c1e-9a57-0f1b2c3d4e5f";

/// The simulator's chart of accounts and tax codes, as a Xero organisation knows them.
xerotest::XeroDouble::Organisation simulatorOrganisation() {
    xerotest::XeroDouble::Organisation org;
    for (int code = 4000; code <= 4110; code += 10) org.accounts[std::to_string(code)] = "EXPENSE";
    org.accounts["090"] = "BANK";
    org.accounts["1900"] = "BANK";
    org.accounts["800"] = "CURRLIAB";
    org.tracking = {{"DEPT", {}}, {"PROJECT", {}}};  // the simulator's tag groups, any option
    return org;
}

std::string settingsFor(const xerotest::XeroDouble& xero) {
    return std::string("setting.tenant_id = ") + kTenant + "\nsetting.bank_account_code = 090\nsetting.base_url = " +
           xero.baseUrl() +
           "\nsetting.tax_types = I25:INPUT2,I12:INPUT,I6:INPUT,RC25:INPUT,E0:EXEMPTEXPENSES\n"
           "setting.reverse_charge_tax_types = RC25:REVERSECHARGES\n"
           "setting.payable_account_code = 800\n";
}

}  // namespace

TEST(XeroEndToEnd, ExportsAJobWithReceiptsExactlyOnceEvenAfterACrash) {
    xerotest::XeroDouble xero;
    xero.setOrganisation(simulatorOrganisation());
    const std::string settings = settingsFor(xero);
    Installation inst({"--items", "160"}, settings, "xero");
    useTargetDouble(inst, hostPortOf(xero.baseUrl()));
    loginTarget(inst);

    std::string job = inst.createJob();
    // Die right after the first batch reached Xero, before Pleo heard of it.
    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:pushed#1"}});
    ASSERT_NE(crashed.exitCode, 0);
    const int createdBeforeResume = xero.created();
    EXPECT_GT(createdBeforeResume, 0) << "the first batch reached Xero before the crash";

    auto r = inst.ledgerbridge({"run"});
    ASSERT_TRUE(r.exitCode == 0 || r.exitCode == 3) << r.out << r.err;
    EXPECT_EQ(inst.jobStatus(job).rfind("completed", 0), 0u) << inst.jobStatus(job);

    // Every successful entry is exactly one Xero document, with the document's GUID in Pleo.
    std::size_t successful = 0;
    std::set<std::string> externalIds;
    std::map<std::string, int> failures;
    for (const auto& item : inst.jobItems(job)) {
        if (item.status != "successful") {
            ++failures[item.failureReasonType];
            continue;
        }
        ++successful;
        EXPECT_TRUE(externalIds.insert(item.externalId).second) << "two entries share " << item.externalId;
    }
    std::string why;
    for (const auto& [reason, n] : failures) why += reason + " x" + std::to_string(n) + " ";
    EXPECT_GT(successful, 100u) << why << "\n" << r.out;
    std::size_t documents = xero.documents(kTenant, "BankTransactions").size() + xero.documents(kTenant, "Invoices").size() +
                            xero.documents(kTenant, "ManualJournals").size();
    EXPECT_EQ(documents, successful) << "one document per successful entry, none twice";
    EXPECT_EQ(static_cast<std::size_t>(xero.created()), successful);
    EXPECT_FALSE(xero.documents(kTenant, "BankTransactions").empty()) << "card expenses are bank transactions";
    EXPECT_FALSE(xero.documents(kTenant, "Invoices").empty()) << "reimbursable expenses are bills";

    // Every request carried the target grant's bearer token and the tenant; receipts arrived.
    std::size_t attachments = 0;
    for (const auto& req : xero.requests()) {
        EXPECT_TRUE(req.bearer) << req.method << " " << req.target;
        EXPECT_EQ(req.tenant, kTenant);
        if (req.target.find("/Attachments/") != std::string::npos && req.status < 300) ++attachments;
    }
    EXPECT_GT(attachments, 0u) << "receipts are uploaded as attachments";
    std::cout << "[ xero ] " << successful << " entries -> " << documents << " Xero documents (" << createdBeforeResume
              << " created before the SIGKILL), " << attachments << " receipts attached, " << xero.requests().size()
              << " requests, all with the target grant's bearer token\n";

    // Nothing more on a second run.
    auto before = xero.created();
    EXPECT_EQ(inst.ledgerbridge({"run"}).exitCode, 0);
    EXPECT_EQ(xero.created(), before);
}

// The target token goes only to the hosts declared for the target: with target.token_hosts
// naming Xero's real API host, the loopback double the settings point at gets no request at all,
// and the check fails saying which host was refused and which are allowed.
TEST(XeroEndToEnd, TheTargetTokenIsNeverSentToAHostNotDeclaredForTheTarget) {
    xerotest::XeroDouble xero;
    xero.setOrganisation(simulatorOrganisation());
    Installation inst({"--items", "5"}, settingsFor(xero), "xero");
    useTargetDouble(inst, "api.xero.com");
    loginTarget(inst);
    auto r = inst.ledgerbridge({"plugins", "check", "acme"});
    EXPECT_NE(r.exitCode, 0) << r.out << r.err;
    const std::string refused = hostPortOf(xero.baseUrl());
    EXPECT_NE((r.out + r.err).find("may not be sent to " + refused), std::string::npos) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("api.xero.com (from target.token_hosts of [connection.acme])"), std::string::npos)
        << r.out << r.err;
    EXPECT_TRUE(xero.requests().empty()) << "the double received " << xero.requests().size() << " request(s)";
}

// Issue 15 with Xero: login (Pleo and Xero) → `ledgerbridge sync` reads Xero's accounts, tax
// rates, tracking categories and supplier contacts through xero.so and the host's target HTTP
// → Pleo holds them (read from the simulator's admin view; the expected values are this
// test's own) → the installation is activated → an unchanged Xero costs no write → an account
// archived and a tax rate renamed in Xero arrive in exactly two writes.
TEST(XeroEndToEnd, SyncsXerosMasterDataIntoPleoThenOnlyWhatChanged) {
    using XD = xerotest::XeroDouble;
    xerotest::XeroDouble xero;
    XD::Organisation org;
    org.chart = {XD::Account{"a7f0c8e2-0001-4000-8000-000000006100", "6100", "Travel", "EXPENSE", "ACTIVE", "INPUT2"},
                 XD::Account{"a7f0c8e2-0001-4000-8000-000000006200", "6200", "Meals", "EXPENSE", "ACTIVE", "INPUT2"},
                 XD::Account{"a7f0c8e2-0001-4000-8000-000000000090", "090", "Business Bank", "BANK", "ACTIVE", "NONE"}};
    org.taxRates = {XD::TaxRate{"INPUT2", "20% (VAT on Expenses)", "ACTIVE", "INPUT", "20.0000", "20.0000"},
                    XD::TaxRate{"NONE", "No VAT", "ACTIVE", "NONE", "0.0000", "0.0000"}};
    org.trackingCategories = {XD::TrackingCategory{"c0ffee00-0000-4000-8000-00000000000a", "Region", "ACTIVE",
                                                   {XD::TrackingOption{"c0ffee00-0000-4000-8000-0000000000a1", "North"},
                                                    XD::TrackingOption{"c0ffee00-0000-4000-8000-0000000000a2", "South"}}}};
    XD::Contact supplier;
    supplier.id = "5e1f0000-0000-4000-8000-000000000001";
    supplier.contactNumber = "S001";
    supplier.name = "Stationery World Ltd";
    supplier.taxNumber = "GB123456789";
    supplier.defaultCurrency = "GBP";
    supplier.addresses = {XD::Address{"POBOX", "United Kingdom"}};
    org.contacts = {supplier};
    xero.setOrganisation(org);

    Installation inst({}, settingsFor(xero), "xero", oauth::simtest::kIntegrationScopes);
    useTargetDouble(inst, hostPortOf(xero.baseUrl()));
    loginTarget(inst);
    auto& sim = inst.sim();
    const std::string mdPath = "/admin/companies/" + inst.companyId() + "/master-data";
    auto writes = [&] {
        auto routes = sim.admin("GET", "/admin/counters")->getObject("routes");
        long n = 0;
        for (const auto& name : routes->getNames())
            if ((name.rfind("POST /v", 0) == 0 || name.rfind("PUT /v", 0) == 0) && name.find(":search") == std::string::npos)
                n += routes->getObject(name)->getValue<long>("total");
        return n;
    };
    auto field = [&](const std::string& kind, const std::string& key, const std::string& value, const std::string& f) {
        auto arr = sim.admin("GET", mdPath)->getArray(kind);
        std::vector<std::string> found;
        for (std::size_t i = 0; arr && i < arr->size(); ++i) {
            auto o = arr->getObject(static_cast<unsigned>(i));
            if (o->has(key) && !o->isNull(key) && o->getValue<std::string>(key) == value)
                found.push_back(o->has(f) && !o->isNull(f) ? o->get(f).toString() : "");
        }
        EXPECT_EQ(found.size(), 1u) << kind << " with " << key << " = " << value;
        return found.empty() ? std::string("(none)") : found.front();
    };
    auto installationStatus = [&] {
        auto data = sim.admin("GET", "/admin/installations")->getArray("data");
        for (std::size_t i = 0; data && i < data->size(); ++i)
            if (data->getObject(static_cast<unsigned>(i))->getValue<std::string>("companyId") == inst.companyId())
                return data->getObject(static_cast<unsigned>(i))->getValue<std::string>("status");
        return std::string("none");
    };

    auto first = inst.ledgerbridge({"sync"});
    std::cout << first.out;
    ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
    EXPECT_EQ(installationStatus(), "ACTIVATED");
    EXPECT_EQ(field("accounts", "externalId", "a7f0c8e2-0001-4000-8000-000000006100", "code"), "6100");
    EXPECT_EQ(field("accounts", "externalId", "a7f0c8e2-0001-4000-8000-000000006100", "name"), "Travel");
    EXPECT_EQ(field("accounts", "externalId", "a7f0c8e2-0001-4000-8000-000000006100", "taxCodeExternalId"), "INPUT2");
    EXPECT_EQ(field("accounts", "externalId", "a7f0c8e2-0001-4000-8000-000000006200", "archived"), "false");
    EXPECT_EQ(field("taxCodes", "code", "INPUT2", "name"), "20% (VAT on Expenses)");
    EXPECT_EQ(field("taxCodes", "code", "INPUT2", "rate"), "0.2");
    EXPECT_EQ(field("tagGroups", "code", "Region", "name"), "Region");
    EXPECT_EQ(field("tags", "name", "North", "archived"), "false");
    EXPECT_EQ(field("tags", "name", "South", "archived"), "false");
    EXPECT_EQ(field("vendors", "externalId", supplier.id, "name"), "Stationery World Ltd");
    EXPECT_EQ(field("vendors", "externalId", supplier.id, "defaultCurrency"), "GBP");
    EXPECT_EQ(field("vendors", "externalId", supplier.id, "country"), "GB");
    EXPECT_EQ(field("vendors", "externalId", supplier.id, "taxRegistrationNumber"), "GB123456789");

    const long before = writes();
    auto second = inst.ledgerbridge({"sync"});
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;
    EXPECT_EQ(writes(), before) << "Xero did not change: nothing written\n" << second.out;

    // Xero dates every change (UpdatedDateUTC): the sync asks only for what changed since the
    // last one (If-Modified-Since on /Accounts), so the archived account carries today's date.
    org.chart[1].status = "ARCHIVED";
    org.chart[1].updatedMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    org.taxRates[0].name = "20% VAT on Expenses (standard)";
    xero.setOrganisation(org);
    auto third = inst.ledgerbridge({"sync"});
    std::cout << third.out;
    ASSERT_EQ(third.exitCode, 0) << third.out << third.err;
    EXPECT_EQ(writes(), before + 2) << "one archive and one rename\n" << third.out;
    EXPECT_EQ(field("accounts", "externalId", "a7f0c8e2-0001-4000-8000-000000006200", "archived"), "true");
    EXPECT_EQ(field("taxCodes", "code", "INPUT2", "name"), "20% VAT on Expenses (standard)");
    for (const auto& req : xero.requests()) EXPECT_TRUE(req.bearer) << req.method << " " << req.target;
}
