// The OAuth 2.0 authorisation server as Pleo runs it: authorization code + PKCE (S256 only)
// with exact redirect URI match, a real HTML login/consent page, a token endpoint with
// rotating refresh tokens (a replayed one revokes the grant), and RFC 7662 introspection.
#pragma once

#include "Http.h"
#include "State.h"

namespace lbsim {

Reply authorizeGet(SimState& s, const Request& req);
Reply authorizePost(SimState& s, const Request& req);
Reply token(SimState& s, const Request& req);
Reply introspect(SimState& s, const Request& req);

}  // namespace lbsim
