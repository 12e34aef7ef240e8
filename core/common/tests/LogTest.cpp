// The log sink: JSON lines with context, human lines, levels, and no secret ever printed.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <sstream>

#include "LogSinkFixture.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

namespace lblog = ledgerbridge::log;

class LogTest : public LogSinkFixture {};

TEST_F(LogTest, JsonLineCarriesLevelMessageFieldsAndContext) {
    {
        lblog::LogContext ctx("run-42", "acme");
        lblog::info("job started", {{"job", "j-1"}});
    }
    lblog::info("after context");
    std::istringstream lines(out.str());
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    auto obj = Poco::JSON::Parser().parse(first).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(obj->getValue<std::string>("level"), "info");
    EXPECT_EQ(obj->getValue<std::string>("msg"), "job started");
    EXPECT_EQ(obj->getValue<std::string>("job"), "j-1");
    EXPECT_EQ(obj->getValue<std::string>("run"), "run-42");
    EXPECT_EQ(obj->getValue<std::string>("connection"), "acme");
    auto obj2 = Poco::JSON::Parser().parse(second).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(obj2->has("run"));
}

TEST_F(LogTest, LevelsBelowTheMinimumAreDropped) {
    lblog::configure(lblog::Level::Warn, lblog::Format::Json);
    lblog::info("quiet");
    lblog::warn("loud");
    EXPECT_EQ(out.str().find("quiet"), std::string::npos);
    EXPECT_NE(out.str().find("loud"), std::string::npos);
}

TEST_F(LogTest, SecretNeverReachesTheLogInAnyPosition) {
    const std::string secret = "cl1ent-s3cret-value/xyz";
    ledgerbridge::Redactor::global().add(secret);
    lblog::configure(lblog::Level::Debug, lblog::Format::Json);
    lblog::info("token " + secret, {{"url", "https://auth/?s=cl1ent-s3cret-value%2Fxyz"}, {"body", "{\"s\":\"" + secret + "\"}"}});
    lblog::configure(lblog::Level::Debug, lblog::Format::Human);
    lblog::error("again " + secret);
    EXPECT_EQ(out.str().find("cl1ent-s3cret"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("***"), std::string::npos);
}

TEST_F(LogTest, HumanFormatIsOneReadableLine) {
    lblog::configure(lblog::Level::Debug, lblog::Format::Human);
    lblog::warn("disk almost full", {{"free", "3%"}});
    EXPECT_NE(out.str().find("WARN  disk almost full  free=3%"), std::string::npos) << out.str();
}

TEST(LogParse, RejectsUnknownLevelAndFormatByName) {
    EXPECT_THROW(lblog::parseLevel("loud"), ledgerbridge::ConfigError);
    try {
        lblog::parseFormat("xml");
        FAIL() << "expected ConfigError";
    } catch (const ledgerbridge::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("'xml'"), std::string::npos);
    }
}
