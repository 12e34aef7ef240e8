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
    std::string path;
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

class CallbackHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit CallbackHandler(std::weak_ptr<LoopbackReceiver::Impl> impl) : impl_(std::move(impl)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    std::weak_ptr<LoopbackReceiver::Impl> impl_;
};

void CallbackHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    auto impl = impl_.lock();
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    std::optional<RedirectParameters> parsed;
    try {
        if (impl) parsed = parseRedirectTarget(request.getURI(), impl->path);
    } catch (const UsageError&) {
        // A mangled redirect (bad %-escape) is not the login's answer: the login keeps waiting
        // (a good redirect or a pasted URL can still arrive) and the browser is told why.
        response.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
        response.send() << "<!doctype html><title>Bad request</title><p>ledgerbridge could not read this redirect "
                           "(its address is not valid URL encoding). Return to the terminal and paste the address "
                           "instead.</p>\n";
        return;
    }
    if (!parsed || request.getMethod() != "GET") {
        response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.send() << "<!doctype html><title>Not found</title><p>This is ledgerbridge's login listener; "
                           "nothing lives here.</p>\n";
        return;
    }
    const RedirectParameters& p = *parsed;
    bool ok = p.has("code") && !p.has("error");
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.send() << "<!doctype html><title>ledgerbridge</title><p>"
                    << (ok ? "ledgerbridge received the authorization. You can close this window and return to the terminal."
                           : "The authorization did not succeed. Return to the terminal for details.")
                    << "</p>\n";
    impl->offer(p);
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

LoopbackReceiver::LoopbackReceiver(const std::string& redirectUri) : impl_(std::make_shared<Impl>()) {
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
    params->setMaxThreads(2);
    params->setKeepAlive(false);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_), socket, params);
    impl_->server->start();
}

LoopbackReceiver::~LoopbackReceiver() {
    if (impl_->server) impl_->server->stopAll(true);
}

std::optional<RedirectParameters> LoopbackReceiver::wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->cv.wait_for(lock, timeout, [&] { return impl_->result.has_value(); });
    return impl_->result;
}

void LoopbackReceiver::deliver(const RedirectParameters& parameters) { impl_->offer(parameters); }

}  // namespace ledgerbridge::oauth
