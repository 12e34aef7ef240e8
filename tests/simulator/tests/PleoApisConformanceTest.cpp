// Conformance of the APIs beyond export: the simulator's responses of accounting-entries.yml
// and installations.yml operations against their schemas, and every request this test (a
// well-behaved client) sends validated by the simulator's own --validate-requests, which must
// record no violation; then deliberately bad requests, which it must record by name.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "SimClient.h"
#include "ledgerbridge/testsupport/OpenApiValidator.h"

using ledgerbridge::testsupport::OpenApiValidator;
using ledgerbridge::testsupport::pleoOpenApiDir;
using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;

namespace {

std::vector<std::string> allFiles() {
    std::vector<std::string> out;
    for (const char* f : {"export-api-v3.yml", "export-items-v3.yml", "accounting-entries.yml", "installations.yml",
                          "accounts.yml", "tax-codes.yml", "tag-groups.yml", "tags.yml", "vendors.yml",
                          "subscriptions.yml", "companies.yml", "employees.yml"})
        out.push_back(pleoOpenApiDir() + "/" + f);
    return out;
}

class PleoApisConformance : public ::testing::Test {
protected:
    void SetUp() override {
        LB_REQUIRE_REFERENCE_DIR();
        spec_ = std::make_unique<OpenApiValidator>(allFiles());
    }

    // The status must be declared; a body is checked against the schema when the spec gives
    // one (several error statuses are declared without content: their body is Pleo's error).
    void conforms(const std::string& pathTemplate, const std::string& method, const HttpResult& r) {
        ++responses_;
        operations_.insert(method + " " + pathTemplate);
        ASSERT_TRUE(spec_->declaresResponse(pathTemplate, method, r.status))
            << method << " " << pathTemplate << " answered " << r.status << ": " << r.body;
        Poco::Dynamic::Var body;
        if (!r.body.empty()) body = Poco::JSON::Parser().parse(r.body);
        for (const auto& e : spec_->validateResponse(pathTemplate, method, r.status, body))
            if (e.find("declares no body") == std::string::npos)
                ADD_FAILURE() << method << " " << pathTemplate << " " << r.status << ": " << e;
    }

    std::unique_ptr<OpenApiValidator> spec_;
    int responses_ = 0;
    std::set<std::string> operations_;
};

}  // namespace

TEST_F(PleoApisConformance, ValidatorRequestModeNamesWhatIsWrong) {
    auto ok = spec_->validateRequest("POST", "/v1/accounting-entries:search", {{"limit", "50"}},
                                     R"({"includeDeleted":false,"exportStatus":["NOT_EXPORTED"]})");
    EXPECT_EQ(ok.operation, "post /v1/accounting-entries:search");
    EXPECT_TRUE(ok.problems.empty()) << ok.problems.front();
    auto bad = spec_->validateRequest("POST", "/v1/accounting-entries:search",
                                      {{"limit", "500"}, {"company_id", "nope"}, {"colour", "red"}},
                                      R"({"exportStatus":["DONE"]})");
    std::string all;
    for (const auto& p : bad.problems) all += p + "\n";
    EXPECT_NE(all.find("query.limit: above maximum"), std::string::npos) << all;
    EXPECT_NE(all.find("query.company_id: 'nope' is not a uuid"), std::string::npos) << all;
    EXPECT_NE(all.find("query.colour: not a parameter"), std::string::npos) << all;
    EXPECT_NE(all.find("body.exportStatus[0]: 'DONE' is not in the enum"), std::string::npos) << all;
    EXPECT_NE(all.find("missing required 'includeDeleted'"), std::string::npos) << all;
    auto act = spec_->validateRequest("post", "/v1/installations/me:activate", {}, "");
    EXPECT_EQ(act.operation, "post /v1/installations/me:activate");
    EXPECT_TRUE(act.problems.empty());
    auto put = spec_->validateRequest("put", "/v1/installations/me", {}, "");
    EXPECT_EQ(put.problems.size(), 1u) << "the PUT body is required";
    auto vendor = spec_->validateRequest("post", "/v1/vendors/not-a-uuid:archive", {}, "");
    EXPECT_EQ(vendor.operation, "post /v1/vendors/{id}:archive");
    auto none = spec_->validateRequest("get", "/v9/nothing", {}, "");
    EXPECT_TRUE(none.operation.empty());
    EXPECT_EQ(none.problems.size(), 1u);
}

