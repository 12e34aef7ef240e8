// DoubleServer (the test doubles' HTTP server): when its destructor returns, the request in
// flight has finished and the server's dispatcher is freed with the handler factory it owns.
// Poco's own stopAll + ~HTTPServer returned while a worker of the default pool was still in a
// request and still held the dispatcher: what LeakSanitizer once reported at a test's exit.
#include "DoubleServer.hpp"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace {
struct Seen {
    std::atomic<bool> handling{false}, handled{false}, factoryGone{false};
};

class SlowHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit SlowHandler(Seen& seen) : seen_(seen) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        seen_.handling = true;
        // Busy until the server's destructor has begun (it shuts this connection down, so the
        // socket reads end-of-file), and a little longer: a destructor that does not wait
        // returns in that time.
        auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket();
        socket.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        seen_.handled = true;
        resp.setContentLength(0);
        resp.send();  // may throw: the server shut the socket down meanwhile (Poco catches it)
    }

private:
    Seen& seen_;
};

class ObservedFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ObservedFactory(Seen& seen) : seen_(seen) {}
    ~ObservedFactory() override { seen_.factoryGone = true; }
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new SlowHandler(seen_);
    }

private:
    Seen& seen_;
};
}  // namespace

TEST(DoubleServer, ItsDestructorWaitsForTheRequestInFlightAndFreesTheDispatcher) {
    Seen seen;
    std::thread client;
    {
        ledgerbridge::xerotest::DoubleServer server(new ObservedFactory(seen), 2, true);
        client = std::thread([port = server.port()] {
            try {
                Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
                Poco::Net::HTTPRequest request("GET", "/slow");
                session.sendRequest(request);
                Poco::Net::HTTPResponse response;
                session.receiveResponse(response);
            } catch (const Poco::Exception&) {
                // the server goes away during the request: the client's error is expected
            }
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!seen.handling && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (!seen.handling) {
            client.join();
            FAIL() << "the request never reached the handler";
        }
    }
    EXPECT_TRUE(seen.handled) << "the destructor returned while a worker was still in a request";
    EXPECT_TRUE(seen.factoryGone) << "a worker still holds the server's dispatcher (which owns the factory)";
    client.join();
}
