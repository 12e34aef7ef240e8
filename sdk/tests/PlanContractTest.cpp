// The dry-run contract across the boundary: a C++ plugin's planBatch reaches the host as
// documents and rejections (the default planBatch emits plan()'s documents), PlanSink refuses
// what is not a rejection, and PluginClient::plan refuses a plugin that breaks the contract
// through the raw C table (another outcome kind, an index outside the batch, documents and a
// rejection for one entry) instead of passing it on.
#include <gtest/gtest.h>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::sdk;

namespace {

Entry entry(const std::string& id) {
    Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job";
    e.idempotencyKey = "k-" + id;
    e.date = "2026-01-01";
    return e;
}

/// Rejects entries whose id starts with "bad", plans one document for every other.
class Planner : public Plugin {
public:
    static Manifest manifest() {
        Manifest m;
        m.name = "planner";
        m.version = "1.0.0";
        m.targetSystem = "test";
        m.capabilities = LB_CAP_DRY_RUN;
        return m;
    }
    void configure(const Settings&) override {}
    void planBatch(const std::vector<Entry>& batch, PlanSink& sink) override {
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (batch[i].accountingEntryId.rfind("bad", 0) == 0)
                sink.reject(i, Outcome::rejected("validation_failure", "debits 10.00 credits 9.99"));
            else if (batch[i].accountingEntryId == "posted-in-plan")
                sink.reject(i, Outcome::posted("X"));  // not allowed: PlanSink throws
            else
                sink.document({i, "append", "text/plain", batch[i].accountingEntryId});
        }
    }
};

/// Only the old plan(): the default planBatch passes its documents on.
class OldPlanner : public Plugin {
public:
    static Manifest manifest() {
        Manifest m = Planner::manifest();
        m.name = "old-planner";
        return m;
    }
    void configure(const Settings&) override {}
    std::vector<Document> plan(const std::vector<Entry>& batch) override {
        return {Document{batch.size() - 1, "append", "text/plain", "last"}};
    }
};

// A plugin written against the C table that breaks the contract in the way `g_breach` says.
int g_breach = 0;
const lb_host_api* g_api = nullptr;
lb_status cCreate(const lb_host_api* api, lb_host*, lb_instance** out, lb_call*) {
    g_api = api;
    static int instance;
    *out = reinterpret_cast<lb_instance*>(&instance);
    return LB_OK;
}
lb_status cConfigure(lb_instance*, const lb_setting*, size_t, lb_call*) { return LB_OK; }
lb_status cPlan(lb_instance*, const lb_entry*, size_t, lb_call* call) {
    lb_outcome o{sizeof(lb_outcome), 0, LB_OUTCOME_REJECTED, nullptr, nullptr, "validation_failure", "no"};
    lb_document d{sizeof(lb_document), 0, "append", "text/plain", "x", 1};
    if (g_breach == 1) o.kind = LB_OUTCOME_POSTED;
    if (g_breach == 2) o.entry_index = 7;
    if (g_breach == 3) g_api->emit_document(call, &d);
    if (g_breach == 4) d.entry_index = 9, g_api->emit_document(call, &d);
    g_api->report_outcome(call, &o);
    return LB_OK;
}
void cDestroy(lb_instance*) {}
const lb_plugin_api kBreaching{sizeof(lb_plugin_api), LB_ABI_MAJOR, LB_ABI_MINOR, nullptr, &cCreate, &cConfigure,
                               nullptr, &cPlan, nullptr, nullptr, &cDestroy, nullptr};

}  // namespace

TEST(PlanContract, RejectionsAndDocumentsReachTheHostPerEntry) {
    testkit::MemoryHost host;
    PluginClient client(detail_exporter<Planner>::entry(LB_ABI_MAJOR, LB_ABI_MINOR), host, "planner");
    client.configure({});
    const PlanResult r = client.plan({entry("good-1"), entry("bad-2"), entry("good-3")});
    ASSERT_EQ(r.documents.size(), 2u);
    EXPECT_EQ(r.documents[0].entryIndex, 0u);
    EXPECT_EQ(r.documents[1].entryIndex, 2u);
    ASSERT_EQ(r.rejections.size(), 1u);
    EXPECT_EQ(r.rejections[0].entryIndex, 1u);
    EXPECT_EQ(r.rejections[0].kind, OutcomeKind::Rejected);
    EXPECT_EQ(r.rejections[0].failureReason, "validation_failure");
    EXPECT_EQ(r.rejections[0].message, "debits 10.00 credits 9.99");
}

TEST(PlanContract, PlanSinkRefusesAnOutcomeThatIsNotARejection) {
    testkit::MemoryHost host;
    PluginClient client(detail_exporter<Planner>::entry(LB_ABI_MAJOR, LB_ABI_MINOR), host, "planner");
    client.configure({});
    try {
        client.plan({entry("posted-in-plan")});
        FAIL() << "a posted outcome in a dry run was accepted";
    } catch (const CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_INTERNAL);
        EXPECT_NE(e.pluginMessage().find("needs a rejected outcome"), std::string::npos) << e.what();
    }
}

TEST(PlanContract, TheDefaultPlanBatchPassesPlansDocumentsOn) {
    testkit::MemoryHost host;
    PluginClient client(detail_exporter<OldPlanner>::entry(LB_ABI_MAJOR, LB_ABI_MINOR), host, "old-planner");
    client.configure({});
    const PlanResult r = client.plan({entry("a"), entry("b")});
    ASSERT_EQ(r.documents.size(), 1u);
    EXPECT_EQ(r.documents[0].entryIndex, 1u);
    EXPECT_EQ(r.documents[0].body, "last");
    EXPECT_TRUE(r.rejections.empty());
}

TEST(PlanContract, TheHostRefusesAPluginThatBreaksTheContract) {
    const char* expected[] = {"", "outcome kind 1 for entry 0", "a rejection for entry 7 of a batch of 2",
                              "entry 0 has documents and a rejection", "a document for entry 9 of a batch of 2"};
    for (int breach = 0; breach <= 4; ++breach) {
        g_breach = breach;
        testkit::MemoryHost host;
        PluginClient client(&kBreaching, host, "c-plugin");
        client.configure({});
        if (breach == 0) {
            const PlanResult r = client.plan({entry("a"), entry("b")});
            EXPECT_EQ(r.rejections.size(), 1u);
            continue;
        }
        try {
            client.plan({entry("a"), entry("b")});
            ADD_FAILURE() << "breach " << breach << " accepted";
        } catch (const CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_INTERNAL);
            EXPECT_NE(std::string(e.what()).find(expected[breach]), std::string::npos) << e.what();
        }
    }
}
