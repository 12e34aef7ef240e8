// The service's HTTP endpoint (Poco HTTPServer), loopback only:
//   GET  /healthz        200 while the process is alive
//   GET  /readyz         200 when ready (config loaded, store reachable, not shutting down),
//                        503 with the reason otherwise
//   GET  /metrics        the metrics registry in the Prometheus text format
//   GET  /attention      the connections that need a person, with the reason and the fix, as
//                        JSON {"count": N, "connections": [...]} (200 either way; 404 when the
//                        service gave no report)
//   POST /webhooks/pleo  a Standard Webhooks delivery of Pleo's v1.export-job.created: 401 when
//                        verification fails (logged with the reason and webhook id, never the
//                        body), 202 once the company's connection(s) were asked to run
// Webhooks reach it through a TLS-terminating reverse proxy; it never listens publicly itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledgerbridge/service/Metrics.h"
#include "ledgerbridge/service/WebhookVerifier.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace ledgerbridge::service {

struct HttpServerOptions {
    std::string listen = "127.0.0.1:9464";  ///< host:port; port 0 picks a free port (tests)
    std::size_t maxBodyBytes = 1 << 20;     ///< larger webhook bodies get 413
    int maxThreads = 4;
};

/// Returns "" when the service is ready, otherwise why not (shown in the 503 body).
using ReadinessCheck = std::function<std::string()>;
/// Asks the connections of a Pleo company to run now; returns how many there are.
using CompanyTrigger = std::function<std::size_t(const std::string& companyId)>;

/// The company id of a v1.export-job.created event body: `data.companyId` (Standard Webhooks
/// envelope) or a top-level `companyId`. Empty when the body is not JSON or has neither.
/// `type` receives the event type ("" when absent).
std::string webhookCompanyId(const std::string& body, std::string& type);

class ServiceHttpServer {
public:
    /// Nothing is owned; `metrics` must outlive the server, `verifier` may be null (then the
    /// webhook endpoint answers 404: no secret configured) and otherwise must outlive it.
    ServiceHttpServer(HttpServerOptions options, Metrics& metrics, WebhookVerifier* verifier,
                      CompanyTrigger trigger, ReadinessCheck ready);
    ~ServiceHttpServer();
    ServiceHttpServer(const ServiceHttpServer&) = delete;
    ServiceHttpServer& operator=(const ServiceHttpServer&) = delete;

    /// GET /attention's JSON body (ConnectionHealth.h attentionJson); without one, 404. Call
    /// before start().
    void setAttention(std::function<std::string()> report);

    /// Binds and starts serving. Throws ConfigError when `listen` is not host:port or is not a
    /// loopback address, NetworkError when the address cannot be bound (e.g. in use).
    void start();
    /// Stops accepting connections, waits for requests in progress and joins the threads that
    /// served them. Idempotent.
    void stop();
    /// The bound port (after start()).
    std::uint16_t port() const { return port_; }

    struct Context;  // what the request handlers share (internal)

private:
    HttpServerOptions options_;
    std::shared_ptr<Context> context_;
    // The server's own threads, not Poco's process-wide default pool: those would stay alive
    // after stop() and be joined only by a static destructor, after OpenSSL's exit handler has
    // deleted its thread-local key - so the error state OpenSSL gives each thread that computed
    // a webhook HMAC was never freed (LeakSanitizer: 904 bytes from ERR_set_mark), and a request
    // still in flight could outlive the verifier and trigger it uses.
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::uint16_t port_ = 0;
};

}  // namespace ledgerbridge::service
