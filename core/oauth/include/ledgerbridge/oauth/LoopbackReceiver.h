// The loopback redirect listener of a login (RFC 8252 section 7.3): a tiny HTTP server bound
// to 127.0.0.1 at the redirect URI's port that waits for the one request to the redirect
// URI's path carrying this login's `state`, hands its query parameters back, and keeps that
// browser request open until the login has an outcome, so the page the person reads is the
// truth (the code exchanged, the company checked). Every other request (a favicon, a stale
// history entry, a redirect for another attempt or from another site) gets an error page and
// does not end the login. Also parses a redirect URL pasted by a person.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ledgerbridge/oauth/LoginPage.h"

namespace ledgerbridge::oauth {

/// The query parameters of the redirect (code, state, error, error_description, ...).
struct RedirectParameters {
    std::map<std::string, std::string> values;
    std::string get(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? std::string() : it->second;
    }
    bool has(const std::string& key) const { return values.count(key) != 0; }
};

/// Parses a full redirect URL (or just its query string). Throws UsageError saying what to
/// paste when the text has neither `code` nor `error`.
/// A query with a broken %-escape is a UsageError too.
RedirectParameters parseRedirectUrl(const std::string& text);

/// What the listener reads from a request: `target` is the request line's target
/// ("/callback?code=..."), `path` the redirect URI's path. std::nullopt when the target's path
/// is another one; UsageError when the target or its query is not valid URI syntax. Separate
/// from the server so it can be tested and fuzzed without a socket.
std::optional<RedirectParameters> parseRedirectTarget(const std::string& target, const std::string& path);

class LoopbackReceiver {
public:
    /// Starts listening at `redirectUri` (http://127.0.0.1:PORT/PATH or localhost) for the
    /// redirect whose `state` is `expectedState`. Throws ConfigError when the URI is not a
    /// loopback http URI with a port, IoError naming the port when it is taken by another program.
    LoopbackReceiver(const std::string& redirectUri, const std::string& expectedState);
    /// Answers a browser still waiting for the outcome with a page saying the login ended
    /// without one (when respond() was not called), waits briefly for it to be written, stops.
    ~LoopbackReceiver();
    LoopbackReceiver(const LoopbackReceiver&) = delete;
    LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

    /// Waits for the redirect with this login's state; std::nullopt when `timeout` passes first.
    std::optional<RedirectParameters> wait(std::chrono::milliseconds timeout);

    /// The page for the browser request that delivered the redirect (held open until now).
    /// Only the first call counts; without a waiting browser request it does nothing.
    void respond(const LoginPage& page);

    /// Gives the waiting thread a result from elsewhere (paste mode); the first result wins.
    void deliver(const RedirectParameters& parameters);

    struct Impl;  ///< implementation detail (shared with the server's request handlers)

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace ledgerbridge::oauth
