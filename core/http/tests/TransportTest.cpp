// The host's TLS transport against the real simulator over HTTPS, and its kept-alive connections
// against a loopback server: one TLS context per CA file however many transports, connections
// reused across transports (runs, connections of the service), verification as strict as ever
// (an untrusted server is refused even while trusted connections to it sit in the pool), and a
// kept-alive connection the server closed while idle is replaced, not reported as an error.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <atomic>
#include <memory>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/http/HttpTransport.h"
#include "ledgerbridge/http/SessionPool.h"
#include "ledgerbridge/http/TlsContexts.h"
#include "ledgerbridge/testsupport/Simulator.h"

using namespace ledgerbridge;
using namespace ledgerbridge::http;

namespace {

config::EnvironmentProfile trusting(const std::string& caFile) {
    config::EnvironmentProfile p;
    p.name = "sim";
    p.caFile = caFile;
    return p;
}

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    return r;
}

}  // namespace

TEST(Transport, ManyTransportsShareOneTlsContextAndKeptAliveConnections) {
    Poco::TemporaryFile tls;  // a CA of its own: no other test's context can be reused
    testsupport::SimulatorProcess sim({"--companies", "1", "--tls-dir", tls.path()});
    SessionPool pool;
    const std::size_t contextsBefore = tlsContextsBuilt();
    for (int i = 0; i < 30; ++i) {
        PocoHttpTransport transport(trusting(sim.caFile()), 10);  // like one run of one connection
        transport.usePool(&pool);
        HttpResponse r = transport.send(get(sim.baseUrl() + "/healthz"));
        ASSERT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(tlsContextsBuilt() - contextsBefore, 1u) << "one context for the simulator's CA file";
    EXPECT_EQ(pool.stats().reused, 29) << "every request after the first went over the kept-alive connection";
    EXPECT_EQ(pool.stats().idle, 1u);
}

TEST(Transport, AConstructedTransportThatSendsNothingBuildsNoContext) {
    const std::size_t before = tlsContextsBuilt();
    for (int i = 0; i < 5; ++i) PocoHttpTransport transport(trusting("/nonexistent/ca-" + std::to_string(i) + ".pem"));
    EXPECT_EQ(tlsContextsBuilt(), before);
}

TEST(Transport, AnUntrustedServerIsRefusedEvenWithTrustedConnectionsToItInThePool) {
    testsupport::SimulatorProcess sim({"--companies", "1"});
    SessionPool pool;
    PocoHttpTransport trusted(trusting(sim.caFile()), 10);
    trusted.usePool(&pool);
    ASSERT_EQ(trusted.send(get(sim.baseUrl() + "/healthz")).status, 200);
    ASSERT_EQ(pool.stats().idle, 1u);
    PocoHttpTransport systemCasOnly(trusting(""), 10);
    systemCasOnly.usePool(&pool);
    try {
        systemCasOnly.send(get(sim.baseUrl() + "/healthz"));
        FAIL() << "the simulator's certificate is not trusted by the system";
    } catch (const NetworkError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("The TLS connection to " + sim.baseUrl() + " failed (", 0), 0u) << e.what();
    }
    EXPECT_EQ(pool.stats().reused, 0) << "a connection verified under other trust settings is never lent";
}

TEST(Transport, AnUnreadableCaFileIsAConfigErrorOfTheFirstRequest) {
    PocoHttpTransport transport(trusting("/nonexistent/ca.pem"));
    EXPECT_THROW(transport.send(get("https://127.0.0.1:1/x")), ConfigError);
}

namespace {

class Counting : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        std::string body = req.getMethod() + " ok";
        resp.setContentType("text/plain");
        resp.setContentLength(static_cast<std::streamsize>(body.size()));
        resp.send() << body;
    }
};
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::atomic<int>& connections) : connections_(connections) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& req) override {
        // A new connection's first request carries a fresh session: count connections by the
        // client's port.
        const auto port = req.clientAddress().port();
        if (port != lastPort_.exchange(port)) ++connections_;
        return new Counting;
    }

