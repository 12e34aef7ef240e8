// One connection's Pleo side, assembled from the configuration: its credential
// (ConnectionAuth), the export client (ExportsClient, which owns the rate limiter and the
// resilient HTTP client) and a PleoApi on that same client for the integration's other APIs —
// so exports, master data and installation calls share one rate budget, one Retry-After and
// one token refresh. Used by `ledgerbridge auth status/disconnect`, the run and the sync.
#pragma once

#include <memory>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/pleo/ExportsClient.h"
#include "ledgerbridge/pleo/PleoApi.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::host {

class PleoConnection {
public:
    /// `config` and `store` must outlive this object. `options` (retries, timeout, cancel)
    /// apply as given, except the rate, which is the environment's. Throws like ConnectionAuth.
    PleoConnection(const config::Config& config, const std::string& connection, store::StateStore& store,
                   pleo::ClientOptions options = {});
    ~PleoConnection();

    const config::Connection& connection() const { return auth_->connection(); }
    oauth::ConnectionAuth& auth() { return *auth_; }
    pleo::ExportsClient& exports() { return *exports_; }
    pleo::PleoApi& api() { return *api_; }
    bool usesApiKey() const { return connection().credential == "api_key"; }

private:
    std::unique_ptr<oauth::ConnectionAuth> auth_;
    std::unique_ptr<pleo::ExportsClient> exports_;
    std::unique_ptr<pleo::PleoApi> api_;
};

}  // namespace ledgerbridge::host
