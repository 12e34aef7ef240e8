// The integration's Pleo clients (accounting entries, installations, chart of accounts, tax
// codes, tags, vendors) against a scripted Pleo on loopback: the exact requests they send
// (path, query, body — each body validated against the reference OpenAPI schema when the
// reference folder is present), how they read the spec's answers and pages, and how errors
// come out (endpoint, status, Pleo's type and message). The rate budget is the export client's.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include "ScriptedPleo.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/AccountingEntriesClient.h"
#include "ledgerbridge/pleo/ChartOfAccountsClient.h"
#include "ledgerbridge/pleo/ExportsClient.h"
#include "ledgerbridge/pleo/InstallationsClient.h"
#include "ledgerbridge/pleo/TagsClient.h"
#include "ledgerbridge/pleo/TaxCodesClient.h"
#include "ledgerbridge/pleo/VendorsClient.h"
#include "ledgerbridge/testsupport/OpenApiValidator.h"
#include "ledgerbridge/testsupport/Simulator.h"

using namespace ledgerbridge;
using ledgerbridge::pleotest::ScriptedPleo;

namespace {

const char* kCompany = "9cc0a9fd-b8e1-46ee-9d89-c992626e2c3c";

class FakeAuth : public oauth::AuthorizationSource {
public:
    int refreshes = 0;
    std::string authorizationHeader() override { return "Bearer token-" + std::to_string(refreshes); }
    std::string onUnauthorized(const std::string&) override {
        ++refreshes;
        return authorizationHeader();
    }
};

/// The reference OpenAPI files, loaded once (null when the reference folder is absent).
testsupport::OpenApiValidator* spec() {
    static std::unique_ptr<testsupport::OpenApiValidator> v = [] {
        std::string dir = testsupport::pleoOpenApiDir();
        if (dir.empty()) return std::unique_ptr<testsupport::OpenApiValidator>();
        std::vector<std::string> files;
        for (const char* f : {"accounting-entries.yml", "installations.yml", "accounts.yml", "tax-codes.yml", "tag-groups.yml",
                              "tags.yml", "vendors.yml"})
            files.push_back(dir + "/" + f);
        return std::make_unique<testsupport::OpenApiValidator>(files);
    }();
    return v.get();
}

/// Asserts that `body` (a request the client sent) is valid against components/schemas/`schema`.
void expectConforms(const std::string& schema, const std::string& body) {
    if (!spec()) return;  // the requests' exact text is asserted by each test anyway
    auto problems = spec()->validateSchema(schema, Poco::JSON::Parser().parse(body));
    for (const auto& p : problems) ADD_FAILURE() << schema << ": " << p << "\n  body: " << body;
}

std::string page(const std::string& data, bool next, const std::string& cursor) {
    return "{\"data\":[" + data + "],\"pagination\":{\"hasNextPage\":" + (next ? "true" : "false") +
           ",\"hasPreviousPage\":false" + (cursor.empty() ? "" : ",\"endCursor\":\"" + cursor + "\"") +
           ",\"currentRequestPagination\":{\"parameters\":{}}}}";
}

std::string entry(const std::string& id, const std::string& exportStatus, long long minors) {
    return R"({"id":")" + id + R"(","companyId":")" + kCompany + R"(","exportStatus":")" + exportStatus +
           R"(","reviewStatus":"OK","status":"COMPLETED","family":"CARD_PURCHASE","performedAt":"2026-01-02T10:00:00Z",
             "createdAt":"2026-01-02T10:00:00Z","updatedAt":"2026-01-02T10:00:00Z","attendees":[],"receiptIds":[],
             "splitItems":[],"tags":[],"transactionValue":{"currency":"DKK","minors":)" +
           std::to_string(minors) + "}}";
}

const char* kInstallation = R"({"id":"11111111-1111-4111-8111-111111111111","applicationId":"22222222-2222-4222-8222-222222222222",
  "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","metadata":{},
  "resource":"urn:pleo:company:9cc0a9fd-b8e1-46ee-9d89-c992626e2c3c","status":"%s"%s})";

