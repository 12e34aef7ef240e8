// Answers cut short on a real connection: a loopback server that promises a Content-Length and
// closes early, or sends JSON that ends mid-document. Through the host's real transport, an
// idempotent request is sent again like after a broken connection; one that is not idempotent
// fails at once as a network error (it may have been carried out).
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/http/ResilientClient.h"

using namespace ledgerbridge;
using namespace ledgerbridge::http;

namespace {

/// Answers each connection's one request with the next scripted raw HTTP response, then closes.
class RawServer {
public:
    RawServer() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        thread_ = std::thread([this] { serve(); });
    }
    ~RawServer() {
        stop_ = true;
        Poco::Net::StreamSocket wake;
        try {
            wake.connect(socket_.address());
        } catch (...) {
        }
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + path;
    }
    void script(std::string raw) {
        std::lock_guard<std::mutex> l(m_);
        answers_.push_back(std::move(raw));
    }
    int requests() const { return requests_; }

    /// A response promising `length` bytes of which only `body` is sent.
    static std::string promise(std::size_t length, const std::string& body, const std::string& type = "application/json") {
        return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(length) +
               "\r\nConnection: close\r\n\r\n" + body;
    }

private:
    void serve() {
        while (!stop_) {
            Poco::Net::StreamSocket s = socket_.acceptConnection();
            if (stop_) return;
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                int n = s.receiveBytes(buffer, sizeof buffer);
                if (n <= 0) break;
                request.append(buffer, static_cast<std::size_t>(n));
            }
            ++requests_;
            std::string raw = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            {
                std::lock_guard<std::mutex> l(m_);
                if (!answers_.empty()) {
                    raw = answers_.front();
                    answers_.pop_front();
                }
            }
            s.sendBytes(raw.data(), static_cast<int>(raw.size()));
            s.shutdown();
            s.close();
        }
    }

    Poco::Net::ServerSocket socket_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::mutex m_;
    std::deque<std::string> answers_;
};

struct Client {
    http::PocoHttpTransport transport;
    RateLimiter limiter{0};
    ResilientClient client;
    static config::EnvironmentProfile profile() {
        config::EnvironmentProfile p;
        p.name = "test";
        p.allowHttp = true;
        return p;
    }
    static RetryOptions options() {
        RetryOptions o;
        o.baseDelay = std::chrono::milliseconds(1);
        o.maxDelay = std::chrono::milliseconds(2);
        o.maxAttempts = 3;
        return o;
    }
    Client() : transport(profile(), 5), client("Pleo", transport, limiter, options()) {}
};

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    return r;
}

const std::string kPage = R"({"data":[{"accountingEntryId":"a"}],"pagination":{"hasNextPage":false}})";

}  // namespace

TEST(TruncatedResponse, FewerBytesThanPromisedIsSentAgain) {
    RawServer server;
    Client c;
    server.script(RawServer::promise(kPage.size(), kPage.substr(0, 30)));  // the connection ends early
    server.script(RawServer::promise(kPage.size(), kPage));
    HttpResponse r = c.client.send(get(server.url("/v3/export-items?job_id=j")));
    EXPECT_EQ(r.body, kPage);
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(c.client.stats().cutShort, 1);
    EXPECT_EQ(c.client.stats().retries, 1);
}

TEST(TruncatedResponse, JsonThatEndsEarlyIsSentAgainEvenWithAMatchingLength) {
    RawServer server;
    Client c;
    const std::string cut = kPage.substr(0, 40);
    server.script(RawServer::promise(cut.size(), cut));  // a proxy that cut the document and fixed the length
    server.script(RawServer::promise(kPage.size(), kPage));
    EXPECT_EQ(c.client.send(get(server.url("/v3/export-items"))).body, kPage);
    EXPECT_EQ(server.requests(), 2);
}

TEST(TruncatedResponse, AnswersThatStayCutShortFailAsANetworkErrorNamingTheRequest) {
    RawServer server;
    Client c;
    for (int i = 0; i < 3; ++i) server.script(RawServer::promise(500, kPage.substr(0, 10)));
    try {
        c.client.send(get(server.url("/v3/export-items?job_id=j&after=SECRET-CURSOR")));
        FAIL();
    } catch (const NetworkError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("Pleo's answer to GET http://127.0.0.1:"), std::string::npos) << m;
        EXPECT_NE(m.find("/v3/export-items was cut short 3 times in a row (the body ended after 10 of the 500 bytes"),
                  std::string::npos) << m;
        EXPECT_EQ(m.find("SECRET-CURSOR"), std::string::npos) << "the query stays out of messages";
    }
    EXPECT_EQ(server.requests(), 3);
}

TEST(TruncatedResponse, ARequestThatIsNotIdempotentIsNotSentAgain) {
    RawServer server;
    Client c;
    server.script(RawServer::promise(200, R"({"data":{"id":)"));
    HttpRequest post = get(server.url("/v3/export-jobs"));
    post.method = "POST";
    post.body = "{}";
    try {
        c.client.send(post, /*idempotent=*/false);
        FAIL();
    } catch (const NetworkError& e) {
        EXPECT_NE(std::string(e.what()).find("was cut short (the body ended after 14 of the 200 bytes"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("the request may have been carried out"), std::string::npos);
    }
    EXPECT_EQ(server.requests(), 1);
}
