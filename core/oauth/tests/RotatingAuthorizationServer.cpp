// The rotating authorization server of the OAuth edge-case tests: see RotatingAuthorizationServer.h.
#include "RotatingAuthorizationServer.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Random.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <set>
#include <sstream>

namespace ledgerbridge::oauth::testas {

using Clock = std::chrono::system_clock;

struct RotatingAuthorizationServer::State {
    mutable std::mutex mutex;
    std::condition_variable changed;  // a token request arrived, or the server stops
    std::string clientId, clientSecret;
    int lifetimeSeconds = 900;
    std::string currentRefresh;
    std::set<std::string> spentRefresh;
    std::map<std::string, Clock::time_point> accessTokens;  // live access token -> expiry
    bool revoked = false;
    int stallSeconds = 0;
    bool dropNext = false;
    bool stopping = false;
    Counts counts;
    std::string lastClientScope;
    Poco::Random random;

    State() { random.seed(); }

    std::string newToken(const char* prefix) {
        std::ostringstream s;
        s << prefix;
        for (int i = 0; i < 4; ++i) s << std::hex << random.next();
        return s.str();
    }
    std::string issueAccess() {
        std::string t = newToken("at-");
        accessTokens[t] = Clock::now() + std::chrono::seconds(lifetimeSeconds);
        return t;
    }
    bool accessValid(const std::string& token) const {
        auto it = accessTokens.find(token);
        return !revoked && it != accessTokens.end() && Clock::now() < it->second;
    }
};

namespace {

void reply(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    response.setContentLength(static_cast<std::streamsize>(json.size()));
    response.send() << json;
}

std::string oauthError(const std::string& error, const std::string& description) {
    return R"({"error":")" + error + R"(","error_description":")" + description + R"("})";
}

std::map<std::string, std::string> formFields(const std::string& body) {
    Poco::URI u;
    u.setRawQuery(body);
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : u.getQueryParameters()) out[k] = v;
    return out;
}

}  // namespace

class RotatingAuthorizationServer::Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(std::shared_ptr<State> state) : s_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        const std::string path = Poco::URI(request.getURI()).getPath();
        if (request.getMethod() == "POST" && path == "/oauth/token") return token(request, response, body);
        if (request.getMethod() == "POST" && path == "/oauth/token/introspect") return introspect(request, response, body);
        if (request.getMethod() == "GET" && path == "/api/ping") return ping(request, response);
        reply(response, 404, R"({"error":"not_found"})");
    }