private:
    std::atomic<int>& connections_;
    std::atomic<unsigned short> lastPort_{0};
};

struct LoopbackServer {
    std::atomic<int> connections{0};
    Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
    std::unique_ptr<Poco::Net::HTTPServer> server;
    explicit LoopbackServer(Poco::Timespan keepAlive) {
        auto* params = new Poco::Net::HTTPServerParams;
        params->setKeepAlive(true);
        params->setKeepAliveTimeout(keepAlive);
        server = std::make_unique<Poco::Net::HTTPServer>(new Factory(connections), socket, params);
        server->start();
    }
    ~LoopbackServer() { server->stopAll(true); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/x"; }
};

config::EnvironmentProfile plainHttp() {
    config::EnvironmentProfile p;
    p.name = "loopback";
    p.allowHttp = true;
    return p;
}

}  // namespace

TEST(Transport, AConnectionTheServerClosedWhileIdleIsReplacedForEveryMethod) {
    LoopbackServer server(Poco::Timespan(0, 200 * 1000));  // the server drops idle connections after 200 ms
    SessionPool pool;
    PocoHttpTransport transport(plainHttp(), 5);
    transport.usePool(&pool);
    ASSERT_EQ(transport.send(get(server.url())).body, "GET ok");
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    EXPECT_EQ(transport.send(get(server.url())).body, "GET ok");
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    HttpRequest post = get(server.url());
    post.method = "POST";
    post.body = "{}";
    post.contentType = "application/json";
    EXPECT_EQ(transport.send(post).body, "POST ok") << "a POST is never sent into a connection that may be dead";
    EXPECT_EQ(server.connections.load(), 3);
}

TEST(Transport, KeptAliveConnectionsAreReusedWithinTheIdleTimeout) {
    LoopbackServer server(Poco::Timespan(10, 0));
    SessionPool pool;
    PocoHttpTransport transport(plainHttp(), 5);
    transport.usePool(&pool);
    for (int i = 0; i < 20; ++i) ASSERT_EQ(transport.send(get(server.url())).body, "GET ok");
    EXPECT_EQ(server.connections.load(), 1);
    EXPECT_EQ(pool.stats().reused, 19);
}

TEST(SessionPoolTest, IdleConnectionsAreBoundedAndExpire) {
    SessionPool pool(SessionPoolOptions{2, 3, std::chrono::milliseconds(100)});
    const Origin a{"http", "a.test", 80, "", nullptr}, b{"http", "b.test", 80, "", nullptr};
    for (int i = 0; i < 3; ++i) pool.give(a, std::make_unique<Poco::Net::HTTPClientSession>("a.test", 80));
    EXPECT_EQ(pool.stats().idle, 2u) << "per-origin bound";
    for (int i = 0; i < 2; ++i) pool.give(b, std::make_unique<Poco::Net::HTTPClientSession>("b.test", 80));
    EXPECT_EQ(pool.stats().idle, 3u) << "total bound";
    EXPECT_TRUE(pool.take(b).session);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_FALSE(pool.take(a).session) << "idle too long: closed, not lent";
    EXPECT_EQ(pool.stats().idle, 0u);
}

TEST(Transport, ARewrittenCaFileGetsAContextOfItsOwn) {
    Poco::TemporaryFile tls;
    testsupport::SimulatorProcess sim({"--companies", "1", "--tls-dir", tls.path()});
    Poco::TemporaryFile copy;
    Poco::File(sim.caFile()).copyTo(copy.path());
    auto first = sharedClientContext(copy.path(), "test");
    EXPECT_EQ(sharedClientContext(copy.path(), "test").get(), first.get()) << "same file: shared";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Poco::File(copy.path()).remove();
    Poco::File(sim.caFile()).copyTo(copy.path());  // a rotated CA arrives under the same name
    EXPECT_NE(sharedClientContext(copy.path(), "test").get(), first.get()) << "rewritten: a new context";
}
