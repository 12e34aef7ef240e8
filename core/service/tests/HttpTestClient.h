// A tiny loopback HTTP client for the service tests (Poco HTTPClientSession).
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <map>
#include <sstream>
#include <string>

namespace lbtest {

struct HttpReply {
    int status = 0;
    std::string body;
};

inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& path,
                      const std::string& body = {}, const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (method == "POST") {
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    HttpReply r;
    r.status = static_cast<int>(res.getStatus());
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.body = out.str();
    return r;
}

}  // namespace lbtest
