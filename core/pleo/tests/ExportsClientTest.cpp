// The Pleo client against a scripted Pleo on loopback (a real HTTP server): the requests it
// sends (paths, query, bodies, credential), how every error status maps to the engine's
// errors, one refresh on 401, and refusal of truncated or hostile JSON with a message that
// names the endpoint. The happy path against the full simulator is in core/host's end-to-end
// tests.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <deque>
#include <mutex>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"

using namespace ledgerbridge;

namespace {

struct Seen {
    std::string method, uri, auth, body;
};
struct Answer {
    int status = 200;
    std::string body;
};

class ScriptedPleo {
public:
    ScriptedPleo() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~ScriptedPleo() { server_->stop(); }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
    void answer(int status, std::string body) {
        std::lock_guard<std::mutex> l(m_);
        answers_.push_back({status, std::move(body)});
    }
    std::vector<Seen> seen() {
        std::lock_guard<std::mutex> l(m_);
        return seen_;
    }

private:
    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(ScriptedPleo& p) : p_(p) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            Seen s{req.getMethod(), req.getURI(), req.get("Authorization", ""), ""};
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
            res.setContentType("application/json");
            res.send() << a.body;
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

/// A credential that rotates once on 401.
class FakeAuth : public oauth::AuthorizationSource {
public:
    int refreshes = 0;
    std::string authorizationHeader() override { return "Bearer token-" + std::to_string(refreshes); }
    std::string onUnauthorized(const std::string&) override {
        ++refreshes;
        return authorizationHeader();
    }
};

struct Fixture : ::testing::Test {
    ScriptedPleo pleo;
    FakeAuth auth;
    std::unique_ptr<http::PocoHttpTransport> transport;
    std::unique_ptr<pleo::ExportsClient> client;
    void SetUp() override {
        config::EnvironmentProfile profile;
        profile.name = "test";
        profile.allowHttp = true;
        transport = std::make_unique<http::PocoHttpTransport>(profile, 5);
        pleo::ClientOptions o;
        o.retry.baseDelay = std::chrono::milliseconds(1);
        o.retry.maxDelay = std::chrono::milliseconds(2);
        client = std::make_unique<pleo::ExportsClient>(pleo.base(), *transport, auth, o);
    }
};

const char* kJob = R"({"id":"11111111-1111-4111-8111-111111111111","status":"pending","numberOfItems":3,
  "companyId":"c","createdAt":"2026-01-01T00:00:00Z","expiresIn":3600,"isInteractive":false,"vendorBasedBookkeeping":false})";

std::string page(const std::string& data, bool next, const std::string& cursor) {
    return "{\"data\":[" + data + "],\"pagination\":{\"hasNextPage\":" + (next ? "true" : "false") +
           ",\"hasPreviousPage\":false,\"endCursor\":\"" + cursor + "\",\"currentRequestPagination\":{}}}";
}

}  // namespace

TEST_F(Fixture, ListsJobsAcrossPagesWithTheCompanyUuidAndStatuses) {
    pleo.answer(200, page(kJob, true, "CURSOR2"));
    pleo.answer(200, page(kJob, false, "CURSOR3"));
    auto jobs = client->listJobs("urn:pleo:company:9cc0a9fd-b8e1-46ee-9d89-c992626e2c3c", {"pending", "in_progress"});
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].status, "pending");
    EXPECT_EQ(jobs[0].numberOfItems, 3);
    auto seen = pleo.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].uri, "/v3/export-jobs?company_id=9cc0a9fd-b8e1-46ee-9d89-c992626e2c3c&limit=100&statuses=pending&statuses=in_progress");
    EXPECT_EQ(seen[1].uri, seen[0].uri + "&after=CURSOR2");
    EXPECT_EQ(seen[0].auth, "Bearer token-0");
    EXPECT_EQ(client->requestCount(), 2);
}

