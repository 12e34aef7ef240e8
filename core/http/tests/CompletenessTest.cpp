// What counts as an answer cut short: the promised Content-Length, and JSON that never closes.
#include <gtest/gtest.h>

#include "ledgerbridge/http/Completeness.h"

using namespace ledgerbridge;
using http::cutShort;
using http::jsonEndsEarly;

namespace {
http::HttpResponse answer(std::string body, std::string contentType = "application/json;charset=UTF-8",
                           std::string length = {}) {
    http::HttpResponse r;
    r.status = 200;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", std::move(contentType));
    if (!length.empty()) r.headers.emplace_back("Content-Length", std::move(length));
    return r;
}
}  // namespace

TEST(Completeness, JsonThatNeverClosesEndsEarly) {
    EXPECT_TRUE(jsonEndsEarly(R"({"data":[{"accountingEntryId":"a"},{"accou)"));
    EXPECT_TRUE(jsonEndsEarly(R"({"data":[])"));
    EXPECT_TRUE(jsonEndsEarly(R"(  ["a", "b")"));
    EXPECT_TRUE(jsonEndsEarly(R"({"text":"a quote \" and a brace } inside)")) << "escapes and braces in strings";
    EXPECT_TRUE(jsonEndsEarly(R"("unterminated)"));
    EXPECT_TRUE(jsonEndsEarly(R"({"ends with an escape":"\)"));
    EXPECT_TRUE(jsonEndsEarly(std::string(100000, '[')));

    EXPECT_FALSE(jsonEndsEarly(R"({"data":[{"a":"}]\\"}],"pagination":{"hasNextPage":false}})"));
    EXPECT_FALSE(jsonEndsEarly(R"(["a",{"b":[1,2,{}]}])"));
    EXPECT_FALSE(jsonEndsEarly(R"("a string")"));
    EXPECT_FALSE(jsonEndsEarly("{}\n"));
    EXPECT_FALSE(jsonEndsEarly("")) << "an empty body is not judged";
    EXPECT_FALSE(jsonEndsEarly("12")) << "a bare number is not judged";
    EXPECT_FALSE(jsonEndsEarly(R"({"a":1}})")) << "complete but malformed: the parser's error, not a truncation";
    EXPECT_FALSE(jsonEndsEarly("{\"name\":\"Åsa 日本\"}")) << "UTF-8 is just bytes here";
}

TEST(Completeness, FewerBytesThanTheContentLengthIsCutShort) {
    EXPECT_EQ(cutShort(answer("%PDF-1.4", "application/pdf", "20"), "GET"),
              "the body ended after 8 of the 20 bytes its Content-Length promised");
    EXPECT_EQ(cutShort(answer("%PDF-1.4", "application/pdf", "8"), "GET"), "");
    EXPECT_EQ(cutShort(answer("", "application/json", "0"), "POST"), "") << "an empty 202 is whole";
    EXPECT_EQ(cutShort(answer("", "application/json", "12"), "HEAD"), "") << "HEAD answers carry no body";
    EXPECT_EQ(cutShort(answer("", "", "junk"), "GET"), "") << "an unreadable length proves nothing";
}

TEST(Completeness, AJsonBodyThatEndsEarlyIsCutShortWhateverItsLength) {
    EXPECT_EQ(cutShort(answer(R"({"data":[)"), "GET"), "its JSON body (9 bytes) ends before its document closes");
    EXPECT_NE(cutShort(answer(R"({"data":[)", "application/problem+json"), "GET"), "");
    EXPECT_EQ(cutShort(answer(R"({"data":[)", "text/plain"), "GET"), "") << "not JSON: not judged";
    auto noContent = answer(R"({"data":[)");
    noContent.status = 204;
    EXPECT_EQ(cutShort(noContent, "GET"), "");
}
