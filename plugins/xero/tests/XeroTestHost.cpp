// Real-HTTP host services for the Xero plugin's tests: see XeroTestHost.hpp.
#include "XeroTestHost.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <istream>

namespace ledgerbridge::xerotest {

std::string header(const Headers& headers, const std::string& name) {
    for (const auto& [k, v] : headers)
        if (Poco::icompare(k, name) == 0) return v;
    return {};
}

std::optional<sdk::HttpResponse> sendHttp(const sdk::HttpRequest& request, const std::string& bearerToken,
                                          std::string& error) {
    try {
        const Poco::URI uri(request.url);
        if (uri.getScheme() != "http" || uri.getHost() != "127.0.0.1") {
            error = "the test host only sends http:// requests to 127.0.0.1";
            return std::nullopt;
        }
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        const Poco::Timespan timeout(static_cast<long>(request.timeoutMs ? request.timeoutMs / 1000 : 30),
                                     static_cast<long>(request.timeoutMs % 1000) * 1000);
        session.setTimeout(timeout);
        Poco::Net::HTTPRequest req(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : request.headers) req.set(k, v);
        if (request.useTargetToken) req.set("Authorization", "Bearer " + bearerToken);
        if (request.method != "GET" && request.method != "HEAD")
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        std::ostream& os = session.sendRequest(req);
        os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        Poco::Net::HTTPResponse resp;
        std::istream& is = session.receiveResponse(resp);
        sdk::HttpResponse out;
        out.status = static_cast<int>(resp.getStatus());
        for (const auto& [k, v] : resp) out.headers.emplace_back(k, v);
        char buffer[65536];
        while (is.read(buffer, sizeof buffer) || is.gcount() > 0) out.body.append(buffer, static_cast<std::size_t>(is.gcount()));
        return out;
    } catch (const Poco::Exception& e) {
        error = "the request to " + request.url + " failed (" + e.displayText() + ")";
        return std::nullopt;
    }
}

std::optional<sdk::HttpResponse> XeroTestHost::http(const std::string& plugin, const sdk::HttpRequest& request,
                                                    std::string& error) {
    MemoryHost::http(plugin, request, error);  // records "METHOD url" in `requests`; no network there
    error.clear();
    Exchange ex;
    ex.method = request.method;
    ex.url = request.url;
    ex.requestHeaders = request.headers;
    ex.requestBytes = request.body.size();
    std::optional<sdk::HttpResponse> r = sendHttp(request, token.value_or(""), error);
    if (r && loseResponse && loseResponse(request)) {
        r.reset();
        error = "timed out waiting for the response (simulated)";
    }
    if (r) {
        ex.status = r->status;
        ex.responseHeaders = r->headers;
        ex.responseBody = r->body;
    }
    std::lock_guard<std::mutex> lock(exchangeMutex_);
    exchanges_.push_back(std::move(ex));
    return r;
}

std::vector<Exchange> XeroTestHost::exchangesSnapshot() {
    std::lock_guard<std::mutex> lock(exchangeMutex_);
    return exchanges_;
}

}  // namespace ledgerbridge::xerotest