std::string installation(const std::string& status, const std::string& errorCode = {}) {
    std::string s = kInstallation;
    s.replace(s.find("%s"), 2, status);
    s.replace(s.find("%s"), 2, errorCode.empty() ? "" : ",\"errorCode\":\"" + errorCode + "\"");
    return s;
}

struct Clients : ::testing::Test {
    ScriptedPleo pleo;
    FakeAuth auth;
    std::unique_ptr<pleo::ExportsClient> exports;
    std::unique_ptr<pleo::PleoApi> api;
    void SetUp() override {
        // The export client builds its own transport from the profile, as in production.
        config::EnvironmentProfile profile;
        profile.name = "test";
        profile.allowHttp = true;
        profile.apiUrl = pleo.base();
        pleo::ClientOptions o;
        o.timeoutSeconds = 5;
        o.retry.baseDelay = std::chrono::milliseconds(1);
        o.retry.maxDelay = std::chrono::milliseconds(2);
        exports = std::make_unique<pleo::ExportsClient>(profile, auth, o);
        api = std::make_unique<pleo::PleoApi>(pleo.base() + "/", exports->http(), auth);
    }
    /// Every request the test made the client send — path, query and body — is valid against
    /// the reference files (the operation its method and path name).
    void TearDown() override {
        if (!spec()) return;
        for (const auto& s : pleo.seen()) {
            Poco::URI uri(s.uri);
            auto check = spec()->validateRequest(s.method, uri.getPath(), uri.getQueryParameters(), s.body);
            ++validatedRequests();
            EXPECT_FALSE(check.operation.empty()) << s.method << " " << s.uri << " is no operation of the reference files";
            for (const auto& p : check.problems) ADD_FAILURE() << s.method << " " << s.uri << ": " << p << "\n  body: " << s.body;
        }
    }
    static int& validatedRequests() {
        static int n = 0;
        return n;
    }
};

}  // namespace

// --- accounting entries ---------------------------------------------------------------------

TEST_F(Clients, SearchesReadyEntriesAcrossPagesWithTheSpecsFilters) {
    pleo.answer(200, page(entry("a1", "NOT_EXPORTED", 12550) + "," + entry("a2", "NOT_EXPORTED", -300), true, "C2"));
    pleo.answer(200, page(entry("a3", "NOT_EXPORTED", 1), false, ""));
    pleo::AccountingEntriesClient client(*api);
    pleo::AccountingEntrySearch f;
    f.companyId = std::string("urn:pleo:company:") + kCompany;
    f.exportStatus = {"NOT_EXPORTED"};
    f.reviewStatus = {"OK", "NOT_REQUIRED"};
    f.status = {"COMPLETED"};
    f.families = {"CARD_PURCHASE"};
    auto entries = client.search(f);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].id, "a1");
    EXPECT_EQ(entries[0].minors, 12550);
    EXPECT_EQ(entries[1].minors, -300);
    EXPECT_EQ(entries[0].currency, "DKK");
    EXPECT_EQ(entries[2].exportStatus, "NOT_EXPORTED");
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].uri, std::string("/v1/accounting-entries:search?company_id=") + kCompany + "&limit=100");
    EXPECT_EQ(seen[1].uri, seen[0].uri + "&after=C2");
    EXPECT_EQ(seen[0].contentType, "application/json;charset=UTF-8");
    EXPECT_EQ(seen[0].body,
              R"({"exportStatus":["NOT_EXPORTED"],"families":["CARD_PURCHASE"],"includeDeleted":false,"reviewStatus":["OK","NOT_REQUIRED"],"status":["COMPLETED"]})");
    EXPECT_EQ(seen[1].body, seen[0].body);
    expectConforms("AccountingEntryBaseSearchRequest", seen[0].body);
}

