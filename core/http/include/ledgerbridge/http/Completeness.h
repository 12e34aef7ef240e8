// Is a response body whole? A connection that ends early can leave a body that looks like an
// answer: Poco reads a fixed-length body to the end of the stream without complaint, and a
// proxy may cut a JSON document mid-way. Such an answer is not the server's answer; for an
// idempotent request the ResilientClient retries it like a network error.
#pragma once

#include <string>

#include "ledgerbridge/http/HttpTransport.h"

namespace ledgerbridge::http {

/// Why `response` to a request with `method` is known to be cut short, or "" when nothing says
/// so: fewer body bytes than its Content-Length, or a JSON body (Content-Type application/json
/// or +json) whose top-level object, array or string never closes. An empty body is not judged
/// (202/204 answers may carry none); JSON that is complete but malformed is the caller's
/// ProtocolError, not a truncation.
std::string cutShort(const http::HttpResponse& response, const std::string& method);

/// True when `body` starts a JSON object, array or string that does not end within it
/// (leading whitespace skipped; escapes inside strings honoured; no recursion, any depth).
bool jsonEndsEarly(const std::string& body);

}  // namespace ledgerbridge::http
