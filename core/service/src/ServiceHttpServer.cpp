// Request handlers of the service's HTTP endpoint and the Poco server around them.
#include "ledgerbridge/service/ServiceHttpServer.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <istream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::service {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct ServiceHttpServer::Context {
    Metrics& metrics;
    WebhookVerifier* verifier;
    CompanyTrigger trigger;
    ReadinessCheck ready;
    std::size_t maxBodyBytes;
    std::function<std::string()> attention;
};

std::string webhookCompanyId(const std::string& body, std::string& type) {
    type.clear();
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        if (root.isNull()) return {};
        if (root->has("type") && root->get("type").isString()) type = root->getValue<std::string>("type");
        const auto data = root->getObject("data");
        if (!data.isNull() && data->has("companyId") && data->get("companyId").isString())
            return data->getValue<std::string>("companyId");
        if (root->has("companyId") && root->get("companyId").isString()) return root->getValue<std::string>("companyId");
    } catch (...) {
    }
    return {};
}

namespace {

void reply(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& body,
           const std::string& contentType = "text/plain; charset=utf-8") {
    res.setStatusAndReason(status);  // setStatus alone keeps the reason "OK" on a 404 or 503
    res.setContentType(contentType);
    res.setContentLength(static_cast<std::streamsize>(body.size()));
    res.set("Cache-Control", "no-store");
    res.send() << body;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(std::shared_ptr<ServiceHttpServer::Context> ctx) : ctx_(std::move(ctx)) {}

    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
        try {
            route(req, res);
        } catch (const std::exception& e) {
            log::error("The service's HTTP handler failed.", {{"path", req.getURI()}, {"error", e.what()}});
            if (!res.sent()) reply(res, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
        }
    }

private:
    void route(HTTPServerRequest& req, HTTPServerResponse& res) {
        std::string path = req.getURI();
        if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
        const bool get = req.getMethod() == "GET" || req.getMethod() == "HEAD";
        if (path == "/healthz" && get) return reply(res, HTTPResponse::HTTP_OK, "ok\n");
        if (path == "/readyz" && get) {
            const std::string why = ctx_->ready ? ctx_->ready() : std::string();
            if (why.empty()) return reply(res, HTTPResponse::HTTP_OK, "ready\n");
            return reply(res, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, why + "\n");
        }
        if (path == "/attention" && get) {
            if (!ctx_->attention) return reply(res, HTTPResponse::HTTP_NOT_FOUND, "not found\n");
            return reply(res, HTTPResponse::HTTP_OK, ctx_->attention() + "\n", "application/json");
        }
        if (path == "/metrics" && get)
            return reply(res, HTTPResponse::HTTP_OK, ctx_->metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
        if (path == "/webhooks/pleo") {
            if (req.getMethod() != "POST") {
                res.set("Allow", "POST");
                return reply(res, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "use POST\n");
            }
            return webhook(req, res);
        }
        reply(res, HTTPResponse::HTTP_NOT_FOUND, "not found\n");
    }

    void webhook(HTTPServerRequest& req, HTTPServerResponse& res) {
        if (ctx_->verifier == nullptr)
            return reply(res, HTTPResponse::HTTP_NOT_FOUND, "webhooks are not configured (service.webhook_secret)\n");
        if (req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(ctx_->maxBodyBytes))
            return reply(res, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "body too large\n");
        std::string body;
        {
            std::istream& in = req.stream();
            char buf[8192];
            while (in.read(buf, sizeof buf) || in.gcount() > 0) {
                body.append(buf, static_cast<std::size_t>(in.gcount()));
                if (body.size() > ctx_->maxBodyBytes)
                    return reply(res, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "body too large\n");
            }
        }
        const std::string id = req.get("webhook-id", "");
        const WebhookResult r =
            ctx_->verifier->verify(id, req.get("webhook-timestamp", ""), req.get("webhook-signature", ""), body);
        ctx_->metrics.increment(metric::kWebhooks, {{"result", toString(r.status)}});
        if (r.status == WebhookStatus::ReplayedId) {
            // Authentic, already handled: acknowledge so Pleo stops retrying, start nothing.
            log::info("A webhook delivery was repeated; ignoring it.", {{"webhook_id", id}});
            return reply(res, HTTPResponse::HTTP_OK, "already received\n");
        }
        if (!r.ok()) {
            log::warn("A webhook delivery was refused.", {{"result", toString(r.status)},
                                                          {"detail", r.detail},
                                                          {"webhook_id", id.substr(0, 64)},
                                                          {"remote", req.clientAddress().host().toString()}});
            return reply(res, HTTPResponse::HTTP_UNAUTHORIZED, "webhook verification failed\n");
        }
        std::string type;
        const std::string company = webhookCompanyId(body, type);
        if (!type.empty() && type != "v1.export-job.created") {
            log::info("Ignoring a webhook event of another type.", {{"type", type}, {"webhook_id", id}});
            return reply(res, HTTPResponse::HTTP_ACCEPTED, "ignored\n");
        }
        if (company.empty()) {
            log::warn("A verified webhook has no company id; nothing was started.", {{"webhook_id", id}});
            return reply(res, HTTPResponse::HTTP_BAD_REQUEST, "no companyId in the event\n");
        }
        const std::size_t n = ctx_->trigger ? ctx_->trigger(company) : 0;
        if (n == 0)
            log::warn("A webhook named a company that no configured connection exports.",
                      {{"company_id", company}, {"webhook_id", id}});
        else
            log::info("A webhook started a run.", {{"company_id", company}, {"connections", n}});
        reply(res, HTTPResponse::HTTP_ACCEPTED, "{\"triggered\":" + std::to_string(n) + "}\n", "application/json");
    }

    std::shared_ptr<ServiceHttpServer::Context> ctx_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<ServiceHttpServer::Context> ctx) : ctx_(std::move(ctx)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(ctx_); }

private:
    std::shared_ptr<ServiceHttpServer::Context> ctx_;
};

}  // namespace

