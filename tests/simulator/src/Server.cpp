// Poco HTTPServer glue, routing, faults and rate limiting.
#include "Server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "AdminHandlers.h"
#include "ExportApiHandlers.h"
#include "OAuthHandlers.h"
#include "PleoApiRoutes.h"

namespace lbsim {

namespace {

constexpr std::size_t kMaxBody = 8 * 1024 * 1024;

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> out;
    std::stringstream ss(path);
    std::string part;
    while (std::getline(ss, part, '/'))
        if (!part.empty()) out.push_back(part);
    return out;
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(SimState& s, bool secure) : s_(s), secure_(secure) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        Request req;
        std::string routeName = request.getMethod() + " (unrouted)";
        Reply reply;
        Fault fault = Fault::None;
        try {
            req.method = request.getMethod();
            Poco::URI uri(request.getURI());
            req.path = uri.getPath();
            req.query = uri.getQueryParameters();
            for (const auto& h : request) {
                std::string name = h.first;
                for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                req.headers[name] = h.second;
            }
            req.baseUrl = std::string(secure_ ? "https://" : "http://") +
                          (request.getHost().empty() ? request.serverAddress().toString() : request.getHost());
            req.clientAddress = request.clientAddress().host().toString();
            if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(kMaxBody))
                throw ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is larger than 8 MiB.");
            std::string body;
            char buf[8192];
            std::istream& in = request.stream();
            while (in.read(buf, sizeof buf) || in.gcount() > 0) {
                body.append(buf, static_cast<std::size_t>(in.gcount()));
                if (body.size() > kMaxBody) throw ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is larger than 8 MiB.");
            }
            req.body = std::move(body);

            const bool isAdmin = req.path.rfind("/admin/", 0) == 0;
            const auto segs = splitPath(req.path);
            const bool api = !segs.empty() && (segs[0] == "v3" || isPleoApiVersion(segs[0]));
            const bool faultable = api || req.path.rfind("/oauth/token", 0) == 0 || req.path.rfind("/files/", 0) == 0;
            if (isAdmin && !request.clientAddress().host().isLoopback())
                throw ApiError(403, "FORBIDDEN", "The admin API answers loopback clients only.");
            if (api && s_.audit) s_.audit->check(req);  // before faults: what the client sent counts
            if (faultable) fault = s_.faults.draw();
            if (api) {  // one rate budget per credential across all of Pleo's APIs
                std::string cred = req.header("authorization");
                int wait = fault == Fault::TooMany ? 1 : s_.faults.takeToken(cred.empty() ? req.clientAddress : cred);
                if (wait > 0) {
                    routeName = req.method + " " + routeNameFor(req);
                    reply = errorReply(429, "TOO_MANY_REQUESTS", "Rate limit exceeded; retry after the Retry-After seconds.");
                    reply.headers.emplace_back("Retry-After", std::to_string(wait));
                    s_.counters.bump("rate_limited");
                    fault = Fault::None;
                    send(response, reply, fault);
                    finish(req, routeName, reply.status);
                    return;
                }
            }
            if (fault == Fault::Status500 || fault == Fault::Status502 || fault == Fault::Status503) {
                int st = fault == Fault::Status500 ? 500 : fault == Fault::Status502 ? 502 : 503;
                routeName = req.method + " " + routeNameFor(req);
                reply = errorReply(st, "INJECTED_FAULT", "Injected fault (--faults).");
                if (st == 503) reply.headers.emplace_back("Retry-After", "1");
                s_.counters.bump("faults_injected");
            } else {
                reply = route(s_, req, routeName);
            }
        } catch (const ApiError& e) {
            reply = errorReply(e.status(), e.type(), e.what());
        } catch (const Poco::Exception& e) {
            reply = errorReply(500, "INTERNAL_ERROR", e.displayText());
        } catch (const std::exception& e) {
            reply = errorReply(500, "INTERNAL_ERROR", e.what());
        }
        if (fault == Fault::Slow) {
            s_.counters.bump("faults_injected");
            std::this_thread::sleep_for(std::chrono::milliseconds(s_.faults.slowMs()));
        }
        if (fault == Fault::Drop) {
            // Close the TCP connection without an answer, as a crashed proxy would.
            s_.counters.bump("faults_injected");
            auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
            ::shutdown(impl.socket().impl()->sockfd(), SHUT_RDWR);
            response.setKeepAlive(false);
            finish(req, routeName, 0);
            return;
        }
        if (fault == Fault::Truncate) s_.counters.bump("faults_injected");
        send(response, reply, fault);
        finish(req, routeName, reply.status);
    }

