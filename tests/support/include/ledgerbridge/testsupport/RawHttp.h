// HTTP as it is on the wire, for tests that check what a client library would hide or mend.
#pragma once

#include <string>

namespace ledgerbridge::testsupport {

/// Sends `METHOD PATH HTTP/1.1` (empty body, Connection: close) to 127.0.0.1:`port` over a plain
/// socket and returns the status line exactly as received, e.g. "HTTP/1.1 404 Not Found".
/// Throws Poco::Exception when nothing can be read within 10 seconds.
std::string rawStatusLine(int port, const std::string& method, const std::string& path);

}  // namespace ledgerbridge::testsupport
