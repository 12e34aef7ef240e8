// Everything one running simulator knows, in one place. `mutex` guards catalog-independent
// mutable state (tokens, jobs, auto-approve settings); Counters, Faults and Webhooks lock
// themselves. Handlers take the lock for the whole request: simple and plenty fast for tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "Catalog.h"
#include "Clock.h"
#include "Counters.h"
#include "EntryBook.h"
#include "Faults.h"
#include "Installations.h"
#include "ItemGenerator.h"
#include "JobStartTimes.h"
#include "JobStore.h"
#include "MasterData.h"
#include "Options.h"
#include "Receipts.h"
#include "RequestAudit.h"
#include "TokenStore.h"
#include "Webhooks.h"

namespace lbsim {

struct SimState {
    explicit SimState(const Options& o)
        : options(o),
          clock(o.timeScale),
          catalog(o.seed, o.companies),
          generator(catalog, o.items, o.invalidRate),
          receipts(),
          tokens(o.tokenTtl, o.refreshTtl),
          jobs(o.companies, o.items, o.jobTtl),
          entries(o.companies, o.items),
          masterData(catalog),
          faults(o.faultRate, o.faults, o.faultSeed, o.rateLimit, o.slowMs),
          autoApprove(o.autoApprove),
          contraMissing(static_cast<std::size_t>(o.companies), false) {
        if (!o.validateRequestsDir.empty()) audit = std::make_unique<RequestAudit>(o.validateRequestsDir);
        webhooks.onFirstAttempt([this](const std::string& jobId) { jobStarts.webhookSent(jobId); });
    }

    Options options;
    Clock clock;
    Catalog catalog;
    ItemGenerator generator;
    Receipts receipts;
    TokenStore tokens;
    JobStore jobs;
    JobStartTimes jobStarts;  // declared before webhooks: the delivery thread reports into it
    EntryBook entries;
    Installations installations;
    MasterData masterData;
    Counters counters;
    Faults faults;
    Webhooks webhooks;
    std::mutex mutex;
    bool autoApprove;
    int autoApproveCompany = 0;
    std::vector<bool> contraMissing;
    std::unique_ptr<RequestAudit> audit;  // --validate-requests; nullptr when off  // per company: admin switched contra accounts "unconfigured"
};

/// Registers the --client-* demo client (also after /admin/reset).
void registerDemoClient(SimState& s);

}  // namespace lbsim