TEST_F(Fixture, A401RefreshesOnceAndRetriesOnce) {
    pleo.answer(401, R"({"type":"UNAUTHORIZED","message":"expired"})");
    pleo.answer(200, std::string("{\"data\":") + kJob + "}");
    EXPECT_EQ(client->getJob("11111111-1111-4111-8111-111111111111").status, "pending");
    EXPECT_EQ(auth.refreshes, 1);
    EXPECT_EQ(pleo.seen()[1].auth, "Bearer token-1");

    pleo.answer(401, "{}");
    pleo.answer(401, "{}");
    try {
        client->getJob("11111111-1111-4111-8111-111111111111");
        FAIL();
    } catch (const AuthError& e) {
        EXPECT_NE(std::string(e.what()).find("refused the connection's credential twice"), std::string::npos) << e.what();
    }
    EXPECT_EQ(auth.refreshes, 2);
    EXPECT_EQ(pleo.seen().size(), 4u);  // never a third attempt
}

TEST_F(Fixture, MapsPleoErrorsToTheEnginesErrors) {
    pleo.answer(404, R"({"type":"EXPORT_NOT_FOUND","message":"Export job not found."})");
    EXPECT_THROW(client->getJob("x"), exporter::JobClosedError);
    pleo.answer(422, R"({"type":"INVALID_EXPORT_JOB_STATUS_CHANGE","message":"Export Job status change failed"})");
    EXPECT_THROW(client->postEvent("x", "started", "", ""), exporter::JobClosedError);
    pleo.answer(422, R"({"type":"EXPORT_JOB_STATUS_UNPROCESSABLE","message":"Export job is finished."})");
    EXPECT_THROW(client->putResults("x", {{"e", true, "X1", "", "", "", ""}}), exporter::JobClosedError);
    pleo.answer(409, R"({"type":"EXPORT_ALREADY_IN_PROGRESS","message":"Export Job already in progress for this company."})");
    EXPECT_THROW(client->createJob("c", {"e"}), exporter::JobAlreadyActiveError);
    pleo.answer(403, R"({"type":"FORBIDDEN","message":"missing scope export-jobs:write"})");
    try {
        client->postEvent("x", "started", "", "");
        FAIL();
    } catch (const AuthError& e) {
        EXPECT_NE(std::string(e.what()).find("FORBIDDEN: missing scope export-jobs:write"), std::string::npos) << e.what();
    }
    pleo.answer(400, R"({"type":"INVALID_REQUEST_BODY","message":"bad"})");
    try {
        client->listJobs("c", {});
        FAIL();
    } catch (const HttpStatusError& e) {
        EXPECT_EQ(e.status(), 400);
        EXPECT_NE(std::string(e.what()).find("HTTP 400 to GET /v3/export-jobs: INVALID_REQUEST_BODY: bad"), std::string::npos)
            << e.what();
    }
}

TEST_F(Fixture, RefusesTruncatedAndHostileJsonNamingTheEndpoint) {
    auto expectProtocol = [&](const std::string& body, const std::string& fragment) {
        pleo.answer(200, body);
        try {
            client->exportItems("job-1", "", 100);
            ADD_FAILURE() << "accepted: " << body;
        } catch (const ProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("GET /v3/export-items"), std::string::npos) << e.what();
        }
    };
    expectProtocol("[1,2,3]", "not a JSON object");
    expectProtocol(R"({"data":{}})", "lacks the array 'data'");
    expectProtocol(R"({"data":[]})", "lacks 'pagination'");
    expectProtocol(R"({"data":[42],"pagination":{"hasNextPage":false}})", "not an object (position 0)");
    expectProtocol(R"({"data":[],"pagination":{"hasNextPage":true}})", "lacks the required field 'endCursor'");
    expectProtocol(R"({"data":[],"pagination":{"hasNextPage":false}}})", "not valid JSON");  // complete, malformed
}

