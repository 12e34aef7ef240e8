// The loopback redirect listener and pasted redirect URLs.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Base64Encoder.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <random>
#include <stdexcept>
#include <future>
#include <sstream>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/LoginPage.h"
#include "ledgerbridge/oauth/LoopbackReceiver.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;

namespace {

// A port the receiver can bind a moment later. Not one the kernel hands out (port 0): that
// comes from the ephemeral range, where any other test's outgoing connection may take it as its
// source port before the receiver binds it (the receiver then fails, rightly, with "port taken").
// Below the ephemeral range (Linux: 32768-60999) only a listener takes a port.
int freePort() {
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> below(20000, 32000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int port = below(random);
        try {
            Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
            return port;
        } catch (const Poco::Exception&) {
            // taken: try another
        }
    }
    throw std::runtime_error("no free loopback port between 20000 and 32000");
}

struct Answer {
    int status = 0;
    std::string reason, body;
    Poco::Net::NameValueCollection headers;
};

Answer request(int port, const std::string& pathAndQuery, const std::string& method = "GET") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& is = session.receiveResponse(resp);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(is, out);
    Answer a;
    a.status = static_cast<int>(resp.getStatus());
    a.reason = resp.getReason();
    a.body = out.str();
    for (const auto& [name, value] : resp) a.headers.add(name, value);
    return a;
}

int get(int port, const std::string& pathAndQuery, std::string* body = nullptr) {
    Answer a = request(port, pathAndQuery);
    if (body) *body = a.body;
    return a.status;
}

std::string url(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/callback"; }

// The CSP's style hash computed here with Poco, not with the OpenSSL code that writes it.
std::string independentStyleHash(const std::string& style) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(style);
    const auto& digest = sha.digest();
    std::ostringstream b64;
    Poco::Base64Encoder enc(b64);
    enc.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    enc.close();
    return "sha256-" + b64.str();
}

void expectSecurityHeaders(const Answer& a) {
    EXPECT_EQ(a.headers.get("Content-Type", ""), "text/html; charset=utf-8");
    EXPECT_EQ(a.headers.get("Content-Security-Policy", ""),
              "default-src 'none'; style-src '" + independentStyleHash(loginPageStyle()) + "'; frame-ancestors 'none'");
    EXPECT_EQ(a.headers.get("Referrer-Policy", ""), "no-referrer");
    EXPECT_EQ(a.headers.get("X-Content-Type-Options", ""), "nosniff");
    EXPECT_EQ(a.headers.get("Cache-Control", ""), "no-store");
    EXPECT_NE(a.body.find("<html lang=\"en\">"), std::string::npos) << a.body;
    EXPECT_NE(a.body.find("<style>" + loginPageStyle() + "</style>"), std::string::npos) << "the hashed block, verbatim";
}

}  // namespace

TEST(LoopbackReceiver, HandsBackTheRedirectWithThisLoginsStateAndHoldsTheBrowserUntilTheOutcome) {
    int port = freePort();
    LoopbackReceiver r(url(port), "xyz");
    auto browser = std::async(std::launch::async, [&] { return request(port, "/callback?code=abc%20def&state=xyz"); });
    auto p = r.wait(std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "abc def");
    EXPECT_EQ(p->get("state"), "xyz");
    EXPECT_EQ(browser.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
        << "the page is written only once the login has an outcome";
    r.respond(loginSucceededPage("'acme' (sim)", "urn:pleo:company:c0ffee"));
    Answer a = browser.get();
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.reason, "OK");
    EXPECT_NE(a.body.find("Access for connection &#39;acme&#39; (sim) was granted and stored for company "
                          "urn:pleo:company:c0ffee."),
              std::string::npos)
        << a.body;
    expectSecurityHeaders(a);
}

TEST(LoopbackReceiver, RequestsWithoutThisLoginsStateGetErrorPagesAndTheLoginKeepsWaiting) {
    int port = freePort();
    LoopbackReceiver r(url(port), "the-state");
    Answer favicon = request(port, "/favicon.ico");
    EXPECT_EQ(favicon.status, 404);
    EXPECT_EQ(favicon.reason, "Not Found");
    expectSecurityHeaders(favicon);
    for (const char* stray : {"/callback?code=x&state=old", "/callback?code=x", "/callback?error=access_denied",
                              "/callback?error=access_denied&state=the-stat", "/callback?code=x&state=the-statee"}) {
        Answer a = request(port, stray);
        EXPECT_EQ(a.status, 400) << stray;
        EXPECT_EQ(a.reason, "Bad Request") << stray;
        EXPECT_NE(a.body.find("<h1 class=\"err\">Not the login ledgerbridge is waiting for</h1>"), std::string::npos) << a.body;
        EXPECT_NE(a.body.find("The login in the terminal is still waiting"), std::string::npos) << a.body;
        expectSecurityHeaders(a);
    }
    Answer post = request(port, "/callback?code=x&state=the-state", "POST");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.reason, "Method Not Allowed");
    EXPECT_EQ(post.headers.get("Allow", ""), "GET");
    EXPECT_FALSE(r.wait(std::chrono::milliseconds(50))) << "no stray request ends the login";
    auto browser = std::async(std::launch::async, [&] { return request(port, "/callback?code=real&state=the-state"); });
    auto p = r.wait(std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "real");
    Answer reload = request(port, "/callback?code=real&state=the-state");
    EXPECT_EQ(reload.status, 409) << "a reload while the outcome is pending";
    EXPECT_EQ(reload.reason, "Conflict");
    EXPECT_NE(reload.body.find("This login already received its answer"), std::string::npos) << reload.body;
    EXPECT_EQ(reload.body.find("still waiting"), std::string::npos) << "it is no longer waiting: " << reload.body;
    r.respond(loginFailedPage("Access was declined <b>here</b>.", "ledgerbridge auth login --connection acme"));
    Answer a = browser.get();
    EXPECT_EQ(a.status, 403);
    EXPECT_EQ(a.reason, "Forbidden");
    EXPECT_NE(a.body.find("Access was declined &lt;b&gt;here&lt;/b&gt;."), std::string::npos) << a.body;
    EXPECT_NE(a.body.find("<code>ledgerbridge auth login --connection acme</code>"), std::string::npos) << a.body;
}