TEST_F(Clients, SearchStopsReadingAtTheLimitItWasGiven) {
    pleo.answer(200, page(entry("a1", "NOT_EXPORTED", 1) + "," + entry("a2", "NOT_EXPORTED", 2), true, "C2"));
    pleo::AccountingEntriesClient client(*api);
    auto entries = client.search({kCompany, {"NOT_EXPORTED"}, {}, {}, {}, false, 2}, 2);
    EXPECT_EQ(entries.size(), 2u);
    EXPECT_EQ(pleo.seen().size(), 1u) << "no second page is read once the limit is reached";
    EXPECT_EQ(pleo.seen()[0].uri, std::string("/v1/accounting-entries:search?company_id=") + kCompany + "&limit=2");
}

TEST_F(Clients, AnEntryWithoutItsAmountIsRefusedNamingTheEndpoint) {
    std::string broken = entry("a1", "NOT_EXPORTED", 1);
    broken = broken.substr(0, broken.find(",\"transactionValue\"")) + "}";
    pleo.answer(200, page(broken, false, ""));
    pleo::AccountingEntriesClient client(*api);
    try {
        client.search({kCompany, {}, {}, {}, {}, false, 100});
        FAIL() << "expected ProtocolError";
    } catch (const ProtocolError& e) {
        EXPECT_NE(std::string(e.what()).find("POST /v1/accounting-entries:search"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("transactionValue"), std::string::npos) << e.what();
    }
}

TEST_F(Clients, ARepeatedCursorIsRefusedInsteadOfLoopingForever) {
    pleo.answer(200, page(entry("a1", "NOT_EXPORTED", 1), true, "SAME"));
    pleo.answer(200, page(entry("a2", "NOT_EXPORTED", 1), true, "SAME"));
    pleo::AccountingEntriesClient client(*api);
    EXPECT_THROW(client.search({kCompany, {}, {}, {}, {}, false, 100}), ProtocolError);
}

TEST_F(Clients, AnEntryIsReadByIdAndAMissingOneIsNullopt) {
    pleo.answer(200, "{\"data\":" + entry("a9a9a9a9-0000-4000-8000-000000000009", "EXPORTED", 700) + "}");
    pleo.answer(404, R"({"type":"NOT_FOUND","message":"no such entry"})");
    pleo::AccountingEntriesClient client(*api);
    auto e = client.get("a9a9a9a9-0000-4000-8000-000000000009");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->exportStatus, "EXPORTED");
    EXPECT_FALSE(client.get("a1a1a1a1-0000-4000-8000-000000000010"));
    EXPECT_EQ(pleo.seen()[0].uri, "/v1/accounting-entries/a9a9a9a9-0000-4000-8000-000000000009");
}

// --- installations --------------------------------------------------------------------------

TEST_F(Clients, InstallationIsReadActivatedSetToErrorAndDeleted) {
    pleo.answer(200, installation("AUTHORIZED"));
    pleo.answer(200, installation("ACTIVATED"));
    pleo.answer(200, installation("ERROR", "AUTH_ERROR"));
    pleo.answer(204);
    pleo.answer(404, R"({"type":"NOT_FOUND","message":"no installation"})");
    pleo::InstallationsClient client(*api);
    auto got = client.get();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, "AUTHORIZED");
    EXPECT_EQ(got->resource, std::string("urn:pleo:company:") + kCompany);
    EXPECT_EQ(client.activate().status, "ACTIVATED");
    auto err = client.update(pleo::installation::kError, pleo::installation::kAuthError);
    EXPECT_EQ(err.status, "ERROR");
    EXPECT_EQ(err.errorCode, "AUTH_ERROR");
    EXPECT_TRUE(client.remove());
    EXPECT_FALSE(client.remove()) << "a second delete finds nothing and says so";
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen[0].method + " " + seen[0].uri, "GET /v1/installations/me");
    EXPECT_EQ(seen[1].method + " " + seen[1].uri, "POST /v1/installations/me:activate");
    EXPECT_EQ(seen[2].method + " " + seen[2].uri, "PUT /v1/installations/me");
    EXPECT_EQ(seen[2].body, R"({"errorCode":"AUTH_ERROR","status":"ERROR"})");
    expectConforms("UpdateInstallationRequest", seen[2].body);
    EXPECT_EQ(seen[3].method + " " + seen[3].uri, "DELETE /v1/installations/me");
    EXPECT_TRUE(seen[3].body.empty());
    if (spec()) {
        for (const char* s : {"AUTHORIZED", "ACTIVATED"})
            EXPECT_TRUE(spec()->validateSchema("InstallationResponse", Poco::JSON::Parser().parse(installation(s))).empty());
    }
}

