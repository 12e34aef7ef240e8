// Where the host may send a plugin's target bearer token. A plugin asks for the token with
// HttpRequest::useTargetToken; the host adds "Authorization: Bearer …" only when the request's
// URL is on a host the plugin declared for its target (manifest tokenHosts, ABI 1.1) — or, when
// the connection sets target.token_hosts, on one of those instead (a test double, a private
// deployment). Any other URL — one a plugin took from a response, a setting or a bug — is
// refused before anything is sent, so the token never leaves for a host nobody declared.
//
// Hosts are compared as the transport connects: Poco::URI's host (case-insensitive, without a
// trailing dot) and port (a declared "host" means https on 443; plain http needs its port
// listed). User info, paths
// and look-alike names ("api.xero.com.evil.example") never match.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/HostPort.h"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::host {

class TargetTokenHosts {
public:
    /// The connection's target.token_hosts when set, else the manifest's tokenHosts. A malformed
    /// manifest entry is ignored (it can match nothing) and named by describe().
    static TargetTokenHosts of(const config::Connection& connection, const sdk::Manifest& manifest);

    /// `entries` as written ("host" or "host:port"); `source` says where they came from (messages).
    TargetTokenHosts(const std::vector<std::string>& entries, std::string source);

    /// nullopt when `url` may carry the token; else why not, naming the URL's host and port
    /// (never its path or query) and the declared hosts.
    std::optional<std::string> refusal(const std::string& url) const;

    /// "api.xero.com, 127.0.0.1:8443 (from …)" or "none (…)", for messages.
    std::string describe() const;

private:
    std::vector<config::HostPort> hosts_;
    std::vector<std::string> written_;
    std::string source_;
};

}  // namespace ledgerbridge::host
