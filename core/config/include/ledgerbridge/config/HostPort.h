// "host" or "host:port" as written in target.token_hosts and in a plugin's manifest
// (tokenHosts): the hosts a target's bearer token may be sent to.
#pragma once

#include <optional>
#include <string>

namespace ledgerbridge::config {

struct HostPort {
    std::string host;  ///< lower case, without a trailing dot; an IPv6 address without brackets
    int port = 0;      ///< 0 = not written: https on port 443
};

/// Parses "api.xero.com", "127.0.0.1:8443" or "[::1]:8443". Host names are letters, digits, '-'
/// and '.'; no scheme, user, path or wildcard. Returns nullopt when `text` is not of that shape.
std::optional<HostPort> parseHostPort(const std::string& text);

}  // namespace ledgerbridge::config