TEST_F(Clients, AnInstallationErrorNamesTheEndpointTheStatusAndPleosMessage) {
    pleo.answer(400, R"({"type":"INVALID_STATE","message":"installation is not authorised"})");
    pleo::InstallationsClient client(*api);
    try {
        client.activate();
        FAIL() << "expected HttpStatusError";
    } catch (const HttpStatusError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("HTTP 400"), std::string::npos) << m;
        EXPECT_NE(m.find("POST /v1/installations/me:activate"), std::string::npos) << m;
        EXPECT_NE(m.find("INVALID_STATE: installation is not authorised"), std::string::npos) << m;
    }
}

TEST_F(Clients, A401RefreshesOnceAndTheRateBudgetIsTheExportClients) {
    pleo.answer(401, R"({"type":"UNAUTHORIZED","message":"expired"})");
    pleo.answer(200, installation("ACTIVATED"));
    pleo::InstallationsClient client(*api);
    EXPECT_EQ(client.get()->status, "ACTIVATED");
    EXPECT_EQ(auth.refreshes, 1);
    EXPECT_EQ(pleo.seen()[1].auth, "Bearer token-1");
    // Both requests went through the export client's ResilientClient: one rate limiter, one count.
    EXPECT_EQ(exports->requestCount(), 2);
    EXPECT_EQ(api->requestCount(), 2);
}

TEST_F(Clients, A403IsAnAuthErrorNamingTheEndpoint) {
    pleo.answer(403, R"({"type":"FORBIDDEN","message":"missing scope"})");
    pleo::VendorsClient client(*api);
    try {
        client.search(kCompany);
        FAIL() << "expected AuthError";
    } catch (const AuthError& e) {
        EXPECT_NE(std::string(e.what()).find("POST /v1/vendors:search"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("missing scope"), std::string::npos) << e.what();
    }
}

// --- chart of accounts ----------------------------------------------------------------------

std::string account(const std::string& id, const std::string& ext, bool archived) {
    return R"({"id":")" + id + R"(","companyId":")" + kCompany + R"(","externalId":")" + ext +
           R"(","name":"Travel","code":"6100","archived":)" + (archived ? "true" : "false") + "}";
}

TEST_F(Clients, AccountsAreSearchedCreatedAndArchivedWithSpecTrueBodies) {
    pleo.answer(200, page(account("p1", "E1", false), true, "N"));
    pleo.answer(200, page(account("p2", "E2", true), false, ""));
    pleo.answer(201, "{\"data\":" + account("b3b3b3b3-0000-4000-8000-000000000003", "E3", false) + "}");
    pleo.answer(200, "{\"data\":" + account("b3b3b3b3-0000-4000-8000-000000000003", "E3", true) + "}");
    pleo::ChartOfAccountsClient client(*api);
    auto all = client.search(kCompany);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_TRUE(all[1].archived);
    auto created = client.create(kCompany, {"E3", "Travel", "6100", "", false});
    EXPECT_EQ(created.id, "b3b3b3b3-0000-4000-8000-000000000003");
    EXPECT_TRUE(client.archive(created).archived);
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].uri, "/v1/chart-of-accounts:search?limit=100");
    EXPECT_EQ(seen[1].uri, "/v1/chart-of-accounts:search?limit=100&after=N");
    expectConforms("BookkeepingAccountSearchRequestV1", seen[0].body);
    EXPECT_EQ(seen[2].uri, "/v1/chart-of-accounts");
    EXPECT_EQ(seen[2].body, std::string(R"({"archived":false,"code":"6100","name":"Travel","companyId":")") + kCompany +
                                R"(","externalId":"E3"})");
    expectConforms("BookkeepingAccountCreateRequestV1", seen[2].body);
    EXPECT_EQ(seen[3].method + " " + seen[3].uri, "PUT /v1/chart-of-accounts/b3b3b3b3-0000-4000-8000-000000000003");
    EXPECT_EQ(seen[3].body, R"({"archived":true,"code":"6100","name":"Travel"})");
    expectConforms("BookkeepingAccountUpdateRequestV1", seen[3].body);
}