private:
    static std::string routeNameFor(const Request& req) {
        auto seg = splitPath(req.path);
        if (seg.size() >= 3 && seg[0] == "v3" && seg[1] == "export-jobs")
            return "/v3/export-jobs/{jobId}" + std::string(seg.size() > 3 ? "/items" : "");
        if (!seg.empty() && seg[0] == "files") return "/files/{file}";
        return req.path;
    }

    void send(Poco::Net::HTTPServerResponse& response, const Reply& reply, Fault fault) {
        // setStatus alone keeps the reason "OK": a 429 would read "429 OK" on the wire.
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
        for (const auto& h : reply.headers) response.set(h.first, h.second);
        if (!reply.contentType.empty()) response.setContentType(reply.contentType);
        response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
        if (fault == Fault::Truncate) {
            // Promise the full length, send half, then close: the client sees a short body.
            response.setKeepAlive(false);
            std::ostream& os = response.send();
            os.write(reply.body.data(), static_cast<std::streamsize>(reply.body.size() / 2));
            os.flush();
            return;
        }
        response.send() << reply.body;
    }

    void finish(const Request& req, const std::string& routeName, int status) {
        s_.counters.request(routeName, status);
        if (!s_.options.quiet) std::cerr << req.method << ' ' << req.path << ' ' << status << '\n';
    }

    SimState& s_;
    bool secure_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(SimState& s, bool secure) : s_(s), secure_(secure) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(s_, secure_);
    }

private:
    SimState& s_;
    bool secure_;
};

}  // namespace

Reply route(SimState& s, const Request& req, std::string& routeName) {
    const auto seg = splitPath(req.path);
    const std::string& m = req.method;
    routeName = m + " " + req.path;
    if (seg.empty()) throw ApiError(404, "NOT_FOUND", "No route " + req.path + ".");
    if (seg[0] == "v3") {
        if (seg.size() == 2 && seg[1] == "export-jobs") {
            if (m == "GET") return listJobs(s, req);
            if (m == "POST") return createJob(s, req);
        } else if (seg.size() >= 3 && seg[1] == "export-jobs") {
            routeName = m + " /v3/export-jobs/{jobId}" + std::string(seg.size() == 4 ? "/items" : "");
            if (seg.size() == 3 && m == "GET") return getJob(s, req, seg[2]);
            if (seg.size() == 4 && seg[3] == "items" && m == "GET") return listJobItems(s, req, seg[2]);
            if (seg.size() == 4 && seg[3] == "items" && m == "PUT") return updateJobItems(s, req, seg[2]);
        } else if (seg.size() == 2 && seg[1] == "export-job-events" && m == "POST") {
            return createJobEvent(s, req);
        } else if (seg.size() == 2 && seg[1] == "export-items" && m == "GET") {
            return listExportItems(s, req);
        } else if (seg.size() == 2 && seg[1] == "export-job-items" && m == "GET") {
            return getJobItemByEntry(s, req);
        }
        throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
    }
    if (isPleoApiVersion(seg[0])) return routePleoApis(s, req, seg, routeName);
    if (seg[0] == "oauth") {
        if (seg.size() == 2 && seg[1] == "authorize" && m == "GET") return authorizeGet(s, req);
        if (seg.size() == 2 && seg[1] == "authorize" && m == "POST") return authorizePost(s, req);
        if (seg.size() == 2 && seg[1] == "token" && m == "POST") return token(s, req);
        if (seg.size() == 3 && seg[1] == "token" && seg[2] == "introspect" && m == "POST") return introspect(s, req);
        throw ApiError(404, "NOT_FOUND", "No OAuth route " + m + " " + req.path + ".");
    }
    if (seg[0] == "files" && m == "GET") {
        routeName = "GET /files/{file}";
        return getFile(s, req, seg);
    }
    if (seg[0] == "admin") {
        routeName = m + " /admin/" + (seg.size() > 1 ? seg[1] : "");
        return handleAdmin(s, req, seg);
    }
    if (seg[0] == "healthz" && m == "GET") return jsonReply(200, Poco::Dynamic::Var(std::string("ok")));
    throw ApiError(404, "NOT_FOUND", "No route " + m + " " + req.path + ".");
}

Server::Server(SimState& state, const TlsFiles* tls) {
    Poco::Net::SocketAddress addr("127.0.0.1", static_cast<Poco::UInt16>(state.options.port));
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (tls) {
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls->serverKey,
                                                             tls->serverCert, "", Poco::Net::Context::VERIFY_NONE);
        ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        socket = std::make_unique<Poco::Net::SecureServerSocket>(ctx);
    } else {
        socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // SO_REUSEADDR but not SO_REUSEPORT (Poco's (address, backlog) constructor sets both):
    // a second simulator on a taken port must fail, not share it with the first.
    socket->bind(addr, true, false);
    socket->listen(64);
    baseUrl_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(socket->address().port());
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(state.options.threads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(30, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state, tls != nullptr), *socket, params);
    server_->start();
}

Server::~Server() {
    if (server_) server_->stopAll(true);
}

}  // namespace lbsim
