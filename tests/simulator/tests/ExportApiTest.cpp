// Export API v3 over real HTTPS: authentication and company scoping, the job lifecycle and
// its error codes, item updates, export items with receipts, cursor pagination, expiry, and
// hostile input.

// GCC 12 at -O1+ reports a false -Wmaybe-uninitialized inside <regex> (GCC bug 105562).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "SimClient.h"

using ledgerbridge::testsupport::SimulatorProcess;
using namespace simtest;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {
std::string type(const HttpResult& r) { return r.object()->getValue<std::string>("type"); }

std::string event(const std::string& ev, const std::string& job, const std::string& extra = "") {
    return "{\"event\":\"" + ev + "\",\"jobId\":\"" + job + "\"" + extra + "}";
}

std::vector<std::string> entryIds(SimClient& c, const std::string& job, const std::string& auth) {
    std::vector<std::string> ids;
    std::string after;
    for (;;) {
        HttpResult r = c.get("/v3/export-jobs/" + job + "/items?limit=100" + (after.empty() ? "" : "&after=" + after), auth);
        EXPECT_EQ(r.status, 200);
        auto o = r.object();
        auto data = o->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i)
            ids.push_back(data->getObject(static_cast<unsigned>(i))->getValue<std::string>("accountingEntryId"));
        auto p = o->getObject("pagination");
        if (!p->getValue<bool>("hasNextPage")) break;
        after = p->getValue<std::string>("endCursor");
    }
    return ids;
}

std::string update(const std::string& id, const std::string& status, const std::string& extra = "") {
    return "{\"accountingEntryId\":\"" + id + "\",\"status\":\"" + status + "\"" + extra + "}";
}
}  // namespace

TEST(ExportApi, RequiresCredentialsAndRejectsTheClientSecret) {
    SimulatorProcess sim({"--items", "3"});
    SimClient c(sim);
    HttpResult none = c.get("/v3/export-jobs");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(type(none), "UNAUTHORIZED");
    HttpResult secret = c.get("/v3/export-jobs", basic("ledgerbridge-demo", "demo-secret"));
    EXPECT_EQ(secret.status, 401);
    auto counters = c.admin("GET", "/counters")->getObject("counters");
    EXPECT_EQ(counters->getValue<int>("client_secret_as_api_credential"), 1);
    EXPECT_EQ(c.get("/v3/export-jobs", basic("unknown-key", "")).status, 401);
    EXPECT_EQ(c.get("/v3/export-jobs", "Bearer nope").status, 401);
    EXPECT_EQ(c.get("/v3/export-jobs", c.apiKeyAuth(0)).status, 200);
}

TEST(ExportApi, ScopesAndCompaniesAreEnforced) {
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    std::string readOnly = c.apiKeyAuth(0, "export:read");
    std::string job = c.createJob(0, 2);
    HttpResult w = c.postJson("/v3/export-job-events", event("started", job), readOnly);
    EXPECT_EQ(w.status, 403);
    EXPECT_EQ(type(w), "FORBIDDEN");
    std::string other = c.apiKeyAuth(1);
    HttpResult foreign = c.get("/v3/export-jobs/" + job, other);
    EXPECT_EQ(foreign.status, 404) << "another company's job is not visible";
    EXPECT_EQ(type(foreign), "EXPORT_NOT_FOUND");
    EXPECT_EQ(c.get("/v3/export-jobs?company_id=" + c.companyId(0), other).status, 403);
    auto list = c.get("/v3/export-jobs?company_id=" + c.companyId(1), other).object();
    EXPECT_EQ(list->getArray("data")->size(), 0u);
    // Pleo's per-endpoint scopes: export-jobs:read does not cover export items.
    std::string jobsOnly = c.apiKeyAuth(0, "export-jobs:read");
    EXPECT_EQ(c.get("/v3/export-jobs/" + job, jobsOnly).status, 200);
    EXPECT_EQ(c.get("/v3/export-items?job_id=" + job, jobsOnly).status, 403);
    EXPECT_EQ(c.get("/v3/export-items?job_id=" + job, c.apiKeyAuth(0, "export-items:read")).status, 200);
}