TEST_F(Clients, ADuplicateAccountIsA409WithPleosMessage) {
    pleo.answer(409, R"({"type":"CONFLICT","message":"externalId E3 exists"})");
    pleo::ChartOfAccountsClient client(*api);
    try {
        client.create(kCompany, {"E3", "Travel", "", "", false});
        FAIL() << "expected HttpStatusError";
    } catch (const HttpStatusError& e) {
        EXPECT_EQ(e.status(), 409);
        EXPECT_NE(std::string(e.what()).find("externalId E3 exists"), std::string::npos) << e.what();
    }
    EXPECT_EQ(pleo.seen().size(), 1u) << "a create is not retried on its own";
}

// --- tax codes ------------------------------------------------------------------------------

TEST_F(Clients, ATaxRateIsWrittenAsTheDecimalFractionItWasGiven) {
    pleo.answer(200, std::string(R"({"data":{"id":"c1c1c1c1-0000-4000-8000-000000000001","companyId":")") + kCompany +
                         R"(","name":"Reduced","rate":0.125,"type":"inclusive","archived":false,
                         "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}})");
    pleo::TaxCodesClient client(*api);
    auto t = client.create(kCompany, {"Reduced", "0.125", "inclusive", "R12", "", "", false});
    EXPECT_EQ(t.rate, "0.125");
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].uri, "/v0/tax-codes");
    EXPECT_EQ(seen[0].body, std::string(R"({"archived":false,"code":"R12","companyId":")") + kCompany +
                                R"(","name":"Reduced","type":"inclusive","rate":0.125})");
    expectConforms("TaxCodeCreateUpdateModel", seen[0].body);
}

TEST_F(Clients, ABadTaxRateOrTypeIsRefusedBeforeAnyRequest) {
    pleo::TaxCodesClient client(*api);
    EXPECT_THROW(client.create(kCompany, {"Comma", "0,25", "inclusive", "", "", "", false}), UsageError);
    EXPECT_THROW(client.create(kCompany, {"Exp", "2.5e-1", "inclusive", "", "", "", false}), UsageError);
    EXPECT_THROW(client.create(kCompany, {"Percent", "25", "inclusive", "", "", "", false}), UsageError)
        << "Pleo's rate is a fraction: 25 % is 0.25";
    EXPECT_THROW(client.create(kCompany, {"Over", "1.5", "inclusive", "", "", "", false}), UsageError);
    EXPECT_THROW(client.create(kCompany, {"Type", "0.25", "INCLUSIVE", "", "", "", false}), UsageError);
    EXPECT_TRUE(pleo.seen().empty());
}

