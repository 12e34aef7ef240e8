// Master data as an integration writes it: chart of accounts, tax codes, tag groups and tags,
// vendors over real HTTPS, with the spec's validation errors, read back through the API and the
// admin view; every response checked against the reference files and every request by the
// simulator's --validate-requests.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "SimClient.h"
#include "ledgerbridge/testsupport/OpenApiValidator.h"

using ledgerbridge::testsupport::OpenApiValidator;
using ledgerbridge::testsupport::pleoOpenApiDir;
using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

class MasterData : public ::testing::Test {
protected:
    void SetUp() override {
        LB_REQUIRE_REFERENCE_DIR();
        std::vector<std::string> files;
        for (const char* f : {"accounts.yml", "tax-codes.yml", "tag-groups.yml", "tags.yml", "vendors.yml"})
            files.push_back(pleoOpenApiDir() + "/" + f);
        spec_ = std::make_unique<OpenApiValidator>(files);
    }

    // Status declared (explicitly or by `default`); success bodies match the schema.
    HttpResult conforms(const std::string& tmpl, const std::string& method, const HttpResult& r) {
        ++responses_;
        operations_.insert(method + " " + tmpl);
        EXPECT_TRUE(spec_->declaresResponse(tmpl, method, r.status)) << method << " " << tmpl << " " << r.status << " " << r.body;
        if (r.status < 300 && !r.body.empty())
            for (const auto& e : spec_->validateResponse(tmpl, method, r.status, Poco::JSON::Parser().parse(r.body)))
                ADD_FAILURE() << method << " " << tmpl << " " << r.status << ": " << e;
        return r;
    }

    std::unique_ptr<OpenApiValidator> spec_;
    int responses_ = 0;
    std::set<std::string> operations_;
};

std::string type(const HttpResult& r) { return r.object()->getValue<std::string>("type"); }
std::string id(const HttpResult& r) { return r.object()->getObject("data")->getValue<std::string>("id"); }

}  // namespace