TEST(LoopbackReceiver, StrayRequestsDoNotExtendTheDeadline) {
    int port = freePort();
    LoopbackReceiver r(url(port), "s");
    std::atomic<bool> done{false};
    std::thread strays([&] {
        while (!done) {
            get(port, "/callback?code=x&state=old");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(r.wait(std::chrono::milliseconds(600)));
    auto waited = std::chrono::steady_clock::now() - start;
    done = true;
    strays.join();
    EXPECT_GE(waited, std::chrono::milliseconds(600));
    // Strays keep coming for as long as it waits: a wait that restarted on each would not end.
    EXPECT_LT(waited, std::chrono::seconds(5)) << "the deadline counts from the start, strays or not";
}

TEST(LoopbackReceiver, ABrowserStillWaitingWhenTheLoginEndsIsToldSo) {
    int port = freePort();
    std::future<Answer> browser;
    {
        LoopbackReceiver r(url(port), "s");
        browser = std::async(std::launch::async, [&] { return request(port, "/callback?code=c&state=s"); });
        ASSERT_TRUE(r.wait(std::chrono::seconds(5)));
    }  // no respond(): the flow ended by an exception that never reached it
    Answer a = browser.get();
    EXPECT_EQ(a.status, 500);
    EXPECT_EQ(a.reason, "Internal Server Error");
    EXPECT_NE(a.body.find("The login ended before it had an outcome."), std::string::npos) << a.body;
}

TEST(LoginPage, EverythingEchoedIsEscapedAndThePageIsComplete) {
    std::string html = renderLoginPage(loginFailedPage("<script>alert('x')</script> & \"q\"", "run --x <y>"));
    EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"), std::string::npos) << html;
    EXPECT_NE(html.find("<code>run --x &lt;y&gt;</code>"), std::string::npos) << html;
    EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_NE(html.find("<title>ledgerbridge was not authorised - ledgerbridge</title>"), std::string::npos);
    EXPECT_NE(html.find("<h1 class=\"err\">ledgerbridge was not authorised</h1>"), std::string::npos);
    for (const char* external : {"<link", "<script", "<img", "src=", "href=", "url("})
        EXPECT_EQ(html.find(external), std::string::npos) << "no external resource: " << external;
}

TEST(LoopbackReceiver, ATakenPortIsNamedInTheError) {
    Poco::Net::ServerSocket busy(Poco::Net::SocketAddress("127.0.0.1", 0));
    int port = busy.address().port();
    try {
        LoopbackReceiver r(url(port), "s");
        FAIL();
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
    }
}

TEST(LoopbackReceiver, RefusesANonLoopbackRedirectUri) {
    EXPECT_THROW(LoopbackReceiver("https://example.com/callback", "s"), ConfigError);
}

TEST(LoopbackReceiver, PastedUrlsAreParsedAndNonsenseIsExplained) {
    auto p = parseRedirectUrl("  http://127.0.0.1:8765/callback?code=c0de&state=s%2Bt\n");
    EXPECT_EQ(p.get("code"), "c0de");
    EXPECT_EQ(p.get("state"), "s+t");
    auto e = parseRedirectUrl("http://127.0.0.1:8765/callback?error=access_denied&state=s");
    EXPECT_EQ(e.get("error"), "access_denied");
    EXPECT_THROW(parseRedirectUrl("hello"), UsageError);
}

// Found by fuzz/targets/OAuthRedirectFuzz.cpp: a broken %-escape made Poco throw its own
// SyntaxException out of parseRedirectUrl (the login ended with an unexplained exception), and
// out of the listener's request handler (the browser got a dropped connection).
TEST(LoopbackReceiver, ABrokenPercentEscapeIsAUsageErrorNotAPocoException) {
    for (const char* text : {"http://127.0.0.1:8765/callback?code=%zz", "code=abc%", "error=%4"}) {
        try {
            parseRedirectUrl(text);
            FAIL() << text;
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("URL encoding"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("%zz"), std::string::npos) << "the code is repeated: " << e.what();
        }
    }
    EXPECT_THROW(parseRedirectTarget("/callback?code=%zz", "/callback"), UsageError);
    EXPECT_FALSE(parseRedirectTarget("/favicon.ico?x=1", "/callback"));
    auto p = parseRedirectTarget("/callback?code=a%2Bb&state=s", "/callback");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "a+b");
}

TEST(LoopbackReceiver, TheListenerAnswersAMangledRedirectWith400AndKeepsWaiting) {
    int port = freePort();
    LoopbackReceiver r(url(port), "s");
    std::string body;
    EXPECT_EQ(get(port, "/callback?code=%zz&state=s", &body), 400);
    EXPECT_NE(body.find("paste the address"), std::string::npos) << body;
    EXPECT_FALSE(r.wait(std::chrono::milliseconds(50)));
    auto browser = std::async(std::launch::async, [&] { return get(port, "/callback?code=good&state=s"); });
    auto p = r.wait(std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "good");
    r.respond(loginSucceededPage("'acme' (sim)", ""));
    EXPECT_EQ(browser.get(), 200);
}
