// The loopback redirect listener and pasted redirect URLs.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/oauth/LoopbackReceiver.h"

using namespace ledgerbridge;
using namespace ledgerbridge::oauth;

namespace {

int freePort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

int get(int port, const std::string& pathAndQuery, std::string* body = nullptr) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req("GET", pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& is = session.receiveResponse(resp);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(is, out);
    if (body) *body = out.str();
    return static_cast<int>(resp.getStatus());
}

}  // namespace

TEST(LoopbackReceiver, HandsBackTheRedirectParametersAndIgnoresOtherPaths) {
    int port = freePort();
    LoopbackReceiver r("http://127.0.0.1:" + std::to_string(port) + "/callback");
    EXPECT_EQ(get(port, "/favicon.ico"), 404);
    std::string body;
    EXPECT_EQ(get(port, "/callback?code=abc%20def&state=xyz", &body), 200);
    EXPECT_NE(body.find("You can close this window"), std::string::npos);
    auto p = r.wait(std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "abc def");
    EXPECT_EQ(p->get("state"), "xyz");
}

TEST(LoopbackReceiver, ATakenPortIsNamedInTheError) {
    Poco::Net::ServerSocket busy(Poco::Net::SocketAddress("127.0.0.1", 0));
    int port = busy.address().port();
    try {
        LoopbackReceiver r("http://127.0.0.1:" + std::to_string(port) + "/callback");
        FAIL();
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
    }
}

TEST(LoopbackReceiver, RefusesANonLoopbackRedirectUri) {
    EXPECT_THROW(LoopbackReceiver("https://example.com/callback"), ConfigError);
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
    LoopbackReceiver r("http://127.0.0.1:" + std::to_string(port) + "/callback");
    std::string body;
    EXPECT_EQ(get(port, "/callback?code=%zz&state=s", &body), 400);
    EXPECT_NE(body.find("paste the address"), std::string::npos) << body;
    EXPECT_FALSE(r.wait(std::chrono::milliseconds(50)));
    EXPECT_EQ(get(port, "/callback?code=good&state=s"), 200);
    auto p = r.wait(std::chrono::seconds(5));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->get("code"), "good");
}
