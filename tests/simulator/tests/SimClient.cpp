// HTTPS test client over Poco with the simulator's CA as the only trust anchor.
#include "SimClient.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/DigestEngine.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

namespace simtest {

namespace {
struct SslInit {
    SslInit() { Poco::Net::initializeSSL(); }
} sslInit;
}  // namespace

Poco::Dynamic::Var HttpResult::json() const { return Poco::JSON::Parser().parse(body); }

Poco::JSON::Object::Ptr HttpResult::object() const { return json().extract<Poco::JSON::Object::Ptr>(); }

std::string HttpResult::header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? "" : it->second;
}

SimClient::SimClient(const ledgerbridge::testsupport::SimulatorProcess& sim) : sim_(sim) {}

HttpResult SimClient::request(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers, const std::string& contentType) {
    Poco::URI uri(target.rfind("http", 0) == 0 ? target : sim_.baseUrl() + target);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
        // Strict verification against the simulator's own CA only.
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, sim_.caFile(),
                                                             Poco::Net::Context::VERIFY_STRICT, 9, false);
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest req(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& h : headers) req.set(h.first, h.second);
    if (!body.empty() || method == "POST" || method == "PUT") {
        req.setContentType(contentType);
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session->sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session->receiveResponse(resp);
    HttpResult r;
    r.status = resp.getStatus();
    Poco::StreamCopier::copyToString(in, r.body);
    if (resp.hasContentLength() && static_cast<Poco::Int64>(r.body.size()) != resp.getContentLength64())
        throw Poco::IOException("short body: got " + std::to_string(r.body.size()) + " of " +
                                std::to_string(resp.getContentLength64()) + " bytes");
    for (const auto& h : resp) {
        std::string name = h.first;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = h.second;
    }
    return r;
}

HttpResult SimClient::get(const std::string& target, const std::string& authorization) {
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    return request("GET", target, "", h);
}

HttpResult SimClient::postJson(const std::string& target, const std::string& body, const std::string& authorization) {
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    return request("POST", target, body, h);
}

HttpResult SimClient::putJson(const std::string& target, const std::string& body, const std::string& authorization) {
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    return request("PUT", target, body, h);
}

HttpResult SimClient::postForm(const std::string& target, const std::string& form, const std::string& authorization) {
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    return request("POST", target, form, h, "application/x-www-form-urlencoded");
}

Poco::JSON::Object::Ptr SimClient::admin(const std::string& method, const std::string& path, const std::string& body) {
    HttpResult r = request(method, "/admin" + path, body);
    EXPECT_GE(r.status, 200) << r.body;
    EXPECT_LT(r.status, 300) << method << " /admin" << path << ": " << r.body;
    return r.object();
}

std::string SimClient::companyId(int index) {
    auto data = admin("GET", "/companies")->getArray("data");
    return data->getObject(static_cast<unsigned>(index))->getValue<std::string>("id");
}

std::string SimClient::apiKeyAuth(int index, const std::string& scope) {
    std::string body = "{\"companyId\":\"" + companyId(index) + "\"" + (scope.empty() ? "" : ",\"scope\":\"" + scope + "\"") + "}";
    return basic(admin("POST", "/api-keys", body)->getValue<std::string>("apiKey"), "");
}

Tokens SimClient::login(int companyIndex, const std::string& scope) {
    admin("POST", "/oauth/auto-approve", "{\"enabled\":true,\"companyId\":\"" + companyId(companyIndex) + "\"}");
    const std::string verifier = "verifier-0123456789-0123456789-0123456789-abcdefgh";
    HttpResult a = get("/oauth/authorize?" + formEncode({{"response_type", "code"},
                                                         {"client_id", "ledgerbridge-demo"},
                                                         {"redirect_uri", "http://127.0.0.1:8765/callback"},
                                                         {"scope", scope},
                                                         {"state", "st"},
                                                         {"code_challenge", pkceChallenge(verifier)},
                                                         {"code_challenge_method", "S256"}}));
    EXPECT_EQ(a.status, 302) << a.body;
    std::string code = queryParam(a.header("location"), "code");
    HttpResult t = postForm("/oauth/token",
                            formEncode({{"grant_type", "authorization_code"},
                                        {"code", code},
                                        {"redirect_uri", "http://127.0.0.1:8765/callback"},
                                        {"code_verifier", verifier}}),
                            basic("ledgerbridge-demo", "demo-secret"));
    EXPECT_EQ(t.status, 200) << t.body;
    Tokens out;
    auto o = t.object();
    out.access = o->getValue<std::string>("access_token");
    out.refresh = o->getValue<std::string>("refresh_token");
    out.scope = o->getValue<std::string>("scope");
    out.expiresIn = o->getValue<long long>("expires_in");
    return out;
}

std::string SimClient::createJob(int companyIndex, int items) {
    auto o = admin("POST", "/export-jobs",
                   "{\"companyId\":\"" + companyId(companyIndex) + "\",\"items\":" + std::to_string(items) + "}");
    return o->getObject("data")->getValue<std::string>("id");
}

std::string basic(const std::string& user, const std::string& password) {
    std::ostringstream os;
    Poco::Base64Encoder enc(os);
    enc.rdbuf()->setLineLength(0);
    enc << user << ':' << password;
    enc.close();
    return "Basic " + os.str();
}

std::string bearer(const std::string& token) { return "Bearer " + token; }

std::string formEncode(const std::map<std::string, std::string>& fields) {
    std::string out;
    for (const auto& kv : fields) {
        std::string v;
        Poco::URI::encode(kv.second, "!#$&'()*+,/:;=?@[] ", v);
        out += (out.empty() ? "" : "&") + kv.first + "=" + v;
    }
    return out;
}

std::string pkceChallenge(const std::string& verifier) {
    Poco::Crypto::DigestEngine sha("SHA256");
    sha.update(verifier);
    const auto& d = sha.digest();
    std::ostringstream os;
    Poco::Base64Encoder enc(os, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    enc.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
    enc.close();
    return os.str();
}

std::string queryParam(const std::string& url, const std::string& name) {
    for (const auto& kv : Poco::URI(url).getQueryParameters())
        if (kv.first == name) return kv.second;
    return "";
}

}  // namespace simtest
