// One HTTP(S) request per send, over a shared TLS context and kept-alive connections: see HttpTransport.h.
#include "ledgerbridge/http/HttpTransport.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Exception.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <map>
#include <mutex>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/http/SessionPool.h"
#include "ledgerbridge/http/TlsContexts.h"
#include "RequestLog.h"

namespace ledgerbridge::http {

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (Poco::icompare(k, name) == 0) return v;
    return {};
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        std::string ek, ev;
        Poco::URI::encode(k, "!#$&'()*+,/:;=?@[]", ek);
        Poco::URI::encode(v, "!#$&'()*+,/:;=?@[] ", ev);
        out += ek + '=' + ev;
    }
    return out;
}

struct PocoHttpTransport::Impl {
    std::string who;  ///< "environment 'NAME'" for messages
    std::string caFile;
    bool allowHttp = false;
    std::map<std::string, std::string> resolve;  ///< "host:port" -> address
    int timeoutSeconds = 30;
    SessionPool* pool = nullptr;
    std::mutex contextMutex;
    Poco::Net::Context::Ptr context;  ///< the shared one for caFile, fetched at the first HTTPS request

    Poco::Net::Context::Ptr tlsContext() {
        std::lock_guard<std::mutex> lock(contextMutex);
        if (!context) context = sharedClientContext(caFile, who);
        return context;
    }
};

