// What a log reader gets: typed JSON (numbers are numbers), text that survives any character,
// and the log file's habits (mode 0600, reopened after logrotate renamed it). Lines are read back
// with Poco's JSON parser (the sink assembles its lines itself; only string escaping is Poco's).
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "LogSinkFixture.h"
#include "ledgerbridge/common/Log.h"

namespace lblog = ledgerbridge::log;
namespace fs = std::filesystem;

namespace {

class LogFields : public LogSinkFixture {
protected:
    void TearDown() override {
        LogSinkFixture::TearDown();
        if (!dir.empty()) fs::remove_all(dir);
    }
    Poco::JSON::Object::Ptr lastLine() {
        std::istringstream lines(out.str());
        std::string line, last;
        while (std::getline(lines, line)) last = line;
        return Poco::JSON::Parser().parse(last).extract<Poco::JSON::Object::Ptr>();
    }
    fs::path tempDir() {
        dir = fs::temp_directory_path() / ("lb-logfields-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        return dir;
    }
    static std::vector<std::string> linesOf(const fs::path& file) {
        std::ifstream in(file);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
    fs::path dir;
};

}  // namespace

TEST_F(LogFields, NumbersAndBooleansAreJsonNumbersAndBooleansTextStaysText) {
    const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
    lblog::info("run finished", {{"entries", 20},
                                 {"requests", std::size_t{204}},
                                 {"behind_ms", -15L},
                                 {"ms", 12.3456},
                                 {"big", big},
                                 {"webhooks", true},
                                 {"account", "0123"},
                                 {"job", std::string("42")}});
    auto obj = lastLine();
    EXPECT_TRUE(obj->get("entries").isInteger());
    EXPECT_EQ(obj->getValue<int>("entries"), 20);
    EXPECT_EQ(obj->getValue<int>("requests"), 204);
    EXPECT_EQ(obj->getValue<int>("behind_ms"), -15);
    EXPECT_TRUE(obj->get("ms").isNumeric());
    EXPECT_DOUBLE_EQ(obj->getValue<double>("ms"), 12.346);
    EXPECT_EQ(obj->getValue<std::uint64_t>("big"), big) << "all 20 digits, not a rounded double";
    EXPECT_TRUE(obj->get("webhooks").isBoolean());
    EXPECT_TRUE(obj->getValue<bool>("webhooks"));
    // Text stays text, even when it looks like a number: an account "0123" is not 123.
    EXPECT_TRUE(obj->get("account").isString());
    EXPECT_EQ(obj->getValue<std::string>("account"), "0123");
    EXPECT_TRUE(obj->get("job").isString());
}

TEST_F(LogFields, AnyTextSurvivesTheRoundTrip) {
    const std::string nasty = std::string("quote \" backslash \\ slash / newline \n tab \t bell \x07 nul ") + '\0' +
                              " utf-8 \xc3\xa6\xc3\xb8\xc3\xa5 \xe2\x82\xac";
    lblog::warn(nasty, {{"detail", nasty}, {"we\"ird key", "v"}});
    auto obj = lastLine();
    EXPECT_EQ(obj->getValue<std::string>("msg"), nasty);
    EXPECT_EQ(obj->getValue<std::string>("detail"), nasty);
    EXPECT_EQ(obj->getValue<std::string>("we\"ird key"), "v");
    EXPECT_EQ(obj->getValue<std::string>("level"), "warn");
    EXPECT_EQ(out.str().find('\n'), out.str().size() - 1) << "one line, however many newlines the text held";
}

TEST_F(LogFields, NonFiniteNumbersAreWrittenAsTextNotAsInvalidJson) {
    lblog::info("odd", {{"ratio", std::numeric_limits<double>::quiet_NaN()}, {"rate", std::numeric_limits<double>::infinity()}});
    auto obj = lastLine();
    EXPECT_EQ(obj->getValue<std::string>("ratio"), "NaN");
    EXPECT_EQ(obj->getValue<std::string>("rate"), "Infinity");
}

TEST_F(LogFields, AFieldNamedLikeTheContextReplacesItInsteadOfRepeatingTheKey) {
    lblog::LogContext ctx("run-1", "acme");
    lblog::error("the connection could not run", {{"connection", "globex"}});
    const std::string line = out.str();
    EXPECT_EQ(line.find("\"connection\""), line.rfind("\"connection\"")) << line;
    EXPECT_EQ(lastLine()->getValue<std::string>("connection"), "globex");
}

TEST_F(LogFields, TheLogFileIsCreatedOwnerOnlyAndReopenedAfterARename) {
    const fs::path file = tempDir() / "ledgerbridge.log";
    const mode_t old = ::umask(022);  // a usual umask: the file must still be 0600
    lblog::setFile(file.string());
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    lblog::info("before rotation", {{"n", 1}});
    fs::rename(file, dir / "ledgerbridge.log.1");  // logrotate
    lblog::info("after the rename, before the signal", {{"n", 2}});
    lblog::reopenFile();  // what SIGHUP does in serve
    lblog::info("after the signal", {{"n", 3}});

    const auto rotated = linesOf(dir / "ledgerbridge.log.1");
    const auto fresh = linesOf(file);
    ASSERT_EQ(rotated.size(), 2u);
    ASSERT_EQ(fresh.size(), 1u);
    auto n = [](const std::string& line) {
        return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>()->getValue<int>("n");
    };
    EXPECT_EQ(n(rotated[0]), 1);
    EXPECT_EQ(n(rotated[1]), 2) << "a line written between rename and signal lands in the renamed file";
    EXPECT_EQ(n(fresh[0]), 3);
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LogFields, AnUnwritableLogFileIsNamedAndReopenKeepsTheOldFile) {
    const fs::path file = tempDir() / "ledgerbridge.log";
    try {
        lblog::setFile((dir / "missing" / "x.log").string());
        FAIL() << "expected an IoError";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("missing/x.log"), std::string::npos) << e.what();
    }
    lblog::setFile(file.string());
    fs::rename(file, dir / "moved.log");
    fs::create_directory(file);  // the path cannot be opened as a file any more
    lblog::reopenFile();
    lblog::info("still logged");
    EXPECT_NE(out.str().find("cannot reopen the log file"), std::string::npos) << out.str();
    const auto kept = linesOf(dir / "moved.log");
    ASSERT_FALSE(kept.empty());
    EXPECT_NE(kept.back().find("still logged"), std::string::npos);
}

TEST(LogTerminal, NoProgressLineIntoJsonAndNoneWithoutATerminal) {
    lblog::configure(lblog::Level::Info, lblog::Format::Json);
    EXPECT_FALSE(lblog::progressLineAllowed());
    lblog::configure(lblog::Level::Info, lblog::Format::Human);
    // ctest's stderr is a pipe or file, never a terminal: no progress line, no colour.
    EXPECT_EQ(lblog::progressLineAllowed(), ::isatty(STDERR_FILENO) == 1);
    EXPECT_EQ(lblog::colourAllowed(), ::isatty(STDERR_FILENO) == 1);
    lblog::configure(lblog::Level::Info, lblog::Format::Auto);
}
