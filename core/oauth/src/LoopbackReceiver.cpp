// The loopback redirect listener: see LoopbackReceiver.h.
#include "ledgerbridge/oauth/LoopbackReceiver.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <condition_variable>
#include <mutex>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::oauth {
namespace {

// Poco decodes %XX escapes as it splits the query and throws its own SyntaxException on a
// broken one ("%zz", a lone "%"); callers get a UsageError that says what to do instead.
RedirectParameters parseQuery(const std::string& rawQuery) {
    RedirectParameters p;
    try {
        Poco::URI u;
        u.setRawQuery(rawQuery);
        for (const auto& [k, v] : u.getQueryParameters()) p.values.emplace(k, v);
    } catch (const Poco::SyntaxException&) {
        // Poco's message quotes the query, which holds the authorization code: not repeated.
        throw UsageError("The redirect's query is not valid URL encoding (a '%' not followed by two hex digits). "
                         "Use the address exactly as the browser shows it after you approved access.");
    }
    return p;
}

}  // namespace

std::optional<RedirectParameters> parseRedirectTarget(const std::string& target, const std::string& path) {
    Poco::URI uri;
    try {
        uri = Poco::URI(target);
    } catch (const Poco::SyntaxException&) {
        throw UsageError("The request to the login listener is not a valid URI (not valid URL encoding).");
    }
    if (uri.getPath() != path) return std::nullopt;
    return parseQuery(uri.getRawQuery());
}

RedirectParameters parseRedirectUrl(const std::string& text) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(0, 1);
    auto q = t.find('?');
    std::string query = q == std::string::npos ? t : t.substr(q + 1);
    auto hash = query.find('#');
    if (hash != std::string::npos) query = query.substr(0, hash);
    RedirectParameters p = parseQuery(query);
    if (!p.has("code") && !p.has("error"))
        throw UsageError("The pasted text is not a redirect URL with a 'code' or 'error' parameter. Paste the full "
                         "address the browser was sent to after you approved access (it starts with the redirect URI).");
    return p;
}

struct LoopbackReceiver::Impl {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<RedirectParameters> result;
    std::string path, state;
    bool claimed = false;           ///< a browser request with our state waits for the outcome
    std::optional<LoginPage> page;  ///< that outcome, once the login has one
    bool pageWritten = false;
    std::unique_ptr<Poco::Net::HTTPServer> server;

    void offer(const RedirectParameters& p) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (result) return;
            result = p;
        }
        cv.notify_all();
    }
};

namespace {

// How long the browser request that delivered the redirect is held open for the outcome. The
// login's token exchange and introspection have their own (shorter) timeouts; this only
// bounds a handler thread if the flow never answers.
constexpr std::chrono::minutes kHoldForOutcome{10};
// How long the receiver's destructor waits for that page to reach the socket.
constexpr std::chrono::seconds kWaitForPageWritten{5};

// `state` is compared in constant time: the listener is reachable by any local process.
bool sameState(const std::string& a, const std::string& b) {
    if (a.size() != b.size() || a.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

void sendPage(Poco::Net::HTTPServerResponse& response, const LoginPage& page) {
    // setStatusAndReason: setStatus alone keeps the reason phrase of the default 200 ("400 OK").
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(page.status));
    for (const auto& [name, value] : loginPageHeaders()) response.set(name, value);
    response.setKeepAlive(false);
    const std::string html = renderLoginPage(page);
    response.sendBuffer(html.data(), html.size());
}

/// The page for a request that does not end the login. `stillWaiting`: the login goes on.
LoginPage strayPage(int status, const std::string& title, const std::string& why, bool stillWaiting = true) {
    LoginPage page;
    page.status = status;
    page.title = title;
    page.paragraphs.push_back(why);
    page.paragraphs.push_back(stillWaiting ? "ledgerbridge ignored this request. The login in the terminal is still waiting "
                                             "for the authorization server to send the browser back; finish it in the "
                                             "window that login opened."
                                           : "ledgerbridge ignored this request.");
    return page;
}

class CallbackHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit CallbackHandler(std::weak_ptr<LoopbackReceiver::Impl> impl) : impl_(std::move(impl)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    std::weak_ptr<LoopbackReceiver::Impl> impl_;
};

void CallbackHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    using Status = Poco::Net::HTTPResponse;
    auto impl = impl_.lock();
    if (!impl) {
        sendPage(response, strayPage(Status::HTTP_SERVICE_UNAVAILABLE, "This login has ended",
                                     "The login this address belonged to is over.", false));
        return;
    }
    std::optional<RedirectParameters> parsed;
    try {
        parsed = parseRedirectTarget(request.getURI(), impl->path);
    } catch (const UsageError&) {
        sendPage(response, strayPage(Status::HTTP_BAD_REQUEST, "Not a redirect ledgerbridge can read",
                                     "Its address is not valid URL encoding. If it came from the authorization server, "
                                     "paste the address in the terminal instead (ledgerbridge auth login --paste)."));
        return;
    }
    if (!parsed) {
        log::debug("The login listener ignored a request for another path.", {{"path", Poco::URI(request.getURI()).getPath()}});
        sendPage(response, strayPage(Status::HTTP_NOT_FOUND, "Nothing here",
                                     "This is ledgerbridge's login listener; nothing lives at this address."));
        return;
    }
    if (request.getMethod() != "GET") {
        response.set("Allow", "GET");
        sendPage(response, strayPage(Status::HTTP_METHOD_NOT_ALLOWED, "Method not allowed",
                                     "The authorization server sends the browser here with GET only."));
        return;
    }
    if (!sameState(parsed->get("state"), impl->state)) {
        // Its query is not logged: it may hold an authorization code.
        log::warn("The login listener ignored a redirect without this login's state (from an older attempt or from "
                  "another site); still waiting for the real one.");
        sendPage(response, strayPage(Status::HTTP_BAD_REQUEST, "Not the login ledgerbridge is waiting for",
                                     "This redirect does not carry the state of the login now waiting (it comes from an "
                                     "older attempt, a bookmark or history entry, or another site)."));
        return;
    }
    {
        std::unique_lock<std::mutex> lock(impl->mutex);
        if (impl->result) {
            lock.unlock();
            sendPage(response, strayPage(Status::HTTP_CONFLICT, "Already received",
                                         "This login already received its answer (a reload, or a second tab); the "
                                         "terminal and the first window show the outcome.",
                                         false));
            return;
        }
        impl->result = parsed;
        impl->claimed = true;
        impl->cv.notify_all();
        // The browser waits for the truth: the page comes from the flow once the code was
        // exchanged and the grant checked (respond()), or from the destructor.
        impl->cv.wait_for(lock, kHoldForOutcome, [&] { return impl->page.has_value(); });
        if (!impl->page) {
            LoginPage late = loginFailedPage("ledgerbridge did not finish the login in time.", "");
            late.status = Status::HTTP_GATEWAY_TIMEOUT;
            late.paragraphs.back() = "The terminal shows what happened.";
            impl->page = late;
        }
    }
    try {
        sendPage(response, *impl->page);
    } catch (const Poco::Exception&) {
        // The browser went away; the terminal still has the outcome.
    }
    {
        std::lock_guard<std::mutex> lock(impl->mutex);
        impl->pageWritten = true;
    }
    impl->cv.notify_all();
}

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::weak_ptr<LoopbackReceiver::Impl> impl) : impl_(std::move(impl)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new CallbackHandler(impl_);
    }

