// A scripted Pleo on loopback (a real HTTP server): answers are queued in order and every
// request is recorded (method, URI, Authorization, body), so a test can check exactly what a
// client sent. Shared by the integration clients' tests.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ledgerbridge::pleotest {

struct Seen {
    std::string method, uri, auth, contentType, body;
};

class ScriptedPleo {
public:
    ScriptedPleo() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~ScriptedPleo() { server_->stop(); }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
    void answer(int status, std::string body = {}) {
        std::lock_guard<std::mutex> l(m_);
        answers_.push_back({status, std::move(body)});
    }
    std::vector<Seen> seen() {
        std::lock_guard<std::mutex> l(m_);
        return seen_;
    }

private:
    struct Answer {
        int status;
        std::string body;
    };
    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(ScriptedPleo& p) : p_(p) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            Seen s{req.getMethod(), req.getURI(), req.get("Authorization", ""), req.get("Content-Type", ""), ""};
            Poco::StreamCopier::copyToString(req.stream(), s.body);
            Answer a{500, "{\"type\":\"SCRIPT_EMPTY\",\"message\":\"no answer scripted\"}"};
            {
                std::lock_guard<std::mutex> l(p_.m_);
                p_.seen_.push_back(s);
                if (!p_.answers_.empty()) {
                    a = p_.answers_.front();
                    p_.answers_.pop_front();
                }
            }
            res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
            if (a.body.empty()) {
                res.setContentLength(0);
                res.send();
            } else {
                res.setContentType("application/json;charset=UTF-8");
                res.send() << a.body;
            }
        }

    private:
        ScriptedPleo& p_;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(ScriptedPleo& p) : p_(p) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(p_); }

    private:
        ScriptedPleo& p_;
    };

    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::mutex m_;
    std::deque<Answer> answers_;
    std::vector<Seen> seen_;
};

}  // namespace ledgerbridge::pleotest