TEST_F(MasterData, AnIntegrationSyncsEveryKindAndTheAdminViewShowsIt) {
    SimulatorProcess sim({"--items", "3", "--validate-requests", pleoOpenApiDir()});
    SimClient c(sim);
    const std::string auth = bearer(c.login().access), co = c.companyId(0);

    // Chart of accounts.
    HttpResult acc = conforms("/v1/chart-of-accounts", "post",
                              c.postJson("/v1/chart-of-accounts", R"({"companyId":")" + co +
                                                                      R"(","externalId":"erp-6100","code":"6100","name":"Travel","archived":false})", auth));
    ASSERT_EQ(acc.status, 201) << acc.body;
    HttpResult dupAcc = c.postJson("/v1/chart-of-accounts", R"({"companyId":")" + co + R"(","externalId":"erp-6100","name":"Again","archived":false})", auth);
    EXPECT_EQ(dupAcc.status, 409);
    HttpResult missing = c.postJson("/v1/chart-of-accounts", R"({"companyId":")" + co + R"(","archived":false})", auth);
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.body.find("externalId, name"), std::string::npos) << missing.body;
    conforms("/v1/chart-of-accounts/{accountId}", "put",
             c.putJson("/v1/chart-of-accounts/" + id(acc), R"J({"name":"Travel (archived)","archived":true})J", auth));
    HttpResult search = conforms("/v1/chart-of-accounts:search", "post",
                                 c.postJson("/v1/chart-of-accounts:search?limit=5",
                                            R"({"companyId":")" + co + R"(","excludeIfAssignedToCategory":false,"excludeIfAssignedToContraAccount":false,"archived":true})", auth));
    ASSERT_EQ(search.object()->getArray("data")->size(), 1u);
    EXPECT_EQ(search.object()->getArray("data")->getObject(0)->getValue<std::string>("name"), "Travel (archived)");
    HttpResult foreign = c.postJson("/v1/chart-of-accounts", R"({"companyId":")" + c.companyId(1) + R"(","externalId":"x","name":"x","archived":false})", auth);
    EXPECT_EQ(foreign.status, 403);

    // Tax codes.
    HttpResult tax = conforms("/v0/tax-codes", "post",
                              c.postJson("/v0/tax-codes", R"({"companyId":")" + co + R"(","code":"RCEU25","name":"Reverse charge 25","rate":0.25,"type":"reverse","archived":false,"ingoingTaxAccount":"2710","outgoingTaxAccount":"2720"})", auth));
    ASSERT_EQ(tax.status, 201) << tax.body;
    EXPECT_EQ(c.postJson("/v0/tax-codes", R"({"companyId":")" + co + R"(","code":"RCEU25","name":"dup","rate":0.25,"type":"reverse","archived":false})", auth).status, 409);
    HttpResult badRate = c.postJson("/v0/tax-codes", R"({"companyId":")" + co + R"(","code":"X","name":"x","rate":25,"type":"inclusive","archived":false})", auth);
    EXPECT_EQ(badRate.status, 400);
    EXPECT_EQ(type(badRate), "INVALID_TAX_RATE");
    EXPECT_EQ(c.postJson("/v0/tax-codes", R"({"companyId":")" + co + R"(","code":"Y","name":"y","rate":0.1,"type":"flat","archived":false})", auth).status, 400);
    conforms("/v0/tax-codes/{taxCodeId}", "get", c.get("/v0/tax-codes/" + id(tax), auth));
    HttpResult taxes = conforms("/v0/tax-codes:search", "post", c.postJson("/v0/tax-codes:search?company_id=" + co, R"({"type":"reverse"})", auth));
    EXPECT_GE(taxes.object()->getArray("data")->size(), 1u);

    // Tag groups and tags.
    HttpResult group = conforms("/v0/tag-groups", "post",
                                c.postJson("/v0/tag-groups?company_id=" + co, R"({"code":"PROJ","name":"Projects","archived":false})", auth));
    ASSERT_EQ(group.status, 201) << group.body;
    EXPECT_EQ(c.postJson("/v0/tag-groups", R"({"code":"PROJ","name":"Again","archived":false})", auth).status, 409);
    const std::string gid = id(group);
    HttpResult tag = conforms("/v0/tag-groups/{groupId}/tags", "post",
                              c.postJson("/v0/tag-groups/" + gid + "/tags", R"({"code":"P-100","name":"Apollo","archived":false})", auth));
    ASSERT_EQ(tag.status, 201) << tag.body;
    conforms("/v0/tag-groups/{groupId}/tags", "post",
             c.postJson("/v0/tag-groups/" + gid + "/tags", R"({"code":"P-100","archived":false})", auth));  // 409
    conforms("/v0/tags/archive", "post",
             c.postJson("/v0/tags/archive", R"({"companyId":")" + co + R"(","tagIds":[")" + id(tag) + R"("],"archived":true})", auth));
    HttpResult listed = conforms("/v0/tag-groups/{groupId}/tags", "get", c.get("/v0/tag-groups/" + gid + "/tags?include_archived=true", auth));
    ASSERT_EQ(listed.object()->getArray("data")->size(), 1u);
    EXPECT_TRUE(listed.object()->getArray("data")->getObject(0)->getValue<bool>("archived"));
    EXPECT_EQ(c.get("/v0/tag-groups/" + gid + "/tags", auth).object()->getArray("data")->size(), 0u) << "archived tags are hidden by default";
    conforms("/v0/tags:search", "post", c.postJson("/v0/tags:search", R"({"tagGroupIds":[")" + gid + R"("],"includeArchived":true})", auth));
    conforms("/v0/tag-groups", "get", c.get("/v0/tag-groups?company_id=" + co, auth));
    conforms("/v0/tag-groups/{groupId}", "put",
             c.putJson("/v0/tag-groups/" + gid, R"J({"code":"PROJ","name":"Projects (ERP)","archived":false,"metadata":{}})J", auth));

    // Vendors.
    HttpResult vendor = conforms("/v1/vendors", "post",
                                 c.postJson("/v1/vendors", R"({"companyId":")" + co + R"(","name":"Acme A/S","defaultCurrency":"DKK","country":"DK"})", auth));
    ASSERT_EQ(vendor.status, 201) << vendor.body;
    EXPECT_EQ(vendor.object()->getObject("data")->getValue<std::string>("state"), "DRAFT");
    EXPECT_EQ(conforms("/v1/vendors/{id}:activate", "post",
                       c.postJson("/v1/vendors/" + id(vendor) + ":activate", R"({"externalId":"ERP-V-77","code":"V77"})", auth)).status, 204);
    EXPECT_EQ(c.postJson("/v1/vendors", R"({"companyId":")" + co + R"(","name":"Dup","defaultCurrency":"DKK","externalId":"ERP-V-77"})", auth).status, 409);
    EXPECT_EQ(c.postJson("/v1/vendors", R"({"companyId":")" + co + R"(","name":"Bad","defaultCurrency":"kroner"})", auth).status, 400);
    HttpResult vs = conforms("/v1/vendors:search", "post",
                             c.postJson("/v1/vendors:search?company_id=" + co, R"({"externalIds":["ERP-V-77"]})", auth));
    ASSERT_EQ(vs.object()->getArray("data")->size(), 1u);
    EXPECT_EQ(vs.object()->getArray("data")->getObject(0)->getValue<std::string>("state"), "ACTIVE");
    EXPECT_EQ(conforms("/v1/vendors/{id}:archive", "post", c.postJson("/v1/vendors/" + id(vendor) + ":archive", "", auth)).status, 204);
    EXPECT_EQ(c.get("/v1/vendors/" + id(vendor), auth).object()->getObject("data")->getValue<std::string>("state"), "ARCHIVED");
    EXPECT_EQ(c.get("/v1/vendors/" + id(vendor), c.apiKeyAuth(1)).status, 404) << "another company's vendor does not exist";

    // The admin view shows exactly what was written.
    auto md = c.admin("GET", "/companies/" + co + "/master-data");
    auto has = [&](const std::string& kind, const std::string& field, const std::string& value) {
        Array::Ptr a = md->getArray(kind);
        for (std::size_t i = 0; i < a->size(); ++i)
            if (a->getObject(static_cast<unsigned>(i))->get(field).toString() == value) return true;
        return false;
    };
    EXPECT_TRUE(has("accounts", "externalId", "erp-6100"));
    EXPECT_TRUE(has("taxCodes", "code", "RCEU25"));
    EXPECT_TRUE(has("tagGroups", "name", "Projects (ERP)"));
    EXPECT_TRUE(has("tags", "code", "P-100"));
    EXPECT_TRUE(has("vendors", "externalId", "ERP-V-77"));

    auto audit = c.admin("GET", "/request-violations");
    // Exactly the two deliberately bad requests the schema can see (a missing required field, a
    // type outside the enum); the others break rules the spec states only in prose.
    EXPECT_EQ(audit->getValue<int>("count"), 2) << c.get("/admin/request-violations").body;
    Array::Ptr v = audit->getArray("violations");
    ASSERT_EQ(v->size(), 2u);
    EXPECT_EQ(v->getObject(0)->getValue<std::string>("operation"), "post /v1/chart-of-accounts");
    EXPECT_EQ(v->getObject(1)->getArray("problems")->getElement<std::string>(0), "body.type: 'flat' is not in the enum");
    std::cout << "[ conformance ] master data: operations covered: " << operations_.size() << ", responses validated: "
              << responses_ << ", requests validated: " << audit->getValue<int>("validated") << "\n";
}