private:
    /// RFC 6749 section 2.3.1: HTTP Basic with the form-urlencoded id and secret.
    bool clientAuthenticated(Poco::Net::HTTPServerRequest& request) {
        if (!request.hasCredentials()) return false;
        try {
            Poco::Net::HTTPBasicCredentials basic(request);
            std::string id, secret;
            Poco::URI::decode(basic.getUsername(), id, true);
            Poco::URI::decode(basic.getPassword(), secret, true);
            return id == s_->clientId && secret == s_->clientSecret;
        } catch (const Poco::Exception&) {
            return false;
        }
    }

    void refuseClient(Poco::Net::HTTPServerResponse& response) {
        ++s_->counts.invalidClient;
        response.set("WWW-Authenticate", "Basic realm=\"rotating-as\"");
        reply(response, 401, oauthError("invalid_client", "Client authentication failed."));
    }

    void token(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, const std::string& body) {
        std::unique_lock<std::mutex> lock(s_->mutex);
        ++s_->counts.tokenRequests;
        s_->changed.notify_all();
        if (!clientAuthenticated(request)) return refuseClient(response);
        auto form = formFields(body);
        if (form["grant_type"] == "client_credentials") {
            // Section 4.4.3: an access token, and no refresh token SHOULD be included.
            s_->lastClientScope = form["scope"];
            ++s_->counts.clientTokens;
            return reply(response, 200,
                         R"({"access_token":")" + s_->issueAccess() + R"(","token_type":"Bearer","expires_in":)" +
                             std::to_string(s_->lifetimeSeconds) + "}");
        }
        if (form["grant_type"] != "refresh_token")
            return reply(response, 400, oauthError("unsupported_grant_type", "Only refresh_token is served here."));
        const std::string presented = form["refresh_token"];
        if (s_->revoked) return reply(response, 400, oauthError("invalid_grant", "The grant was revoked."));
        if (presented != s_->currentRefresh) {
            if (s_->spentRefresh.count(presented)) {
                // RFC 6819 section 5.2.2.3 / OAuth 2.1: a replayed refresh token revokes the grant.
                ++s_->counts.replays;
                s_->revoked = true;
                s_->accessTokens.clear();
                return reply(response, 400, oauthError("invalid_grant", "Refresh token reused; the grant is revoked."));
            }
            return reply(response, 400, oauthError("invalid_grant", "Unknown refresh token."));
        }
        s_->spentRefresh.insert(presented);
        s_->currentRefresh = s_->newToken("rt-");
        const std::string access = s_->issueAccess();
        ++s_->counts.rotations;
        if (s_->dropNext) {
            s_->dropNext = false;
            // Rotated, and the answer never leaves: the client sees the connection close.
            response.setKeepAlive(false);
            static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
            return;
        }
        if (const int stall = s_->stallSeconds; stall > 0) {
            s_->stallSeconds = 0;
            s_->changed.wait_for(lock, std::chrono::seconds(stall), [this] { return s_->stopping; });
            if (s_->stopping) return;
        }
        reply(response, 200,
              R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":)" +
                  std::to_string(s_->lifetimeSeconds) + R"(,"refresh_token":")" + s_->currentRefresh +
                  R"(","scope":"export:read export:write"})");
    }

    void introspect(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                    const std::string& body) {
        std::lock_guard<std::mutex> lock(s_->mutex);
        if (!clientAuthenticated(request)) return refuseClient(response);
        const std::string token = formFields(body)["token"];
        if (!s_->accessValid(token)) return reply(response, 200, R"({"active":false})");
        const auto exp = std::chrono::duration_cast<std::chrono::seconds>(s_->accessTokens[token].time_since_epoch());
        reply(response, 200,
              R"({"active":true,"scope":"export:read export:write","client_id":")" + s_->clientId +
                  R"(","sub":"urn:test:company","exp":)" + std::to_string(exp.count()) + "}");
    }

    void ping(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        std::lock_guard<std::mutex> lock(s_->mutex);
        const std::string auth = request.get("Authorization", "");
        const std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : std::string();
        if (!s_->accessValid(token)) {
            ++s_->counts.apiRefused;
            response.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return reply(response, 401, R"({"error":"invalid_token"})");
        }
        ++s_->counts.apiAccepted;
        reply(response, 200, R"({"ok":true})");
    }

    std::shared_ptr<State> s_;
};

class RotatingAuthorizationServer::Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<State> state) : s_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(s_);
    }

private:
    std::shared_ptr<State> s_;
};

RotatingAuthorizationServer::RotatingAuthorizationServer(std::string clientId, std::string clientSecret)
    : state_(std::make_shared<State>()) {
    state_->clientId = std::move(clientId);
    state_->clientSecret = std::move(clientSecret);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_),
                                                      Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                                                      params);
    server_->start();
}

RotatingAuthorizationServer::~RotatingAuthorizationServer() {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->stopping = true;
    }
    state_->changed.notify_all();
    server_->stopAll(true);
}

std::string RotatingAuthorizationServer::baseUrl() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
}

std::pair<std::string, std::string> RotatingAuthorizationServer::issueGrant() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->revoked = false;
    state_->currentRefresh = state_->newToken("rt-");
    return {state_->issueAccess(), state_->currentRefresh};
}

void RotatingAuthorizationServer::setAccessLifetime(int seconds) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->lifetimeSeconds = seconds;
}

void RotatingAuthorizationServer::setClientSecret(const std::string& secret) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->clientSecret = secret;
}

void RotatingAuthorizationServer::stallNextRefresh(int seconds) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stallSeconds = seconds;
}

void RotatingAuthorizationServer::dropNextRefreshAnswer() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->dropNext = true;
}

RotatingAuthorizationServer::Counts RotatingAuthorizationServer::counts() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->counts;
}

bool RotatingAuthorizationServer::waitForTokenRequests(int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->counts.tokenRequests >= n; });
}

bool RotatingAuthorizationServer::grantRevoked() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->revoked;
}

std::string RotatingAuthorizationServer::lastClientScope() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->lastClientScope;
}

}  // namespace ledgerbridge::oauth::testas
