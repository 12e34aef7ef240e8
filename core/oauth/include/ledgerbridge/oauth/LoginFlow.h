// `auth login` as a library: the authorization code flow with PKCE for one connection, from
// the CSPRNG verifier and state to a sealed grant in the store bound to the environment
// fingerprint. The person's browser is the only part not done here: the flow prints the URL
// and calls an opener ($BROWSER or xdg-open, see BrowserOpener.h; tests drive the simulator's
// pages instead). The browser's last page is written once the outcome is known.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"
#include "ledgerbridge/oauth/BrowserOpener.h"
#include "ledgerbridge/oauth/LoopbackReceiver.h"
#include "ledgerbridge/oauth/TokenCrypto.h"
#include "ledgerbridge/oauth/TokenManager.h"
#include "ledgerbridge/store/Grants.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::oauth {

struct LoginOptions {
    /// Called with the authorization URL after it was printed; what it returns is told to the
    /// person (opened with which command, or why not). Empty: do not open anything.
    std::function<BrowserLaunch(const std::string& url)> openBrowser;
    /// Read the redirect URL from `pasteInput` instead of listening on the loopback address.
    bool paste = false;
    std::istream* pasteInput = nullptr;  ///< not owned; required with `paste`
    std::chrono::seconds timeout{300};   ///< how long to wait for the redirect
    /// Before sending the person to the browser, GET the authorization URL once without
    /// following redirects, so that a refused client id, redirect URI or scope is reported at
    /// once instead of as a timeout.
    bool preflight = true;
};

struct LoginResult {
    store::GrantRecord grant;  ///< as stored (tokens sealed)
    Introspection introspection;
};

/// What one login is for. Pleo's side (the connection's own grant) checks the granted subject
/// by introspection; a target system's side (an ERP such as Xero, run by the host for the
/// plugin) stores the grant under the plugin's kind and the target fingerprint.
struct LoginSpec {
    std::string title;            ///< "'acme' (staging)", shown in the instructions
    std::string redirectUri, scopes, clientId;
    GrantKey key;                 ///< where the grant is stored (kind "pleo" or the plugin's name)
    std::string command;          ///< the command that starts over, quoted in messages
    std::string redirectHint;     ///< where the redirect URI is configured, e.g. "[environment.sim]"
    bool introspect = true;       ///< ask the introspection endpoint and check the subject
    std::string expectedSubject;  ///< a company id the introspected subject must contain ("" = any)
};

/// The spec of a Pleo login for `connection` in the active environment.
LoginSpec pleoLoginSpec(const config::Config& config, const config::Connection& connection);

class LoginFlow {
public:
    /// A login for any provider described by `spec`. Nothing is owned.
    LoginFlow(LoginSpec spec, AuthorizationServerClient& client, store::StateStore& store, const TokenCrypto& crypto,
              std::ostream& out);
    /// Nothing is owned; everything must outlive the flow. `out` receives the instructions.
    LoginFlow(const config::Config& config, const config::Connection& connection, AuthorizationServerClient& client,
              store::StateStore& store, const TokenCrypto& crypto, std::ostream& out);

    /// Runs the whole flow. Throws AuthError with a specific sentence (access denied,
    /// invalid_scope, state mismatch, timeout, wrong client secret, wrong redirect URI, PKCE
    /// mismatch, expired code, subject for another company), UsageError (api_key connection,
    /// nothing pasted), ConfigError, IoError (port taken), NetworkError.
    LoginResult run(const LoginOptions& options);

private:
    /// From the redirect to the stored grant: state, errors, code exchange, company check.
    LoginResult complete(const RedirectParameters& redirect, const std::string& state, const std::string& verifier);

    LoginSpec spec_;
    const config::Config* config_ = nullptr;          ///< Pleo logins: for binding the connection
    const config::Connection* connection_ = nullptr;
    AuthorizationServerClient& client_;
    store::StateStore& store_;
    const TokenCrypto& crypto_;
    std::ostream& out_;
};

}  // namespace ledgerbridge::oauth
