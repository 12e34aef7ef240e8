// One-shot HTTP(S) requests for the OAuth client: see HttpTransport.h.
#include "ledgerbridge/oauth/HttpTransport.h"

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

#include <map>
#include <mutex>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::oauth {

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
    bool allowHttp = false;
    std::map<std::string, std::string> resolve;  ///< "host:port" -> address
    int timeoutSeconds = 30;
    Poco::Net::Context::Ptr context;
};

PocoHttpTransport::PocoHttpTransport(const config::EnvironmentProfile& profile, int timeoutSeconds)
    : impl_(std::make_unique<Impl>()) {
    static std::once_flag sslInit;
    std::call_once(sslInit, [] { Poco::Net::initializeSSL(); });
    impl_->allowHttp = profile.allowHttp;
    for (const auto& entry : profile.resolve) {
        auto last = entry.rfind(':');
        if (last == std::string::npos || entry.find(':') == last)
            throw ConfigError("The resolve entry '" + entry + "' of environment '" + profile.name +
                              "' is not host:port:address.");
        impl_->resolve[Poco::toLower(entry.substr(0, last))] = entry.substr(last + 1);
    }
    impl_->timeoutSeconds = timeoutSeconds;
    try {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.loadDefaultCAs = true;
        params.caLocation = profile.caFile;
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
        impl_->context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        impl_->context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    } catch (const Poco::Exception& e) {
        throw ConfigError("The TLS settings of environment '" + profile.name + "' cannot be used (" + e.displayText() +
                          "); check that ca_file " + profile.caFile + " is a PEM certificate.");
    }
}

PocoHttpTransport::~PocoHttpTransport() = default;

HttpResponse PocoHttpTransport::send(const HttpRequest& request) {
    Poco::URI uri(request.url);
    const std::string where = uri.getScheme() + "://" + uri.getAuthority();
    const bool https = uri.getScheme() == "https";
    if (!https && !(uri.getScheme() == "http" && impl_->allowHttp))
        throw ConfigError("Refusing to send a request to " + where +
                          " without TLS; use an https:// URL (allow_http is only for custom local profiles).");
    Poco::Timespan timeout(impl_->timeoutSeconds, 0);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    auto override = impl_->resolve.find(Poco::toLower(uri.getHost()) + ":" + std::to_string(uri.getPort()));
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
                    Poco::Net::SecureStreamSocket::attach(plain, uri.getHost(), impl_->context));
            else
                session = std::make_unique<Poco::Net::HTTPClientSession>(plain);
        } else if (https) {
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), impl_->context);
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        }
    } catch (const Poco::Net::SSLException& e) {
        throw NetworkError("The TLS connection to " + where + " failed (" + redact(e.displayText()) +
                           "); the server's certificate must be trusted by the system or by ca_file, and name the host.");
    } catch (const Poco::Exception& e) {
        throw NetworkError("Could not connect to " + where + " (" + redact(e.displayText()) +
                           "); check the network and the environment's URLs, then try again.");
    }
    session->setTimeout(timeout, timeout, timeout);
    Poco::Net::HTTPRequest req(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost(uri.getHost(), uri.getPort());
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (request.method != "GET" && request.method != "HEAD" && request.method != "DELETE") {
        if (!request.contentType.empty()) req.setContentType(request.contentType);
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
    }
    try {
        std::ostream& os = session->sendRequest(req);
        if (!request.body.empty()) os << request.body;
        Poco::Net::HTTPResponse resp;
        std::istream& is = session->receiveResponse(resp);
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
        return out;
    } catch (const Poco::Net::SSLException& e) {
        throw NetworkError("The TLS connection to " + where + " failed (" + redact(e.displayText()) +
                           "); the server's certificate must be trusted by the system or by ca_file, and name the host.");
    } catch (const Poco::TimeoutException&) {
        throw NetworkError("The request to " + where + " timed out after " + std::to_string(impl_->timeoutSeconds) +
                           " seconds; check the network and try again.");
    } catch (const Poco::Exception& e) {
        throw NetworkError("The request to " + where + " failed (" + redact(e.displayText()) +
                           "); check the network and the environment's URLs, then try again.");
    }
}

}  // namespace ledgerbridge::oauth
