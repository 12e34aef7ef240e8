// The authorization code + PKCE login of one connection: see LoginFlow.h.
#include "ledgerbridge/oauth/LoginFlow.h"

#include <Poco/String.h>

#include <istream>
#include <ostream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/LoginPage.h"
#include "ledgerbridge/oauth/LoopbackReceiver.h"
#include "ledgerbridge/oauth/Pkce.h"
#include "ledgerbridge/store/Connections.h"

namespace ledgerbridge::oauth {

LoginSpec pleoLoginSpec(const config::Config& config, const config::Connection& connection) {
    const config::EnvironmentProfile& profile = config.activeProfile();
    config::Fingerprint fp = config::environmentFingerprint(profile, connection.companyId);
    LoginSpec spec;
    spec.title = "'" + connection.name + "' (" + profile.name + ")";
    spec.redirectUri = profile.redirectUri;
    spec.scopes = profile.scopes;
    spec.clientId = profile.clientId;
    spec.key = {connection.name, fp.value, fp.description, "pleo"};
    spec.command = "ledgerbridge auth login --connection " + connection.name;
    spec.redirectHint = "[environment." + profile.name + "]";
    spec.introspect = true;
    spec.expectedSubject = connection.companyId;
    return spec;
}

LoginFlow::LoginFlow(const config::Config& config, const config::Connection& connection,
                     AuthorizationServerClient& client, store::StateStore& store, const TokenCrypto& crypto,
                     std::ostream& out)
    : spec_(pleoLoginSpec(config, connection)),
      config_(&config),
      connection_(&connection),
      client_(client),
      store_(store),
      crypto_(crypto),
      out_(out) {}

LoginFlow::LoginFlow(LoginSpec spec, AuthorizationServerClient& client, store::StateStore& store, const TokenCrypto& crypto,
                     std::ostream& out)
    : spec_(std::move(spec)), client_(client), store_(store), crypto_(crypto), out_(out) {}

LoginResult LoginFlow::run(const LoginOptions& options) {
    const std::string& command = spec_.command;
    if (connection_ && connection_->credential != "oauth")
        throw UsageError("Connection '" + connection_->name + "' uses credential = " + connection_->credential +
                         "; it has no OAuth grant to log in to. Set credential = oauth in [connection." +
                         connection_->name + "] to use a partner app's grant instead.");
    const std::string verifier = makeCodeVerifier();
    const std::string state = makeState();
    const std::string url = client_.authorizeUrl(spec_.redirectUri, spec_.scopes, state, codeChallengeS256(verifier));
    std::unique_ptr<LoopbackReceiver> receiver;
    if (!options.paste) receiver = std::make_unique<LoopbackReceiver>(spec_.redirectUri, state);
    if (options.preflight) client_.preflightAuthorize(url, spec_.redirectUri, spec_.scopes, command);
    out_ << "To connect " << spec_.title << ", open this address in a browser and approve access:\n\n  " << url << "\n\n";
    out_.flush();
    if (options.openBrowser) {
        BrowserLaunch launched = options.openBrowser(url);
        if (launched.opened)
            out_ << "Opened it in a browser (" << launched.command << "). Approve access there.\n";
        else
            out_ << "Could not open a browser (" << launched.reason << "). Open the address above in a browser yourself.\n";
    } else if (!options.paste) {
        out_ << "Open the address above in a browser.\n";
    }
    if (options.paste)
        out_ << "After approving, the browser is sent to " << spec_.redirectUri
             << "?code=... (the page may fail to load; that is expected). Paste that whole address here and press "
                "Enter:\n";
    else
        out_ << "Waiting up to " << options.timeout.count() << " seconds for the browser to come back to "
             << spec_.redirectUri << " ...\n";
    out_.flush();
    RedirectParameters redirect;
    if (options.paste) {
        std::string line;
        if (!options.pasteInput || !std::getline(*options.pasteInput, line) || line.empty())
            throw UsageError("Nothing was pasted. Run `" + command +
                             " --paste` again and paste the full address the browser was redirected to.");
        redirect = parseRedirectUrl(line);
    } else {
        // Only a redirect with this login's state arrives here: the listener answers every
        // other request with an error page and keeps waiting.
        auto got = receiver->wait(options.timeout);
        if (!got)
            throw AuthError("No authorization arrived at " + spec_.redirectUri + " within " +
                            std::to_string(options.timeout.count()) + (options.timeout.count() == 1 ? " second" : " seconds") +
                            ". Run `" + command +
                            "` again and approve access in the browser (use --timeout SECONDS for more time, or "
                            "--paste when the browser runs on another machine). If the browser showed an error "
                            "about the redirect URI, set the redirect URI in " + spec_.redirectHint +
                            " to the one registered for your OAuth client.");
        redirect = *got;
    }
    // The browser that delivered the redirect waits for the outcome: told the truth either way.
    try {
        LoginResult result = complete(redirect, state, verifier);
        if (receiver)
            receiver->respond(loginSucceededPage(spec_.title, result.introspection.subject.empty()
                                                                   ? spec_.expectedSubject
                                                                   : result.introspection.subject));
        return result;
    } catch (const std::exception& e) {
        if (receiver) receiver->respond(loginFailedPage(redact(e.what()), command));
        throw;
    }
}

LoginResult LoginFlow::complete(const RedirectParameters& redirect, const std::string& state, const std::string& verifier) {
    const std::string& command = spec_.command;
    // A redirect for another attempt is refused first, even when it carries an error (some
    // servers omit `state` on errors; those are reported as they are, nothing is exchanged).
    // The listener lets only this login's state through; a pasted address can carry any.
    const bool stateMatches = redirect.get("state") == state;
    if (redirect.has("error") && (stateMatches || !redirect.has("state")))
        throwAuthorizationError(redirect.get("error"), redirect.get("error_description"), spec_.redirectHint, spec_.scopes,
                                command);
    if (!stateMatches)
        throw AuthError("The redirect's state parameter does not match this login attempt, so its code was not used "
                        "(it may come from an older attempt or from another site). Run `" + command +
                        "` again and finish it in the browser window that attempt opens.");
    const std::string code = redirect.get("code");
    if (code.empty())
        throw AuthError("The redirect carries no authorization code. Run `" + command + "` again.");
    TokenResponse tokens = client_.exchangeCode(code, spec_.redirectUri, verifier, command);
    Introspection info;
    if (spec_.introspect) {
        info = client_.introspect(tokens.accessToken);
        if (!info.active)
            throw AuthError("The authorization server reports the new access token as inactive right after issuing it. Run `" +
                            command + "` again; if it keeps happening, check the server's clock and the client's settings.");
        if (!info.subject.empty() && !spec_.expectedSubject.empty() &&
            Poco::toLower(info.subject).find(Poco::toLower(spec_.expectedSubject)) == std::string::npos)
            throw AuthError("Access was granted for " + info.subject + ", but connection '" + spec_.key.connection +
                            "' is configured for company " + spec_.expectedSubject + ". Run `" + command +
                            "` again and choose that company on the consent page, or fix company_id in [connection." +
                            spec_.key.connection + "].");
    } else {
        info.active = true;
    }
    SealContext ctx{spec_.key.connection, spec_.key.fingerprint, spec_.key.kind};
    const std::int64_t now = store::nowMs();
    store::GrantRecord g;
    g.connection = spec_.key.connection;
    g.fingerprint = spec_.key.fingerprint;
    g.kind = spec_.key.kind;
    g.subject = info.subject;
    g.scopes = !info.scope.empty() ? info.scope : (!tokens.scope.empty() ? tokens.scope : spec_.scopes);
    g.clientId = spec_.clientId;
    g.accessToken = crypto_.seal(tokens.accessToken, ctx);
    g.refreshToken = tokens.refreshToken.empty() ? std::string() : crypto_.seal(tokens.refreshToken, ctx);
    g.accessExpiresAt = now + (tokens.expiresIn > 0 ? tokens.expiresIn : 3600) * 1000;
    g.obtainedAt = now;
    g.lastRefreshAt = 0;
    store::Grants grants(store_);
    grants.put(g);
    if (config_ && connection_)
        store::Connections(store_).bind({connection_->name, g.fingerprint, config_->activeProfile().name,
                                         spec_.key.fingerprintDescription, connection_->companyId, connection_->plugin, now});
    log::info("Stored a new grant for connection '" + spec_.key.connection + "'" +
                  (spec_.key.kind == "pleo" ? std::string() : " (target " + spec_.key.kind + ")") + ".",
              {{"subject", info.subject}, {"scopes", g.scopes}, {"fingerprint", g.fingerprint}});
    LoginResult result;
    result.grant = grants.find(g.connection, g.fingerprint, g.kind).value_or(g);
    result.introspection = info;
    return result;
}

}  // namespace ledgerbridge::oauth