TEST_F(PleoApisConformance, EntriesAndInstallationsResponsesAndRequests) {
    SimulatorProcess sim({"--items", "60", "--validate-requests", pleoOpenApiDir()});
    SimClient c(sim);
    Tokens t = c.login();
    const std::string auth = bearer(t.access), company = c.companyId(0);
    const std::string me = "/v1/installations/me";

    conforms(me, "get", c.get(me + "?company_id=" + company, auth));
    conforms(me, "put", c.putJson(me, R"({"status":"PENDING_INTEGRATION","metadata":{"sync":{"step":"tags"}}})", auth));
    conforms(me, "put", c.putJson(me, R"({"status":"ERROR","errorCode":"AUTH_ERROR"})", auth));
    conforms(me, "put", c.putJson(me, R"({"status":"ERROR"})", auth));  // 400: ERROR needs an errorCode
    conforms(me + ":activate", "post", c.postJson(me + ":activate", "", auth));
    conforms(me, "post", c.postJson(me, R"({"metadata":{}})", auth));  // 400: already installed

    c.admin("POST", "/companies/" + company + "/entries", R"({"count":45})");
    const std::string ready = R"({"includeDeleted":false,"reviewStatus":["OK","NOT_REQUIRED"],"exportStatus":["NOT_EXPORTED"],"status":["COMPLETED"],"families":["CARD_PURCHASE","OUT_OF_POCKET","MILEAGE","PER_DIEM","BILL_INVOICE"]})";
    std::string after, ids;
    int pages = 0;
    do {
        HttpResult r = c.postJson("/v1/accounting-entries:search?company_id=" + company + "&limit=20" +
                                      (after.empty() ? "" : "&after=" + after),
                                  ready, auth);
        conforms("/v1/accounting-entries:search", "post", r);
        ++pages;
        auto data = r.object()->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i)
            ids += std::string(ids.empty() ? "" : ",") + "\"" +
                   data->getObject(static_cast<unsigned>(i))->getValue<std::string>("id") + "\"";
        auto p = r.object()->getObject("pagination");
        after = p->getValue<bool>("hasNextPage") ? p->getValue<std::string>("endCursor") : "";
    } while (!after.empty());
    EXPECT_EQ(pages, 3);
    conforms("/v1/accounting-entries/core:search", "post",
             c.postJson("/v1/accounting-entries/core:search?limit=5", R"({"includeDeleted":false})", auth));
    HttpResult job = c.postJson("/v3/export-jobs",
                                R"({"companyId":")" + company + R"(","accountingEntryIds":[)" + ids + R"(],"isInteractive":false})", auth);
    ASSERT_EQ(job.status, 201) << job.body;
    HttpResult one = c.postJson("/v1/accounting-entries:search?limit=1", R"({"includeDeleted":false,"exportStatus":["QUEUED"]})", auth);
    conforms("/v1/accounting-entries:search", "post", one);
    const std::string entry = one.object()->getArray("data")->getObject(0)->getValue<std::string>("id");
    conforms("/v1/accounting-entries/{accountingEntryId}", "get", c.get("/v1/accounting-entries/" + entry, auth));
    conforms("/v1/accounting-entries/{accountingEntryId}", "get",
             c.get("/v1/accounting-entries/6f1c2a8e-0000-4000-8000-000000000001?include_deleted=false", auth));  // 404
    conforms("/v1/accounting-entries:search", "post",
             c.postJson("/v1/accounting-entries:search?company_id=" + c.companyId(1), R"({"includeDeleted":false})", auth));  // 403
    conforms(me, "delete", c.request("DELETE", me, "", {{"Authorization", auth}}));

    auto audit = c.admin("GET", "/request-violations");
    EXPECT_EQ(audit->getValue<int>("count"), 0) << Poco::JSON::Parser().parse(c.get("/admin/request-violations").body).toString();
    const int validated = audit->getValue<int>("validated");
    EXPECT_GE(validated, 16);

    // A client that breaks the contract is caught, request by request.
    c.postJson("/v1/accounting-entries:search?limit=500&colour=red", R"({"exportStatus":["DONE"]})", c.apiKeyAuth(0));
    c.request("PUT", me, "", {{"Authorization", c.apiKeyAuth(0)}});
    audit = c.admin("GET", "/request-violations");
    EXPECT_EQ(audit->getValue<int>("count"), 2);
    auto v = audit->getArray("violations");
    ASSERT_EQ(v->size(), 2u);
    EXPECT_EQ(v->getObject(0)->getValue<std::string>("operation"), "post /v1/accounting-entries:search");
    EXPECT_EQ(v->getObject(0)->getArray("problems")->size(), 4u) << v->getObject(0)->getArray("problems")->size();
    EXPECT_EQ(v->getObject(1)->getValue<std::string>("operation"), "put /v1/installations/me");
    std::cout << "[ conformance ] operations covered: " << operations_.size() << ", responses validated: " << responses_
              << ", requests validated: " << validated << " (+2 deliberately bad)\n";
}