private:
    std::weak_ptr<LoopbackReceiver::Impl> impl_;
};

}  // namespace

LoopbackReceiver::LoopbackReceiver(const std::string& redirectUri, const std::string& expectedState)
    : impl_(std::make_shared<Impl>()) {
    impl_->state = expectedState;
    Poco::URI uri;
    try {
        uri = Poco::URI(redirectUri);
    } catch (const Poco::Exception&) {
        throw ConfigError("The redirect URI '" + redirectUri + "' is not a valid URI.");
    }
    const std::string& host = uri.getHost();
    if (uri.getScheme() != "http" || (host != "127.0.0.1" && host != "localhost") || uri.getPort() == 0)
        throw ConfigError("The redirect URI '" + redirectUri +
                          "' must be a loopback address such as http://127.0.0.1:8765/callback for the login listener.");
    impl_->path = uri.getPath().empty() ? "/" : uri.getPath();
    Poco::Net::ServerSocket socket;
    try {
        // SO_REUSEADDR (a previous login's TIME_WAIT must not block this one) but never
        // SO_REUSEPORT: no other process may share the port and receive our code.
        socket.bind(Poco::Net::SocketAddress("127.0.0.1", uri.getPort()), true, false);
        socket.listen(8);
    } catch (const Poco::Exception& e) {
        throw IoError("Cannot listen for the login redirect on 127.0.0.1:" + std::to_string(uri.getPort()) + " (" +
                      e.displayText() + "). Another program (or another login) is using that port; stop it and try again.");
    }
    auto params = new Poco::Net::HTTPServerParams;
    // One thread holds the redirect's request open for the outcome; others answer strays.
    params->setMaxThreads(4);
    params->setKeepAlive(false);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_), socket, params);
    impl_->server->start();
}

LoopbackReceiver::~LoopbackReceiver() {
    {
        std::unique_lock<std::mutex> lock(impl_->mutex);
        if (impl_->claimed && !impl_->page) {
            LoginPage ended = loginFailedPage("The login ended before it had an outcome.", "");
            ended.status = Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
            ended.paragraphs.back() = "The terminal shows what happened.";
            impl_->page = ended;
        }
        impl_->cv.notify_all();
        impl_->cv.wait_for(lock, kWaitForPageWritten, [&] { return !impl_->claimed || impl_->pageWritten; });
    }
    if (impl_->server) impl_->server->stopAll(true);
}

std::optional<RedirectParameters> LoopbackReceiver::wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->cv.wait_for(lock, timeout, [&] { return impl_->result.has_value(); });
    return impl_->result;
}

void LoopbackReceiver::deliver(const RedirectParameters& parameters) { impl_->offer(parameters); }

void LoopbackReceiver::respond(const LoginPage& page) {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        if (!impl_->claimed || impl_->page) return;
        impl_->page = page;
    }
    impl_->cv.notify_all();
}

}  // namespace ledgerbridge::oauth
