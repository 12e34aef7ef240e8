// Accounting Entries and Installations over real HTTPS: entries that are the export items and
// whose export status follows the jobs, jobs created from entry ids, and the installation
// lifecycle down to DELETE revoking the client's tokens.
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include <set>

#include "SimClient.h"

using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {
std::string type(const HttpResult& r) { return r.object()->getValue<std::string>("type"); }

// Every entry matching `body`, following the cursor; checks each page's size against `limit`.
std::vector<Object::Ptr> searchAll(SimClient& c, const std::string& auth, const std::string& body, int limit = 100) {
    std::vector<Object::Ptr> out;
    std::string after;
    for (int guard = 0; guard < 1000; ++guard) {
        HttpResult r = c.postJson("/v1/accounting-entries:search?limit=" + std::to_string(limit) +
                                      (after.empty() ? "" : "&after=" + after),
                                  body, auth);
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status != 200) break;
        Array::Ptr data = r.object()->getArray("data");
        EXPECT_LE(data->size(), static_cast<std::size_t>(limit));
        for (std::size_t i = 0; i < data->size(); ++i) out.push_back(data->getObject(static_cast<unsigned>(i)));
        Object::Ptr p = r.object()->getObject("pagination");
        if (!p->getValue<bool>("hasNextPage")) break;
        after = p->getValue<std::string>("endCursor");
    }
    return out;
}

std::set<std::string> exportStatuses(const std::vector<Object::Ptr>& entries) {
    std::set<std::string> s;
    for (const auto& e : entries) s.insert(e->getValue<std::string>("exportStatus"));
    return s;
}

std::string idsJson(const std::vector<Object::Ptr>& entries) {
    std::string j = "[";
    for (std::size_t i = 0; i < entries.size(); ++i)
        j += (i ? ",\"" : "\"") + entries[i]->getValue<std::string>("id") + "\"";
    return j + "]";
}

const std::string kReady = R"({"includeDeleted":false,"reviewStatus":["OK"],"exportStatus":["NOT_EXPORTED"],"status":["COMPLETED"]})";
}  // namespace

TEST(AccountingEntries, ReadyEntriesBecomeAJobWhoseStatusTheEntriesFollow) {
    SimulatorProcess sim({"--items", "30"});
    SimClient c(sim);
    const std::string auth = bearer(c.login().access);
    const std::string company = c.companyId(0);
    EXPECT_TRUE(searchAll(c, auth, kReady).empty()) << "nothing is reviewed at start";

    auto approved = c.admin("POST", "/companies/" + company + "/entries", R"({"count":7})");
    ASSERT_EQ(approved->getArray("entryIds")->size(), 7u);
    auto ready = searchAll(c, auth, kReady, 3);  // three pages: 3 + 3 + 1
    ASSERT_EQ(ready.size(), 7u);
    for (const auto& e : ready) {
        EXPECT_EQ(e->getValue<std::string>("companyId"), company);
        EXPECT_EQ(e->getValue<std::string>("reviewStatus"), "OK");
        EXPECT_TRUE(e->has("transactionValue") && e->getObject("transactionValue")->has("minors"));
    }

    HttpResult job = c.postJson("/v3/export-jobs", R"({"companyId":")" + company + R"(","accountingEntryIds":)" +
                                                       idsJson(ready) + R"(,"isInteractive":false})",
                                auth);
    ASSERT_EQ(job.status, 201) << job.body;
    Object::Ptr jd = job.object()->getObject("data");
    EXPECT_FALSE(jd->getValue<bool>("isInteractive"));
    EXPECT_EQ(jd->getValue<int>("numberOfItems"), 7);
    const std::string jobId = jd->getValue<std::string>("id");
    EXPECT_TRUE(searchAll(c, auth, kReady).empty()) << "queued entries are no longer NOT_EXPORTED";
    EXPECT_EQ(exportStatuses(searchAll(c, auth, R"({"includeDeleted":false,"exportStatus":["QUEUED"]})")).size(), 1u);
    EXPECT_EQ(searchAll(c, auth, R"({"includeDeleted":false,"exportStatus":["QUEUED"]})").size(), 7u);

    HttpResult again = c.postJson("/v3/export-jobs", R"({"companyId":")" + company + R"(","accountingEntryIds":[]})", auth);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(type(again), "EXPORT_ALREADY_IN_PROGRESS");

    ASSERT_EQ(c.postJson("/v3/export-job-events", R"({"event":"started","jobId":")" + jobId + "\"}", auth).status, 202);
    EXPECT_EQ(searchAll(c, auth, R"({"includeDeleted":false,"exportStatus":["EXPORTING"]})").size(), 7u);
    const std::string ok = ready[0]->getValue<std::string>("id"), bad = ready[1]->getValue<std::string>("id");
    HttpResult put = c.putJson("/v3/export-jobs/" + jobId + "/items",
                               R"([{"accountingEntryId":")" + ok + R"(","status":"successful","externalId":"V1"},)"
                               R"({"accountingEntryId":")" + bad + R"(","status":"failed","failureReasonType":"account_unknown"}])",
                               auth);
    ASSERT_EQ(put.status, 200) << put.body;
    HttpResult one = c.get("/v1/accounting-entries/" + ok, auth);
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(one.object()->getObject("data")->getValue<std::string>("exportStatus"), "EXPORTED");
    EXPECT_EQ(c.get("/v1/accounting-entries/" + bad, auth).object()->getObject("data")->getValue<std::string>("exportStatus"),
              "NOT_EXPORTED");
    ASSERT_EQ(c.postJson("/v3/export-job-events", R"({"event":"completed_with_errors","jobId":")" + jobId + "\"}", auth).status,
              202);
    // The 5 never reported and the failed one are not exported again; only `ok` is EXPORTED.
    EXPECT_EQ(searchAll(c, auth, kReady).size(), 6u);
    auto summary = c.admin("GET", "/companies/" + company + "/entries");
    EXPECT_EQ(summary->getObject("exportStatus")->getValue<int>("EXPORTED"), 1);
    EXPECT_EQ(summary->getObject("exportStatus")->getValue<int>("NOT_EXPORTED"), 29);
}