// The rate's shape at its edges: 0 or 1, at most 6 decimals, nothing above 1.
TEST(TaxCodeRate, OnlyDecimalFractionsFromZeroToOneWithAtMostSixDecimalsAreAccepted) {
    for (const char* rate : {"0", "1", "0.5", "0.123456", "1.0", "1.000000", "0.000000"})
        EXPECT_NO_THROW(pleo::TaxCodesClient::body("c", {"Ok", rate, "exclusive", "", "", "", false})) << rate;
    for (const char* rate : {"", "0.", ".5", "00.5", "0.1234567", "1.01", "1.0000001", "2", "-0.1", "0.5 ", "0x1"}) {
        try {
            pleo::TaxCodesClient::body("c", {"Bad", rate, "exclusive", "", "", "", false});
            ADD_FAILURE() << "rate '" << rate << "' was accepted";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(std::string("rate '") + rate + "' is not a decimal fraction"),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST_F(Clients, TaxCodesAreSearchedForTheCompanyAndArchivedByUpdate) {
    std::string code = std::string(R"({"id":"c1c1c1c1-0000-4000-8000-000000000001","companyId":")") + kCompany +
                       R"(","name":"Standard","rate":0.25,"type":"exclusive","archived":false,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})";
    pleo.answer(200, page(code, false, ""));
    std::string archived = code;
    archived.replace(archived.find("\"archived\":false"), 16, "\"archived\":true");
    pleo.answer(200, "{\"data\":" + archived + "}");
    pleo::TaxCodesClient client(*api);
    auto codes = client.search(kCompany);
    ASSERT_EQ(codes.size(), 1u);
    EXPECT_EQ(codes[0].rate, "0.25");
    EXPECT_TRUE(client.archive(codes[0]).archived);
    auto seen = pleo.seen();
    EXPECT_EQ(seen[0].uri, std::string("/v0/tax-codes:search?company_id=") + kCompany + "&limit=100");
    expectConforms("TaxCodeSearchRequest", seen[0].body);
    EXPECT_EQ(seen[1].method + " " + seen[1].uri, "PUT /v0/tax-codes/c1c1c1c1-0000-4000-8000-000000000001");
    EXPECT_NE(seen[1].body.find("\"archived\":true"), std::string::npos);
    EXPECT_NE(seen[1].body.find("\"rate\":0.25}"), std::string::npos) << seen[1].body;
    expectConforms("TaxCodeCreateUpdateModel", seen[1].body);
}

// --- tag groups and tags --------------------------------------------------------------------

TEST_F(Clients, TagGroupsAndTagsAreCreatedListedAndArchived) {
    std::string group = std::string(R"({"id":"d1d1d1d1-0000-4000-8000-000000000001","companyId":")") + kCompany +
                        R"(","code":"DEPT","name":"Department","archived":false,"metadata":{},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})";
    auto tag = [](const std::string& id, bool archived) {
        return R"({"id":")" + id + R"(","groupId":"d1d1d1d1-0000-4000-8000-000000000001","code":"C-)" + id + R"(","name":"Sales","archived":)" +
               (archived ? "true" : "false") + R"(,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})";
    };
    pleo.answer(200, "{\"data\":" + group + "}");
    pleo.answer(200, "{\"data\":[" + group + "]}");
    pleo.answer(201, "{\"data\":" + tag("c1c1c1c1-0000-4000-8000-000000000001", false) + "}");
    pleo.answer(200, page(tag("c1c1c1c1-0000-4000-8000-000000000001", false), true, "X"));
    pleo.answer(200, page(tag("t2", false), false, ""));
    pleo.answer(200, "{\"data\":[" + tag("c1c1c1c1-0000-4000-8000-000000000001", true) + "]}");
    pleo::TagsClient client(*api);
    EXPECT_EQ(client.createGroup(kCompany, "DEPT", "Department").id, "d1d1d1d1-0000-4000-8000-000000000001");
    EXPECT_EQ(client.groups(kCompany).size(), 1u);
    EXPECT_EQ(client.createTag("d1d1d1d1-0000-4000-8000-000000000001", "C-c1c1c1c1-0000-4000-8000-000000000001", "Sales").code, "C-c1c1c1c1-0000-4000-8000-000000000001");
    EXPECT_EQ(client.tags("d1d1d1d1-0000-4000-8000-000000000001").size(), 2u);
    auto archived = client.archiveTags(kCompany, {"33333333-3333-4333-8333-333333333333"});
    ASSERT_EQ(archived.size(), 1u);
    EXPECT_TRUE(archived[0].archived);
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 6u);
    EXPECT_EQ(seen[0].uri, std::string("/v0/tag-groups?company_id=") + kCompany);
    EXPECT_EQ(seen[0].body, R"({"archived":false,"code":"DEPT","name":"Department"})");
    expectConforms("TagGroupCreateModel", seen[0].body);
    EXPECT_EQ(seen[1].uri, std::string("/v0/tag-groups?company_id=") + kCompany + "&include_archived=false");
    EXPECT_EQ(seen[2].uri, "/v0/tag-groups/d1d1d1d1-0000-4000-8000-000000000001/tags");
    expectConforms("TagCreateModel", seen[2].body);
    EXPECT_EQ(seen[3].uri, "/v0/tag-groups/d1d1d1d1-0000-4000-8000-000000000001/tags?limit=100&include_archived=false");
    EXPECT_EQ(seen[4].uri, seen[3].uri + "&after=X");
    EXPECT_EQ(seen[5].uri, "/v0/tags/archive");
    EXPECT_EQ(seen[5].body, std::string(R"({"archived":true,"companyId":")") + kCompany + R"(","tagIds":["33333333-3333-4333-8333-333333333333"]})");
    expectConforms("BulkTagArchiveModel", seen[5].body);
}

