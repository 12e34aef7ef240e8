// Retries, Retry-After, budgets, cancellation and counters: scripted against a fake transport
// (exact control of every answer and of time), then once against a real loopback server
// through the real TLS-capable transport.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <deque>
#include <set>
#include <functional>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/http/ResilientClient.h"

using namespace ledgerbridge;
using namespace ledgerbridge::http;
using namespace std::chrono;

namespace {

/// Answers from a script; an empty status means "the connection broke".
class ScriptedTransport : public http::HttpTransport {
public:
    std::deque<std::pair<int, std::string>> script;  ///< status (0 = network error), Retry-After
    int sends = 0;
    HttpResponse send(const HttpRequest&) override {
        ++sends;
        if (script.empty()) throw std::logic_error("script exhausted");
        auto [status, retryAfter] = script.front();
        script.pop_front();
        if (status == 0) throw NetworkError("connection reset by peer");
        HttpResponse r;
        r.status = status;
        if (!retryAfter.empty()) r.headers.emplace_back("Retry-After", retryAfter);
        r.body = "{}";
        return r;
    }
};

struct Harness {
    ScriptedTransport transport;
    RateLimiter limiter{0};
    milliseconds slept{0};
    std::atomic<bool> cancel{false};
    RetryOptions options;
    std::unique_ptr<ResilientClient> client;
    Harness() {
        options.baseDelay = milliseconds(100);
        options.maxDelay = milliseconds(800);
        options.maxAttempts = 4;
    }
    ResilientClient& make() {
        client = std::make_unique<ResilientClient>("Pleo", transport, limiter, options, &cancel,
                                                   [this](milliseconds d) { slept += d; });
        return *client;
    }
};

HttpRequest get() {
    HttpRequest r;
    r.url = "https://api.example.test/v3/export-jobs?company_id=x";
    return r;
}
HttpRequest post() {
    HttpRequest r = get();
    r.method = "POST";
    r.body = "{}";
    return r;
}

}  // namespace

TEST(ResilientClient, RetriesServerErrorsThenSucceeds) {
    Harness h;
    h.transport.script = {{503, ""}, {502, ""}, {200, ""}};
    auto r = h.make().send(get());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(h.transport.sends, 3);
    auto s = h.client->stats();
    EXPECT_EQ(s.requests, 3);
    EXPECT_EQ(s.retries, 2);
    EXPECT_EQ(s.byStatus[503], 1);
    EXPECT_EQ(s.byStatus[200], 1);
}

TEST(ResilientClient, HonoursRetryAfterOn429EvenForPost) {
    Harness h;
    h.transport.script = {{429, "2"}, {201, ""}};
    auto r = h.make().send(post(), /*idempotent=*/false);
    EXPECT_EQ(r.status, 201);
    // The server's two seconds, not our 100 ms backoff (the wait sleeps in slices).
    EXPECT_GE(h.slept.count(), 1900);
}

TEST(ResilientClient, DoesNotResendANonIdempotentRequestAfterA5xxOrABrokenConnection) {
    Harness h;
    h.transport.script = {{503, ""}};
    EXPECT_EQ(h.make().send(post(), false).status, 503);
    EXPECT_EQ(h.transport.sends, 1);
    Harness h2;
    h2.transport.script = {{0, ""}};
    EXPECT_THROW(h2.make().send(post(), false), NetworkError);
    EXPECT_EQ(h2.transport.sends, 1);
}

TEST(ResilientClient, RetriesNetworkErrorsForIdempotentRequests) {
    Harness h;
    h.transport.script = {{0, ""}, {0, ""}, {200, ""}};
    EXPECT_EQ(h.make().send(get()).status, 200);
    EXPECT_EQ(h.client->stats().networkErrors, 2);
}

TEST(ResilientClient, GivesUpAfterTheAttemptsWithAClearMessage) {
    Harness h;
    h.transport.script = {{500, ""}, {500, ""}, {500, ""}, {500, ""}};
    try {
        h.make().send(get());
        FAIL() << "expected HttpStatusError";
    } catch (const HttpStatusError& e) {
        EXPECT_EQ(e.status(), 500);
        EXPECT_NE(std::string(e.what()).find("Pleo answered HTTP 500 to GET https://api.example.test/v3/export-jobs 4 times"),
                  std::string::npos)
            << e.what();
        EXPECT_EQ(std::string(e.what()).find("company_id"), std::string::npos) << "query strings stay out of messages";
    }
    EXPECT_EQ(h.transport.sends, 4);
}

TEST(ResilientClient, RefusesARetryAfterLongerThanItWaits) {
    Harness h;
    h.options.maxRetryAfter = seconds(60);
    h.transport.script = {{429, "3600"}};
    try {
        h.make().send(get());
        FAIL();
    } catch (const HttpStatusError& e) {
        EXPECT_NE(std::string(e.what()).find("asked us to wait 3600 s"), std::string::npos) << e.what();
    }
    EXPECT_EQ(h.slept.count(), 0);
}

TEST(ResilientClient, TheRetryBudgetBoundsAllWaiting) {
    Harness h;
    h.options.maxAttempts = 100;
    h.options.budget = seconds(5);
    for (int i = 0; i < 100; ++i) h.transport.script.push_back({503, "2"});
    EXPECT_THROW(h.make().send(get()), NetworkError);
    EXPECT_LE(h.slept.count(), 5000);
    EXPECT_EQ(h.transport.sends, 3);  // waits of 2 s: 2 + 2 fit, a third would pass 5 s
}

TEST(ResilientClient, CancellationStopsTheWait) {
    Harness h;
    h.transport.script = {{503, "30"}, {200, ""}};
    auto& c = h.make();
    h.cancel = true;
    EXPECT_THROW(c.send(get()), InterruptedError);
    EXPECT_EQ(h.transport.sends, 0);  // cancelled before even sending
}

namespace {
class FlakyHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit FlakyHandler(std::atomic<int>& count) : count_(count) {}
    void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& res) override {
        int n = ++count_;
        if (n <= 2) {
            res.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
            res.set("Retry-After", "0");
            res.send() << "busy";
        } else {
            res.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
            res.send() << "{\"ok\":true}";
        }
    }

private:
    std::atomic<int>& count_;
};
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::atomic<int>& count) : count_(count) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new FlakyHandler(count_);
    }

private:
    std::atomic<int>& count_;
};
}  // namespace

TEST(ResilientClient, AgainstARealLoopbackServer) {
    std::atomic<int> count{0};
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new Factory(count), socket, new Poco::Net::HTTPServerParams);
    server.start();
    config::EnvironmentProfile profile;
    profile.name = "test";
    profile.allowHttp = true;
    http::PocoHttpTransport transport(profile, 5);
    RateLimiter limiter(500);
    ResilientClient client("test server", transport, limiter);
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/x";
    auto res = client.send(r);
    server.stop();
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "{\"ok\":true}");
    EXPECT_EQ(count.load(), 3);
    EXPECT_EQ(client.stats().byStatus[503], 2);
}
