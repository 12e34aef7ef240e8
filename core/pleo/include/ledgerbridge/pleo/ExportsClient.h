// Pleo's Export API v3 and Export Items v3 (../shared/reference/pleo-openapi) as the export
// engine's PleoExports port. Every call goes through the host's ResilientClient (rate limit,
// retries, Retry-After) with the connection's credential; a 401 asks the credential for a new
// one once and retries once. Error statuses become the engine's errors with Pleo's own error
// type and message in them (bodies are redacted and cut short, never echoed whole).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/export/Ports.h"
#include "ledgerbridge/http/ResilientClient.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"

namespace ledgerbridge::pleo {

struct ClientOptions {
    int requestsPerMinute = 500;      ///< below Pleo's 600/min
    http::RetryOptions retry;
    int timeoutSeconds = 60;
    const std::atomic<bool>* cancel = nullptr;
};

/// "urn:pleo:company:<uuid>" or "<uuid>" → "<uuid>" (the API's query and body form).
std::string companyUuid(const std::string& companyId);

class ExportsClient : public exporter::PleoExports {
public:
    /// `profile` gives the API base and TLS settings; `auth` is not owned.
    ExportsClient(const config::EnvironmentProfile& profile, oauth::AuthorizationSource& auth, ClientOptions options = {});
    /// For tests: a given transport (not owned).
    ExportsClient(std::string apiBase, http::HttpTransport& transport, oauth::AuthorizationSource& auth,
                  ClientOptions options = {});
    ~ExportsClient() override;

    std::vector<exporter::JobInfo> listJobs(const std::string& companyId, const std::vector<std::string>& statuses) override;
    exporter::JobInfo getJob(const std::string& jobId) override;
    exporter::JobInfo createJob(const std::string& companyId, const std::vector<std::string>& entryIds) override;
    void postEvent(const std::string& jobId, const std::string& event, const std::string& failureReasonType,
                   const std::string& failureReason) override;
    exporter::ItemPage exportItems(const std::string& jobId, const std::string& cursor, int limit) override;
    exporter::JobItemPage jobItems(const std::string& jobId, const std::string& cursor, int limit) override;
    void putResults(const std::string& jobId, const std::vector<exporter::ItemResult>& results) override;
    std::string download(const std::string& url) override;
    std::int64_t requestCount() const override;

    /// The underlying client (counters; plugins' target requests share the transport's TLS).
    http::ResilientClient& http() { return *client_; }

private:
    http::HttpResponse call(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                            bool idempotent);

    std::string apiBase_;
    std::unique_ptr<http::HttpTransport> ownedTransport_;
    http::HttpTransport* transport_;
    oauth::AuthorizationSource& auth_;
    ClientOptions options_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<http::ResilientClient> client_;
};

}  // namespace ledgerbridge::pleo