ServiceHttpServer::ServiceHttpServer(HttpServerOptions options, Metrics& metrics, WebhookVerifier* verifier,
                                     CompanyTrigger trigger, ReadinessCheck ready)
    : options_(std::move(options)),
      context_(std::make_shared<Context>(
          Context{metrics, verifier, std::move(trigger), std::move(ready), options_.maxBodyBytes, {}})) {
    defineStandardMetrics(metrics);
}

ServiceHttpServer::~ServiceHttpServer() { stop(); }

void ServiceHttpServer::setAttention(std::function<std::string()> report) { context_->attention = std::move(report); }

void ServiceHttpServer::start() {
    Poco::Net::SocketAddress address;
    try {
        address = Poco::Net::SocketAddress(options_.listen);
    } catch (const Poco::Exception& e) {
        throw ConfigError("service.listen = \"" + options_.listen + "\" is not an address like 127.0.0.1:9464 (" +
                          e.displayText() + ").");
    }
    if (!address.host().isLoopback())
        throw ConfigError("service.listen = \"" + options_.listen +
                          "\" is not a loopback address; listen on 127.0.0.1 or ::1 and put a TLS reverse proxy in "
                          "front for Pleo's webhooks.");
    Poco::Net::ServerSocket socket;
    try {
        // SO_REUSEADDR but never SO_REUSEPORT: a second service on the same port must fail
        // here, not silently share the port with the first.
        socket.bind(address, true, false);
        socket.listen(64);
    } catch (const Poco::Exception& e) {
        throw NetworkError("Could not listen on " + options_.listen + " (" + e.displayText() +
                           "); stop whatever uses that port or choose another in service.listen.");
    }
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options_.maxThreads);
    params->setMaxQueued(64);
    params->setKeepAlive(false);
    params->setTimeout(Poco::Timespan(10, 0));
    threads_ = std::make_unique<Poco::ThreadPool>(1, std::max(1, options_.maxThreads));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(context_), *threads_, socket, params);
    server_->start();
    log::info("The service's HTTP endpoint is listening.", {{"address", address.host().toString() + ":" + std::to_string(port_)}});
}

void ServiceHttpServer::stop() {
    if (!server_) return;
    // No new connections. Not stopAll(): keep-alive is off, so a connection ends after its one
    // request anyway, and stopAll's "server stopped" event, sent while connections end and
    // unregister from it, hands Poco's delegates between threads in ways ThreadSanitizer reported.
    server_->stop();
    // The requests in progress finish before the server is destroyed: each connection removes
    // itself from the server's stop event when it ends (ThreadSanitizer saw the two race).
    threads_->joinAll();
    server_.reset();
    threads_.reset();  // the pool's threads end and are joined
}

}  // namespace ledgerbridge::service
