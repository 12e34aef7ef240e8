// Where the target's bearer token may go: only to declared hosts, compared as the transport
// connects (Poco::URI host and port), never to look-alikes, user-info tricks or other ports.
#include "ledgerbridge/host/TargetTokenHosts.h"

#include <gtest/gtest.h>

using namespace ledgerbridge;
using host::TargetTokenHosts;

namespace {
sdk::Manifest xeroLike() {
    sdk::Manifest m;
    m.name = "xero";
    m.tokenHosts = {"api.xero.com"};
    return m;
}
config::Connection connection(std::vector<std::string> tokenHosts = {}) {
    config::Connection c;
    c.name = "acme";
    c.plugin = "xero";
    c.target.tokenHosts = std::move(tokenHosts);
    return c;
}
}  // namespace

TEST(TargetTokenHosts, TheManifestsHostsTakeTheTokenOverHttpsOn443) {
    const auto hosts = TargetTokenHosts::of(connection(), xeroLike());
    EXPECT_FALSE(hosts.refusal("https://api.xero.com/api.xro/2.0/Invoices?where=x"));
    EXPECT_FALSE(hosts.refusal("https://API.Xero.com./connections")) << "case and a trailing dot do not matter";
    EXPECT_FALSE(hosts.refusal("https://api.xero.com:443/connections"));
}

TEST(TargetTokenHosts, AnyOtherHostPortOrSchemeIsRefusedNamingTheHost) {
    const auto hosts = TargetTokenHosts::of(connection(), xeroLike());
    for (const std::string url : {"https://evil.example/collect", "https://api.xero.com.evil.example/",
                                  "https://api.xero.com@evil.example/", "https://evil.example/?to=https://api.xero.com",
                                  "https://evil.example#@api.xero.com", "https://api.xero.com:8443/",
                                  "http://api.xero.com/", "https://xero.com/", "https://identity.xero.com/connect/token",
                                  "ftp://api.xero.com/", "not a url at all", ""})
        EXPECT_TRUE(hosts.refusal(url)) << url << " would have received the token";
    const auto why = hosts.refusal("https://api.xero.com@evil.example:444/steal?secret=s3cr3t");
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("may not be sent to evil.example:444"), std::string::npos) << *why;
    EXPECT_NE(why->find("api.xero.com (from plugin 'xero''s manifest)"), std::string::npos) << *why;
    EXPECT_EQ(why->find("s3cr3t"), std::string::npos) << "the query stays out of the message: " << *why;
    EXPECT_EQ(why->find("steal"), std::string::npos) << "the path stays out of the message: " << *why;
}

TEST(TargetTokenHosts, TheConnectionsTokenHostsReplaceTheManifests) {
    const auto hosts = TargetTokenHosts::of(connection({"127.0.0.1:8443", "[::1]:9000"}), xeroLike());
    EXPECT_FALSE(hosts.refusal("http://127.0.0.1:8443/api.xro/2.0/Invoices")) << "a loopback double, port listed";
    EXPECT_FALSE(hosts.refusal("https://[::1]:9000/x"));
    EXPECT_TRUE(hosts.refusal("http://127.0.0.1:8444/")) << "another port";
    EXPECT_TRUE(hosts.refusal("https://api.xero.com/connections")) << "replaced, not added to";
    EXPECT_NE(hosts.refusal("https://api.xero.com/")->find("(from target.token_hosts of [connection.acme])"),
              std::string::npos);
}

TEST(TargetTokenHosts, APluginThatDeclaresNoHostsGetsTheTokenNowhere) {
    sdk::Manifest old = xeroLike();
    old.tokenHosts.clear();  // built against the SDK before ABI 1.1
    const auto why = TargetTokenHosts::of(connection(), old).refusal("https://api.xero.com/connections");
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("none (from plugin 'xero''s manifest)"), std::string::npos) << *why;
    EXPECT_NE(why->find("list it in target.token_hosts"), std::string::npos) << *why;
}

TEST(TargetTokenHosts, AMalformedManifestEntryMatchesNothingAndIsNamed) {
    sdk::Manifest m = xeroLike();
    m.tokenHosts = {"https://api.xero.com/", "*.xero.com"};
    const auto why = TargetTokenHosts::of(connection(), m).refusal("https://api.xero.com/");
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("https://api.xero.com/ (malformed, ignored), *.xero.com (malformed, ignored)"), std::string::npos)
        << *why;
}

TEST(HostPort, ParsesHostsAndPortsAndRefusesAnythingElse) {
    auto hp = config::parseHostPort("API.Xero.com.");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "api.xero.com");
    EXPECT_EQ(hp->port, 0);
    hp = config::parseHostPort("127.0.0.1:8443");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "127.0.0.1");
    EXPECT_EQ(hp->port, 8443);
    hp = config::parseHostPort("[::1]:9000");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "::1");
    EXPECT_EQ(hp->port, 9000);
    for (const std::string bad : {"", "https://api.xero.com", "api.xero.com/path", "user@api.xero.com", "*.xero.com",
                                  "api.xero.com:", "api.xero.com:0", "api.xero.com:70000", "api..xero.com", ".xero.com",
                                  "[::1", "[]:80", "a b", "api.xero.com:443:1"})
        EXPECT_FALSE(config::parseHostPort(bad)) << bad;
}
