// One connection's Pleo side: see PleoConnection.h.
#include "ledgerbridge/host/PleoConnection.h"

namespace ledgerbridge::host {

PleoConnection::PleoConnection(const config::Config& config, const std::string& name, store::StateStore& store,
                               pleo::ClientOptions options)
    : auth_(std::make_unique<oauth::ConnectionAuth>(config, name, store)) {
    const config::EnvironmentProfile& profile = auth_->profile();
    options.requestsPerMinute = profile.requestsPerMinute;
    exports_ = std::make_unique<pleo::ExportsClient>(profile, auth_->source(), options);
    api_ = std::make_unique<pleo::PleoApi>(profile.apiUrl, exports_->http(), auth_->source());
}

PleoConnection::~PleoConnection() = default;

}  // namespace ledgerbridge::host
