// Pleo Export API v3 (export-api-v3.yml) and Export Items v3 (export-items-v3.yml):
// authentication (bearer tokens, API keys by Basic `key:`), company scoping, scopes, the job
// lifecycle, item updates, export items, and the receipt files behind expiring URLs.
#pragma once

#include "Http.h"
#include "State.h"

namespace lbsim {

Reply listJobs(SimState& s, const Request& req);
Reply createJob(SimState& s, const Request& req);
Reply getJob(SimState& s, const Request& req, const std::string& jobId);
Reply listJobItems(SimState& s, const Request& req, const std::string& jobId);
Reply updateJobItems(SimState& s, const Request& req, const std::string& jobId);
Reply createJobEvent(SimState& s, const Request& req);
Reply listExportItems(SimState& s, const Request& req);
/// GET /v3/export-job-items?accounting_entry_id= (internal in the spec, linked from _links.api).
Reply getJobItemByEntry(SimState& s, const Request& req);
Reply getFile(SimState& s, const Request& req, const std::vector<std::string>& segments);

/// Renders ExportJobV3 including companyId. Caller holds s.mutex.
Poco::JSON::Object::Ptr jobJson(SimState& s, const Job& job);
/// Creates a pending job and publishes v1.export-job.created. Caller holds s.mutex.
Job& createJobAndNotify(SimState& s, int company, std::vector<std::uint32_t> items, bool interactive,
                        bool vendorBased, const std::string& createdBy);

}  // namespace lbsim
