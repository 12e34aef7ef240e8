// Secret references: env: and file:, every failure named, values registered for redaction.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/config/Secret.h"

using namespace ledgerbridge::config;
namespace fs = std::filesystem;

class SecretTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-secret-" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string write(const std::string& name, const std::string& content, mode_t mode) {
        auto p = (dir / name).string();
        std::ofstream(p) << content;
        ::chmod(p.c_str(), mode);
        return p;
    }
    fs::path dir;
};

TEST_F(SecretTest, FileSecretIsReadTrimmedAndRegisteredForRedaction) {
    auto p = write("s", "file-secret-value\n", 0600);
    SecretRef ref{"file:" + p, {"lb.ini", 3}, "environment.local.client_secret"};
    EXPECT_EQ(resolveSecret(ref), "file-secret-value");
    EXPECT_EQ(ledgerbridge::redact("x file-secret-value y"), "x *** y");
}

TEST_F(SecretTest, EnvSecretIsRead) {
    ::setenv("LB_SECRET_TEST_VAR", "env-secret-value", 1);
    EXPECT_EQ(resolveSecret({"env:LB_SECRET_TEST_VAR", {"lb.ini", 1}, "k"}), "env-secret-value");
    ::unsetenv("LB_SECRET_TEST_VAR");
}

TEST_F(SecretTest, EachFailureIsNamed) {
    auto open = write("open", "world-readable-secret", 0644);
    EXPECT_EQ(checkSecret({"file:" + open, {}, "k"}),
              "secret file " + open + " is readable by group or others; run: chmod 600 " + open);
    EXPECT_EQ(checkSecret({"file:" + (dir / "missing").string(), {}, "k"}),
              "secret file " + (dir / "missing").string() + " does not exist; create it (mode 0600) or fix the path");
    auto empty = write("empty", "\n", 0600);
    EXPECT_EQ(checkSecret({"file:" + empty, {}, "k"}), "secret file " + empty + " is empty");
    EXPECT_EQ(checkSecret({"env:LB_SURELY_UNSET_VAR", {}, "k"}),
              "environment variable LB_SURELY_UNSET_VAR is not set or empty; export it before running ledgerbridge");
    try {
        resolveSecret({"env:LB_SURELY_UNSET_VAR", {"lb.ini", 7}, "connection.a.api_key"});
        FAIL() << "expected ConfigError";
    } catch (const ledgerbridge::ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "lb.ini:7: connection.a.api_key: environment variable LB_SURELY_UNSET_VAR is not "
                                         "set or empty; export it before running ledgerbridge");
    }
}