namespace {

/// A request that may be sent again when a kept-alive connection turns out to be closed: the
/// methods HTTP calls idempotent, or any request with an Idempotency-Key (like Go's net/http).
bool replayable(const HttpRequest& request) {
    const std::string& m = request.method;
    if (m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS") return true;
    for (const auto& [k, v] : request.headers)
        if (Poco::icompare(k, "Idempotency-Key") == 0) return true;
    return false;
}

/// A request that is not replayable goes only over a connection this fresh: servers close idle
/// keep-alive connections after 5 s or more, so one used within the last second is alive.
constexpr auto kFreshEnoughForAnyRequest = std::chrono::seconds(1);

/// Whether the server closed (or wrote to) a connection while it sat idle in the pool: an idle
/// HTTP/1.1 connection has nothing to read, so readable means end of stream (or junk).
bool closedWhileIdle(Poco::Net::HTTPClientSession& session) {
    try {
        return session.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
        return true;
    }
}

std::string tlsFailure(const std::string& where, const Poco::Exception& e) {
    return "The TLS connection to " + where + " failed (" + redact(e.displayText()) +
           "); the server's certificate must be trusted by the system or by ca_file, and name the host.";
}

}  // namespace

PocoHttpTransport::PocoHttpTransport(const config::EnvironmentProfile& profile, int timeoutSeconds)
    : impl_(std::make_unique<Impl>()) {
    impl_->who = "environment '" + profile.name + "'";
    impl_->caFile = profile.caFile;
    impl_->allowHttp = profile.allowHttp;
    for (const auto& entry : profile.resolve) {
        auto last = entry.rfind(':');
        if (last == std::string::npos || entry.find(':') == last)
            throw ConfigError("The resolve entry '" + entry + "' of environment '" + profile.name +
                              "' is not host:port:address.");
        impl_->resolve[Poco::toLower(entry.substr(0, last))] = entry.substr(last + 1);
    }
    impl_->timeoutSeconds = timeoutSeconds;
    impl_->pool = &SessionPool::shared();
}

PocoHttpTransport::~PocoHttpTransport() = default;

void PocoHttpTransport::usePool(SessionPool* pool) { impl_->pool = pool; }

HttpResponse PocoHttpTransport::send(const HttpRequest& request) {
    Poco::URI uri(request.url);
    const std::string where = uri.getScheme() + "://" + uri.getAuthority();
    RequestLog requestLog(request.method, where, uri.getPath());
    const bool https = uri.getScheme() == "https";
    if (!https && !(uri.getScheme() == "http" && impl_->allowHttp))
        throw ConfigError("Refusing to send a request to " + where +
                          " without TLS; use an https:// URL (allow_http is only for custom local profiles).");
    Poco::Timespan timeout(impl_->timeoutSeconds, 0);
    auto override = impl_->resolve.find(Poco::toLower(uri.getHost()) + ":" + std::to_string(uri.getPort()));
    Poco::Net::Context::Ptr context = https ? impl_->tlsContext() : Poco::Net::Context::Ptr();
    const Origin origin{uri.getScheme(), Poco::toLower(uri.getHost()), uri.getPort(),
                        override != impl_->resolve.end() ? override->second : std::string(), context.get()};

    auto connect = [&]() -> std::unique_ptr<Poco::Net::HTTPClientSession> {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        try {
            if (override != impl_->resolve.end()) {
                // `resolve`: connect to the given address, but speak TLS (SNI and certificate
                // host-name check) for the URL's host name, like curl --resolve.
                Poco::Net::StreamSocket plain;
                plain.connect(Poco::Net::SocketAddress(override->second, uri.getPort()), timeout);
                // (HTTPSClientSession cannot adopt a connected socket in Poco 1.11; a plain session
                // over the TLS socket sends the same bytes.)
                if (https)
                    session = std::make_unique<Poco::Net::HTTPClientSession>(
                        Poco::Net::SecureStreamSocket::attach(plain, uri.getHost(), context));
                else
                    session = std::make_unique<Poco::Net::HTTPClientSession>(plain);
            } else if (https) {
                session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
            } else {
                session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
            }
        } catch (const Poco::Net::SSLException& e) {
            throw NetworkError(tlsFailure(where, e));
        } catch (const Poco::Exception& e) {
            throw NetworkError("Could not connect to " + where + " (" + redact(e.displayText()) +
                               "); check the network and the environment's URLs, then try again.");
        }
        // The pool decides when a connection is too old; Poco must not silently reconnect one
        // (a session over a `resolve` socket has no host name to reconnect to).
        session->setKeepAlive(true);
        session->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
        return session;
    };

    const bool canReplay = replayable(request);
    SessionPool::Idle pooled;
    if (impl_->pool) pooled = impl_->pool->take(origin);
    if (pooled.session && !canReplay && pooled.idleFor > kFreshEnoughForAnyRequest) pooled.session.reset();
    if (pooled.session && closedWhileIdle(*pooled.session)) pooled.session.reset();
    bool reused = static_cast<bool>(pooled.session);
    std::unique_ptr<Poco::Net::HTTPClientSession> session = reused ? std::move(pooled.session) : connect();

    for (;;) {
        bool answered = false;  // a status line arrived: the server has seen the request
        bool sent = false;      // the whole request was handed to the connection
        session->setTimeout(timeout, timeout, timeout);
        Poco::Net::HTTPRequest req(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
        req.setHost(uri.getHost(), uri.getPort());
        req.setKeepAlive(true);
        for (const auto& [k, v] : request.headers) req.set(k, v);
        if (request.method != "GET" && request.method != "HEAD" && request.method != "DELETE") {
            if (!request.contentType.empty()) req.setContentType(request.contentType);
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        }
        try {
            std::ostream& os = session->sendRequest(req);
            if (!request.body.empty()) os << request.body;
            sent = static_cast<bool>(os);
            Poco::Net::HTTPResponse resp;
            std::istream& is = session->receiveResponse(resp);
            answered = true;
            HttpResponse out;
            out.status = static_cast<int>(resp.getStatus());
            for (const auto& [k, v] : resp) out.headers.emplace_back(k, v);
            // A hostile or broken server must not make us buffer without bound.
            char buffer[65536];
            while (is.read(buffer, sizeof buffer) || is.gcount() > 0) {
                out.body.append(buffer, static_cast<std::size_t>(is.gcount()));
                if (out.body.size() > kMaxResponseBytes)
                    throw ProtocolError("The response from " + where + " is larger than " +
                                        std::to_string(kMaxResponseBytes / (1024 * 1024)) + " MiB; refusing to read it.");
            }
            // Kept for the next request only when the answer was delimited (a length or chunks,
            // read to the end) and neither side asked to close.
            const bool delimited = resp.hasContentLength() || resp.getChunkedTransferEncoding();
            if (impl_->pool && resp.getKeepAlive() && delimited && !is.bad() &&
                (!resp.hasContentLength() || static_cast<std::int64_t>(out.body.size()) == resp.getContentLength64()))
                impl_->pool->give(origin, std::move(session));
            requestLog.answered(out.status, reused);
            return out;
        } catch (const Poco::Net::SSLException& e) {
            if (reused && !answered && canReplay) { session = connect(); reused = false; continue; }
            if (sent) throw ResponseLostError(where, "the TLS connection failed (" + redact(e.displayText()) + ")", false);
            throw NetworkError(tlsFailure(where, e));
        } catch (const Poco::TimeoutException&) {
            const std::string figure = std::to_string(impl_->timeoutSeconds) + " seconds";
            if (sent) throw ResponseLostError(where, "no answer came within " + figure, true);
            throw NetworkError("The request to " + where + " timed out after " + figure +
                               "; check the network and try again.");
        } catch (const Poco::Exception& e) {
            // A kept-alive connection the server closed while it sat idle fails before any
            // answer: send a request that may be sent twice once more on a new connection.
            if (reused && !answered && canReplay) { session = connect(); reused = false; continue; }
            if (sent) throw ResponseLostError(where, "the connection failed (" + redact(e.displayText()) + ")", false);
            throw NetworkError("The request to " + where + " failed (" + redact(e.displayText()) +
                               "); check the network and the environment's URLs, then try again.");
        }
    }
}

}  // namespace ledgerbridge::http