TEST(AccountingEntries, MissingContraAccountsAndBadSearchesAreClearErrors) {
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    const std::string auth = c.apiKeyAuth(0);
    const std::string company = c.companyId(0);
    c.admin("POST", "/companies/" + company + "/contra-accounts", R"({"configured":false})");
    auto e = searchAll(c, auth, R"({"includeDeleted":false})");
    ASSERT_EQ(e.size(), 5u);
    HttpResult job = c.postJson("/v3/export-jobs", R"({"companyId":")" + company + R"(","accountingEntryIds":[")" +
                                                       e[0]->getValue<std::string>("id") + R"("],"isInteractive":false})",
                                auth);
    EXPECT_EQ(job.status, 400);
    EXPECT_EQ(type(job), "MISSING_CONTRA_ACCOUNTS");

    HttpResult big = c.postJson("/v1/accounting-entries:search?limit=101", "{}", auth);
    EXPECT_EQ(big.status, 400);
    HttpResult badEnum = c.postJson("/v1/accounting-entries:search", R"({"exportStatus":["DONE"]})", auth);
    EXPECT_EQ(badEnum.status, 400);
    EXPECT_NE(badEnum.body.find("exportStatus[0]"), std::string::npos) << badEnum.body;
    HttpResult unsupported = c.postJson("/v1/accounting-entries:search", R"({"hasNote":true})", auth);
    EXPECT_EQ(unsupported.status, 400);
    EXPECT_EQ(type(unsupported), "UNSUPPORTED_FILTER");
    HttpResult other = c.postJson("/v1/accounting-entries:search?company_id=" + c.companyId(1), "{}", auth);
    EXPECT_EQ(other.status, 403);
    HttpResult foreign = c.get("/v1/accounting-entries/" + e[0]->getValue<std::string>("id"), c.apiKeyAuth(1));
    EXPECT_EQ(foreign.status, 404) << "another company's entry does not exist for this credential";
    HttpResult core = c.postJson("/v1/accounting-entries/core:search", "{}", auth);
    EXPECT_EQ(core.status, 200);
    EXPECT_EQ(core.header("deprecation"), "true");
}

TEST(Installations, ConsentSyncActivateErrorAndDeleteRevokesTheTokens) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    Tokens t = c.login();
    const std::string auth = bearer(t.access);
    HttpResult got = c.get("/v1/installations/me", auth);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.object()->getValue<std::string>("status"), "AUTHORIZED");
    EXPECT_EQ(got.object()->getValue<std::string>("resource"), "urn:pleo:company:" + c.companyId(0));

    HttpResult pending = c.putJson("/v1/installations/me", R"({"status":"PENDING_INTEGRATION"})", auth);
    ASSERT_EQ(pending.status, 200) << pending.body;
    EXPECT_EQ(pending.object()->getValue<std::string>("status"), "PENDING_INTEGRATION");
    HttpResult noCode = c.putJson("/v1/installations/me", R"({"status":"ERROR"})", auth);
    EXPECT_EQ(noCode.status, 400);
    EXPECT_EQ(type(noCode), "MISSING_ERROR_CODE");
    HttpResult err = c.putJson("/v1/installations/me", R"({"status":"ERROR","errorCode":"AUTH_ERROR"})", auth);
    ASSERT_EQ(err.status, 200);
    EXPECT_EQ(err.object()->getValue<std::string>("errorCode"), "AUTH_ERROR");
    HttpResult active = c.postJson("/v1/installations/me:activate", "", auth);
    ASSERT_EQ(active.status, 200) << active.body;
    EXPECT_EQ(active.object()->getValue<std::string>("status"), "ACTIVATED");
    EXPECT_FALSE(active.object()->has("errorCode"));
    EXPECT_EQ(c.postJson("/v1/installations/me", "{}", auth).status, 400) << "one installation per client and company";

    HttpResult del = c.request("DELETE", "/v1/installations/me", "", {{"Authorization", auth}});
    EXPECT_EQ(del.status, 204);
    EXPECT_EQ(c.get("/v3/export-jobs", auth).status, 401) << "the access token dies with the installation";
    HttpResult refresh = c.postForm("/oauth/token", formEncode({{"grant_type", "refresh_token"},
                                                                {"refresh_token", t.refresh},
                                                                {"client_id", "ledgerbridge-demo"},
                                                                {"client_secret", "demo-secret"}}));
    EXPECT_EQ(refresh.status, 400) << "and so does the refresh token";
    auto all = c.admin("GET", "/installations");
    EXPECT_EQ(all->getArray("data")->size(), 0u);

    // Consenting again creates a new AUTHORIZED installation.
    Tokens t2 = c.login();
    EXPECT_EQ(c.get("/v1/installations/me", bearer(t2.access)).object()->getValue<std::string>("status"), "AUTHORIZED");
}