// --- vendors --------------------------------------------------------------------------------

TEST_F(Clients, VendorsAreSearchedCreatedUpdatedAndArchived) {
    auto vendor = [](const std::string& id, const std::string& state) {
        return R"({"id":")" + id + R"(","companyId":")" + kCompany + R"(","name":"ACME ApS","defaultCurrency":"DKK","externalId":"S-)" +
               id + R"(","state":")" + state + R"(","country":"DK"})";
    };
    pleo.answer(200, page(vendor("v1", "ACTIVE"), true, "P2"));
    pleo.answer(200, page(vendor("v2", "ARCHIVED"), false, ""));
    pleo.answer(201, "{\"data\":" + vendor("e3e3e3e3-0000-4000-8000-000000000003", "ACTIVE") + "}");
    pleo.answer(200, "{\"data\":" + vendor("e3e3e3e3-0000-4000-8000-000000000003", "ACTIVE") + "}");
    pleo.answer(204);
    pleo.answer(404, R"({"type":"NOT_FOUND","message":"vendor e9e9e9e9-0000-4000-8000-000000000009"})");
    pleo::VendorsClient client(*api);
    auto all = client.search(kCompany, {"ACTIVE", "ARCHIVED"});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].state, "ARCHIVED");
    pleo::VendorInput in;
    in.name = "ACME ApS";
    in.defaultCurrency = "DKK";
    in.externalId = "S-e3e3e3e3-0000-4000-8000-000000000003";
    in.country = "DK";
    EXPECT_EQ(client.create(kCompany, in).id, "e3e3e3e3-0000-4000-8000-000000000003");
    EXPECT_THROW(client.update(kCompany, "e3e3e3e3-0000-4000-8000-000000000003", in), UsageError) << "an update needs the state";
    in.state = "ACTIVE";
    EXPECT_EQ(client.update(kCompany, "e3e3e3e3-0000-4000-8000-000000000003", in).externalId, "S-e3e3e3e3-0000-4000-8000-000000000003");
    EXPECT_TRUE(client.archive("e3e3e3e3-0000-4000-8000-000000000003"));
    EXPECT_FALSE(client.archive("e9e9e9e9-0000-4000-8000-000000000009"));
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 6u);
    EXPECT_EQ(seen[0].uri, std::string("/v1/vendors:search?company_id=") + kCompany + "&limit=100");
    EXPECT_EQ(seen[1].uri, seen[0].uri + "&after=P2");
    EXPECT_EQ(seen[0].body, R"({"states":["ACTIVE","ARCHIVED"]})");
    expectConforms("VendorSearchRequestV1", seen[0].body);
    EXPECT_EQ(seen[2].body, std::string(R"({"companyId":")") + kCompany +
                                R"(","country":"DK","defaultCurrency":"DKK","externalId":"S-e3e3e3e3-0000-4000-8000-000000000003","name":"ACME ApS"})");
    expectConforms("VendorCreateRequest", seen[2].body);
    EXPECT_EQ(seen[3].method + " " + seen[3].uri, "PUT /v1/vendors/e3e3e3e3-0000-4000-8000-000000000003");
    expectConforms("VendorUpdateRequest", seen[3].body);
    EXPECT_EQ(seen[4].method + " " + seen[4].uri, "POST /v1/vendors/e3e3e3e3-0000-4000-8000-000000000003:archive");
}
