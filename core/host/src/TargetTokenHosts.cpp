// Which hosts may receive the target's bearer token: see TargetTokenHosts.h.
#include "ledgerbridge/host/TargetTokenHosts.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

namespace ledgerbridge::host {

TargetTokenHosts TargetTokenHosts::of(const config::Connection& connection, const sdk::Manifest& manifest) {
    if (!connection.target.tokenHosts.empty())
        return TargetTokenHosts(connection.target.tokenHosts,
                                "target.token_hosts of [connection." + connection.name + "]");
    return TargetTokenHosts(manifest.tokenHosts, "plugin '" + manifest.name + "''s manifest");
}

TargetTokenHosts::TargetTokenHosts(const std::vector<std::string>& entries, std::string source)
    : source_(std::move(source)) {
    for (const std::string& e : entries) {
        if (auto hp = config::parseHostPort(e)) {
            hosts_.push_back(*hp);
            written_.push_back(e);
        } else {
            written_.push_back(e + " (malformed, ignored)");
        }
    }
}

std::string TargetTokenHosts::describe() const {
    std::string list;
    for (const std::string& w : written_) list += (list.empty() ? "" : ", ") + w;
    return (list.empty() ? std::string("none") : list) + " (from " + source_ + ")";
}

std::optional<std::string> TargetTokenHosts::refusal(const std::string& url) const {
    std::string host;
    unsigned short port = 0;
    std::string scheme;
    try {
        const Poco::URI uri(url);
        scheme = Poco::toLower(uri.getScheme());
        host = Poco::toLower(uri.getHost());
        port = uri.getPort();
    } catch (const Poco::Exception&) {
        return "the URL cannot be parsed, so it cannot be checked against the hosts the target token may go to (" +
               describe() + ")";
    }
    if (scheme != "https" && scheme != "http")
        return "the URL's scheme is '" + scheme + "', not https; the target token goes only to " + describe();
    if (!host.empty() && host.back() == '.') host.pop_back();
    // A declared "host" is https on 443; plain http (a loopback double) needs its port listed.
    for (const config::HostPort& h : hosts_)
        if (h.host == host && (h.port == 0 ? scheme == "https" && port == 443 : port == h.port)) return std::nullopt;
    const bool v6 = host.find(':') != std::string::npos;
    const std::string named = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    return "the target's token may not be sent to " + named + ": it goes only to the hosts declared for the target, " +
           describe() + ". If " + named + " is the target's API, list it in target.token_hosts";
}

}  // namespace ledgerbridge::host