TEST(ExportApi, FullLifecycleWithItemUpdates) {
    SimulatorProcess sim({"--items", "10"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 4);
    auto pending = c.get("/v3/export-jobs?statuses=pending", auth).object()->getArray("data");
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ(pending->getObject(0)->getValue<std::string>("id"), job);
    EXPECT_EQ(pending->getObject(0)->getValue<int>("numberOfItems"), 4);

    HttpResult early = c.postJson("/v3/export-job-events", event("completed", job), auth);
    EXPECT_EQ(early.status, 422);
    EXPECT_EQ(type(early), "INVALID_EXPORT_JOB_STATUS_CHANGE");
    EXPECT_EQ(c.postJson("/v3/export-job-events", event("started", job), auth).status, 202);
    EXPECT_EQ(c.postJson("/v3/export-job-events", event("started", job), auth).status, 422);
    auto j = c.get("/v3/export-jobs/" + job, auth).object()->getObject("data");
    EXPECT_EQ(j->getValue<std::string>("status"), "in_progress");
    EXPECT_FALSE(j->isNull("startedAt"));

    auto ids = entryIds(c, job, auth);
    ASSERT_EQ(ids.size(), 4u);
    std::string body = "[" + update(ids[0], "successful", ",\"externalId\":\"ERP-1\",\"externalUrl\":\"https://erp/1\"") + "," +
                       update(ids[1], "failed", ",\"failureReason\":\"no such account\",\"failureReasonType\":\"account_unknown\"") +
                       "," + update("00000000-0000-4000-8000-000000000000", "successful") + "]";
    HttpResult put = c.putJson("/v3/export-jobs/" + job + "/items", body, auth);
    ASSERT_EQ(put.status, 200) << put.body;
    auto po = put.object();
    EXPECT_EQ(po->getArray("data")->size(), 2u);
    ASSERT_EQ(po->getArray("errors")->size(), 1u);
    EXPECT_EQ(po->getArray("errors")->getObject(0)->getValue<std::string>("type"), "ACCOUNTING_ENTRY_DOES_NOT_EXIST");

    auto ok = c.get("/v3/export-jobs/" + job + "/items?status=successful", auth).object()->getArray("data");
    ASSERT_EQ(ok->size(), 1u);
    EXPECT_EQ(ok->getObject(0)->getValue<std::string>("externalId"), "ERP-1");
    EXPECT_FALSE(ok->getObject(0)->isNull("exportedAt"));
    auto adminItems = c.admin("GET", "/export-jobs/" + job + "/items")->getArray("data");
    EXPECT_EQ(adminItems->getObject(0)->getValue<std::string>("externalId"), "ERP-1");
    EXPECT_EQ(adminItems->getObject(1)->getValue<std::string>("failureReasonType"), "account_unknown");

    HttpResult second = c.postJson("/v3/export-jobs",
                                   "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":[\"" + ids[2] + "\"]}", auth);
    EXPECT_EQ(second.status, 409);
    EXPECT_EQ(type(second), "EXPORT_ALREADY_IN_PROGRESS");

    EXPECT_EQ(c.postJson("/v3/export-job-events", event("completed_with_errors", job), auth).status, 202);
    auto done = c.get("/v3/export-jobs/" + job, auth).object()->getObject("data");
    EXPECT_EQ(done->getValue<std::string>("status"), "completed_with_errors");
    EXPECT_FALSE(done->isNull("completedAt"));
    HttpResult late = c.putJson("/v3/export-jobs/" + job + "/items", "[" + update(ids[2], "successful") + "]", auth);
    EXPECT_EQ(late.status, 422);
    EXPECT_EQ(type(late), "EXPORT_JOB_STATUS_UNPROCESSABLE");
    HttpResult items = c.get("/v3/export-items?job_id=" + job, auth);
    EXPECT_EQ(items.status, 422);
    EXPECT_EQ(type(items), "EXPORT_JOB_STATUS_UNPROCESSABLE");
    auto abandoned = c.get("/v3/export-jobs/" + job + "/items?status=abandoned", auth).object()->getArray("data");
    EXPECT_EQ(abandoned->size(), 2u) << "untouched items of a finished job are abandoned";
    EXPECT_EQ(c.postJson("/v3/export-job-events", event("failed", job), auth).status, 422);

    // The successful item is exported: a new "all ready" job leaves it out.
    std::string next = c.createJob(0, -1);
    EXPECT_EQ(c.get("/v3/export-jobs/" + next, auth).object()->getObject("data")->getValue<int>("numberOfItems"), 9);
}

TEST(ExportApi, CreateJobWithChosenEntriesAndFailItWithAReason) {
    SimulatorProcess sim({"--items", "10"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string probe = c.createJob(0, 3);
    auto ids = entryIds(c, probe, auth);
    EXPECT_EQ(c.postJson("/v3/export-job-events", event("failed", probe, ",\"failureReason\":\"x\",\"failureReasonType\":\"canceled_by_user\""), auth).status, 202);
    HttpResult r = c.postJson("/v3/export-jobs",
                              "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":[\"" + ids[0] + "\",\"" + ids[2] +
                                  "\"],\"isInteractive\":false,\"options\":{\"vendorBasedBookkeeping\":true}}",
                              auth);
    ASSERT_EQ(r.status, 201) << r.body;
    auto d = r.object()->getObject("data");
    EXPECT_EQ(d->getValue<int>("numberOfItems"), 2);
    EXPECT_FALSE(d->getValue<bool>("isInteractive"));
    EXPECT_TRUE(d->getValue<bool>("vendorBasedBookkeeping"));
    auto failed = c.get("/v3/export-jobs/" + probe, auth).object()->getObject("data");
    EXPECT_EQ(failed->getValue<std::string>("failureReasonType"), "canceled_by_user");
    HttpResult bad = c.postJson("/v3/export-jobs",
                                "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":[\"00000000-0000-4000-8000-000000000000\"]}", auth);
    EXPECT_EQ(bad.status, 400);
    HttpResult badReason = c.postJson("/v3/export-job-events", event("failed", d->getValue<std::string>("id"), ",\"failureReasonType\":\"bogus\""), auth);
    EXPECT_EQ(badReason.status, 400);
}

TEST(ExportApi, PutOfMoreThanHundredItemsIs413AndUnknownJobIs404) {
    SimulatorProcess sim({"--items", "200"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 150);
    auto ids = entryIds(c, job, auth);
    ASSERT_EQ(ids.size(), 150u);
    std::string body = "[";
    for (int i = 0; i < 101; ++i) body += (i ? "," : "") + update(ids[static_cast<std::size_t>(i)], "successful");
    body += "]";
    HttpResult r = c.putJson("/v3/export-jobs/" + job + "/items", body, auth);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(type(r), "EXPORT_JOB_ITEMS_UPDATE_LIMIT");
    HttpResult nf = c.get("/v3/export-jobs/6f1c2a8e-0000-4000-8000-000000000001", auth);
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(type(nf), "EXPORT_NOT_FOUND");
    EXPECT_EQ(c.putJson("/v3/export-jobs/6f1c2a8e-0000-4000-8000-000000000001/items", "[]", auth).status, 404);
}

TEST(ExportApi, CursorPaginationFollowsTheSpec) {
    SimulatorProcess sim({"--items", "130"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 120);
    std::set<std::string> seen;
    std::string after, firstEnd, secondStart;
    int pages = 0;
    const std::regex cursor("^[A-Z2-7=~]+$");
    for (;;) {
        auto o = c.get("/v3/export-items?job_id=" + job + "&limit=50" + (after.empty() ? "" : "&after=" + after), auth).object();
        auto p = o->getObject("pagination");
        auto data = o->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i)
            seen.insert(data->getObject(static_cast<unsigned>(i))->getValue<std::string>("accountingEntryId"));
        EXPECT_EQ(p->getValue<int>("total"), 120);
        EXPECT_TRUE(std::regex_match(p->getValue<std::string>("endCursor"), cursor));
        EXPECT_TRUE(std::regex_match(p->getValue<std::string>("startCursor"), cursor));
        EXPECT_EQ(p->getValue<bool>("hasPreviousPage"), pages > 0);
        EXPECT_EQ(p->getObject("currentRequestPagination")->getValue<int>("limit"), 50);
        EXPECT_EQ(p->getObject("currentRequestPagination")->getObject("parameters")->getArray("job_id")->getElement<std::string>(0), job);
        if (pages == 0) firstEnd = p->getValue<std::string>("endCursor");
        if (pages == 1) secondStart = p->getValue<std::string>("startCursor");
        ++pages;
        if (!p->getValue<bool>("hasNextPage")) break;
        after = p->getValue<std::string>("endCursor");
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen.size(), 120u);
    // before= the second page's start gives the first page back.
    auto back = c.get("/v3/export-jobs/" + job + "/items?limit=50&before=" + secondStart, auth).object();
    EXPECT_EQ(back->getArray("data")->size(), 50u);
    EXPECT_EQ(back->getObject("pagination")->getValue<std::string>("endCursor"), firstEnd);
    EXPECT_FALSE(back->getObject("pagination")->getValue<bool>("hasPreviousPage"));
    auto off = c.get("/v3/export-jobs/" + job + "/items?offset=110&limit=50", auth).object();
    EXPECT_EQ(off->getArray("data")->size(), 10u);
    EXPECT_FALSE(off->getObject("pagination")->getValue<bool>("hasNextPage"));
    for (const std::string& q : std::vector<std::string>{"before=" + firstEnd + "&after=" + firstEnd, "after=" + firstEnd + "&offset=1",
                                "before=" + firstEnd + "&offset=0"}) {
        HttpResult r = c.get("/v3/export-jobs/" + job + "/items?" + q, auth);
        EXPECT_EQ(r.status, 400) << q;
        EXPECT_FALSE(type(r).empty());
    }
    EXPECT_EQ(c.get("/v3/export-jobs/" + job + "/items?after=lowercase", auth).status, 400);
    EXPECT_EQ(c.get("/v3/export-jobs/" + job + "/items?limit=-1", auth).status, 400);
    EXPECT_EQ(c.get("/v3/export-jobs/" + job + "/items?status=nonsense", auth).status, 400);
}

TEST(ExportApi, ExportItemsCarryReceiptsWhoseUrlsExpire) {
    SimulatorProcess sim({"--items", "40"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 40);
    auto data = c.get("/v3/export-items?job_id=" + job + "&limit=40", auth).object()->getArray("data");
    std::string url, kind;
    int size = 0;
    for (std::size_t i = 0; i < data->size() && url.empty(); ++i) {
        auto files = data->getObject(static_cast<unsigned>(i))->getArray("files");
        if (files && files->size() > 0) {
            url = files->getObject(0)->getValue<std::string>("url");
            kind = files->getObject(0)->getValue<std::string>("type");
            size = files->getObject(0)->getValue<int>("size");
        }
    }
    ASSERT_FALSE(url.empty());
    EXPECT_EQ(url.rfind(sim.baseUrl(), 0), 0u);
    HttpResult f = c.get(url);
    ASSERT_EQ(f.status, 200);
    EXPECT_EQ(static_cast<int>(f.body.size()), size);
    EXPECT_EQ(f.header("content-type"), kind);
    if (kind == "application/pdf") {
        EXPECT_EQ(f.body.rfind("%PDF-", 0), 0u);
    }
    HttpResult tampered = c.get(url.substr(0, url.size() - 2) + "00");
    EXPECT_EQ(tampered.status, 403);
    c.admin("POST", "/clock/advance", R"({"seconds":86401})");
    HttpResult expired = c.get(url);
    EXPECT_EQ(expired.status, 403);
    EXPECT_EQ(type(expired), "FILE_URL_EXPIRED");
}

TEST(ExportApi, JobsExpireAnHourAfterTheirLastUpdate) {
    SimulatorProcess sim({"--items", "10"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 3);
    ASSERT_EQ(c.postJson("/v3/export-job-events", event("started", job), auth).status, 202);
    c.admin("POST", "/clock/advance", R"({"seconds":3000})");
    auto ids = entryIds(c, job, auth);
    ASSERT_EQ(c.putJson("/v3/export-jobs/" + job + "/items", "[" + update(ids[0], "successful", ",\"externalId\":\"E1\"") + "]", auth).status, 200);
    c.admin("POST", "/clock/advance", R"({"seconds":3000})");  // 6000 s since start, 3000 since the PUT
    EXPECT_EQ(c.get("/v3/export-jobs/" + job, auth).object()->getObject("data")->getValue<std::string>("status"), "in_progress");
    c.admin("POST", "/clock/advance", R"({"seconds":601})");
    auto j = c.get("/v3/export-jobs/" + job, auth).object()->getObject("data");
    EXPECT_EQ(j->getValue<std::string>("status"), "failed");
    EXPECT_EQ(j->getValue<std::string>("failureReasonType"), "job_expired");
    EXPECT_FALSE(j->isNull("expiredAt"));
    auto items = c.get("/v3/export-jobs/" + job + "/items?status=abandoned", auth).object()->getArray("data");
    ASSERT_EQ(items->size(), 2u);
    EXPECT_EQ(items->getObject(0)->getValue<std::string>("failureReasonType"), "job_expired");
    EXPECT_EQ(c.postJson("/v3/export-job-events", event("completed", job), auth).status, 422);
}

TEST(ExportApi, HostileBodiesGet400WithTypeAndMessage) {
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 2);
    const std::vector<std::string> bodies = {"", "{", "[[[[", std::string(5000, '[') + std::string(5000, ']'), "null",
                                             "\"str\"", "{\"event\":12,\"jobId\":[]}", "{\"event\":\"started\"}",
                                             "\xff\xfe\x00garbage", "{\"event\":\"started\",\"jobId\":\"not-a-uuid\"}"};
    for (const auto& b : bodies) {
        HttpResult r = c.postJson("/v3/export-job-events", b, auth);
        EXPECT_EQ(r.status, 400) << b.substr(0, 40) << " -> " << r.body;
        auto o = r.object();
        EXPECT_TRUE(o->has("type"));
        EXPECT_TRUE(o->has("message"));
    }
    for (const std::string& b : std::vector<std::string>{"{}", "[1,2]", "[{\"status\":\"successful\"}]", "[{\"accountingEntryId\":\"x\",\"status\":\"weird\"}]"})
        EXPECT_EQ(c.putJson("/v3/export-jobs/" + job + "/items", b, auth).status, 400) << b;
    for (const std::string& b : std::vector<std::string>{"{\"companyId\":5}", "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":\"x\"}"})
        EXPECT_EQ(c.postJson("/v3/export-jobs", b, auth).status, 400) << b;
    EXPECT_EQ(c.get("/v3/export-jobs/not-a-uuid", auth).status, 400);
    EXPECT_EQ(c.get("/v3/export-items", auth).status, 400) << "job_id is required";
    EXPECT_EQ(c.get("/healthz").status, 200) << "still alive";
}

TEST(ExportApi, InvalidRateProducesItemsThatCannotBeExported) {
    SimulatorProcess sim({"--items", "20", "--invalid-rate", "1"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 20);
    auto data = c.get("/v3/export-items?job_id=" + job + "&limit=20", auth).object()->getArray("data");
    ASSERT_EQ(data->size(), 20u);
    for (std::size_t i = 0; i < data->size(); ++i) {
        auto line = data->getObject(static_cast<unsigned>(i))->getArray("accountingEntryLines")->getObject(0);
        bool noAccount = line->isNull("account");
        bool unknownTax = line->getObject("tax")->getValue<std::string>("code") == "UNKNOWN-99";
        EXPECT_TRUE(noAccount || unknownTax) << i;
    }
}

TEST(ExportApi, SeedMakesDataDeterministicAcrossRuns) {
    std::string first, second;
    for (std::string* out : {&first, &second}) {
        SimulatorProcess sim({"--items", "5", "--seed", "1234"});
        SimClient c(sim);
        std::string auth = c.apiKeyAuth(0);
        std::string job = c.createJob(0, 5);
        auto data = c.get("/v3/export-items?job_id=" + job, auth).object()->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i) {
            auto item = data->getObject(static_cast<unsigned>(i));
            item->remove("files");   // signed URLs differ per run
            item->remove("_links");  // so does the port
            std::ostringstream os;
            item->stringify(os);
            *out += os.str();
        }
    }
    EXPECT_FALSE(first.empty());
    EXPECT_EQ(first, second);
}

TEST(ExportApi, MissingContraAccountsBlockJobsAndItems) {
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 2);
    c.admin("POST", "/companies/" + c.companyId(0) + "/contra-accounts", R"({"configured":false})");
    HttpResult items = c.get("/v3/export-items?job_id=" + job, auth);
    EXPECT_EQ(items.status, 400);
    EXPECT_EQ(type(items), "MISSING_CONTRA_ACCOUNTS");
    c.postJson("/v3/export-job-events", event("failed", job), auth);
    auto ids = c.admin("GET", "/export-jobs/" + job + "/items")->getArray("data");
    HttpResult create = c.postJson("/v3/export-jobs", "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":[\"" +
                                                          ids->getObject(0)->getValue<std::string>("accountingEntryId") + "\"]}", auth);
    EXPECT_EQ(create.status, 400);
    EXPECT_EQ(type(create), "MISSING_CONTRA_ACCOUNTS");
    c.admin("POST", "/companies/" + c.companyId(0) + "/contra-accounts", R"({"configured":true})");
    EXPECT_EQ(c.postJson("/v3/export-jobs", "{\"companyId\":\"" + c.companyId(0) + "\",\"accountingEntryIds\":[]}", auth).status, 201);
}

TEST(ExportApi, JobItemByAccountingEntryAndSortingValidation) {
    SimulatorProcess sim({"--items", "5"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 3);
    auto first = c.get("/v3/export-items?job_id=" + job + "&limit=1", auth).object()->getArray("data")->getObject(0);
    std::string link = first->getObject("_links")->getObject("api")->getValue<std::string>("exportItem");
    HttpResult r = c.get(link, auth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.object()->getObject("data")->getValue<std::string>("exportJobId"), job);
    HttpResult nf = c.get("/v3/export-job-items?accounting_entry_id=6f1c2a8e-0000-4000-8000-000000000001", auth);
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(type(nf), "EXPORT_ENTRY_NOT_FOUND");
    EXPECT_EQ(c.get("/v3/export-jobs?sorting_keys=createdAt&sorting_order=SIDEWAYS", auth).status, 400);
    auto echoed = c.get("/v3/export-jobs?sorting_keys=createdAt&sorting_order=DESC", auth).object();
    EXPECT_EQ(echoed->getObject("pagination")->getObject("currentRequestPagination")->getArray("sortingOrder")->getElement<std::string>(0), "DESC");
}

TEST(ExportApi, SeededGarbageNeverCrashesOrAnswers500) {
    SimulatorProcess sim({"--items", "5", "--rate-limit", "0"});
    SimClient c(sim);
    std::string auth = c.apiKeyAuth(0);
    std::string job = c.createJob(0, 3);
    const std::vector<std::string> fragments = {"{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0",
                                                "\"jobId\"", "\"event\"", "\"started\"", "\"" + job + "\"", "\\u0000",
                                                "\\ud800", "\xc3\x28", "accountingEntryId", "status", " ", "\n"};
    std::uint64_t x = 12345;
    auto next = [&x]() { return (x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
    const std::vector<std::pair<std::string, std::string>> targets = {
        {"POST", "/v3/export-job-events"}, {"PUT", "/v3/export-jobs/" + job + "/items"}, {"POST", "/v3/export-jobs"},
        {"POST", "/oauth/token"}, {"POST", "/admin/faults"}};
    for (int i = 0; i < 300; ++i) {
        std::string body;
        for (std::uint64_t n = next() % 12; n > 0; --n) body += fragments[next() % fragments.size()];
        const auto& t = targets[static_cast<std::size_t>(i) % targets.size()];
        HttpResult r = c.request(t.first, t.second, body, {{"Authorization", t.second.rfind("/oauth", 0) == 0 ? basic("ledgerbridge-demo", "demo-secret") : auth}},
                                 t.second.rfind("/oauth", 0) == 0 ? "application/x-www-form-urlencoded" : "application/json");
        EXPECT_LT(r.status, 500) << t.first << " " << t.second << " body: " << body << " -> " << r.body;
    }
    EXPECT_EQ(c.get("/healthz").status, 200);
}