// JSON that ends early is an answer cut short, not Pleo's answer: the GET is sent again like
// after a broken connection, and the page read from the whole answer.
TEST_F(Fixture, APageThatEndsEarlyIsFetchedAgain) {
    const std::string whole = page(R"({"accountingEntryId":"a"})", false, "");
    pleo.answer(200, whole.substr(0, whole.size() / 2));
    pleo.answer(200, whole);
    auto items = client->exportItems("job-1", "", 100);
    EXPECT_EQ(pleo.seen().size(), 2u);
    EXPECT_EQ(client->http().stats().cutShort, 1);
    ASSERT_EQ(items.items.size(), 1u);
    EXPECT_EQ(items.summaries[0].accountingEntryId, "a");
}

TEST_F(Fixture, AnswersThatKeepEndingEarlyFailAsANetworkErrorNotAProtocolError) {
    for (int i = 0; i < 6; ++i) pleo.answer(200, R"({"data":[{"accountingEntryId":"a"},{"accou)");
    try {
        client->exportItems("job-1", "", 100);
        FAIL();
    } catch (const ProtocolError& e) {
        FAIL() << "a truncated answer failed the run as a broken contract: " << e.what();
    } catch (const NetworkError& e) {
        EXPECT_NE(std::string(e.what()).find("was cut short 6 times in a row"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("/v3/export-items"), std::string::npos) << e.what();
    }
    EXPECT_EQ(pleo.seen().size(), 6u);
}

TEST_F(Fixture, PutsResultsInPleosShapeAndAtMostAHundred) {
    pleo.answer(200, R"({"data":[],"errors":[]})");
    client->putResults("job-1", {{"e1", true, "X1", "https://erp/x1", "2026-01-01T00:00:00Z", "", ""},
                                 {"e2", false, "", "", "", "account_unknown", "no account 9999"}});
    auto body = Poco::JSON::Parser().parse(pleo.seen().back().body).extract<Poco::JSON::Array::Ptr>();
    ASSERT_EQ(body->size(), 2u);
    auto ok = body->getObject(0), failed = body->getObject(1);
    EXPECT_EQ(ok->getValue<std::string>("status"), "successful");
    EXPECT_EQ(ok->getValue<std::string>("externalId"), "X1");
    EXPECT_FALSE(ok->has("failureReasonType"));
    EXPECT_EQ(failed->getValue<std::string>("status"), "failed");
    EXPECT_EQ(failed->getValue<std::string>("failureReasonType"), "account_unknown");
    EXPECT_EQ(pleo.seen().back().method, "PUT");
    std::vector<exporter::ItemResult> tooMany(101);
    EXPECT_THROW(client->putResults("job-1", tooMany), ProtocolError);
    EXPECT_EQ(pleo.seen().size(), 1u);
}

TEST_F(Fixture, ReceiptDownloadsCarryNoCredential) {
    pleo.answer(200, "%PDF-1.4 bytes");
    EXPECT_EQ(client->download(pleo.base() + "/files/0/1/pdf?expires=1&signature=abc"), "%PDF-1.4 bytes");
    EXPECT_EQ(pleo.seen().back().auth, "");
    pleo.answer(403, "expired");
    try {
        client->download(pleo.base() + "/files/0/1/pdf?expires=1&signature=abc");
        FAIL();
    } catch (const HttpStatusError& e) {
        EXPECT_NE(std::string(e.what()).find("its link has expired"), std::string::npos);
        EXPECT_EQ(std::string(e.what()).find("signature"), std::string::npos) << "the signed query stays out of messages";
    }
}

TEST_F(Fixture, RetriesA503ThenSucceeds) {
    pleo.answer(503, "{}");
    pleo.answer(200, std::string("{\"data\":") + kJob + "}");
    EXPECT_EQ(client->getJob("j").id, "11111111-1111-4111-8111-111111111111");
    EXPECT_EQ(pleo.seen().size(), 2u);
}
