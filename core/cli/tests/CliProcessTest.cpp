// The real `ledgerbridge` executable: exit codes and output as a user sees them.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

struct ProcessResult {
    int code;
    std::string output;
};

std::string binary() {
    const char* dir = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    return std::string(dir ? dir : ".") + "/bin/ledgerbridge";
}

ProcessResult run(const std::string& args) {
    std::string cmd = binary() + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST(CliProcess, HelpAndVersionExitZero) {
    auto r = run("--help");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("Usage: ledgerbridge"), std::string::npos);
    r = run("version");
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.output.rfind("ledgerbridge ", 0), 0u) << r.output;
    const auto dashed = run("--version");
    EXPECT_EQ(dashed.code, 0);
    EXPECT_EQ(dashed.output, r.output) << "--version prints what version prints";
    EXPECT_NE(run("--help").output.find("--version"), std::string::npos);
}

TEST(CliProcess, MalformedConfigExitsTwoAndWritesNothing) {
    fs::path dir = fs::temp_directory_path() / ("lb-cliproc-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream((dir / "bad.ini").string()) << "environment = local\n[state\ndir = state\n";
    auto r = run("history --config " + (dir / "bad.ini").string());
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("bad.ini:2: section header '[state' has no closing ']'"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "state"));
    r = run("history --config " + (dir / "absent.ini").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("the configuration file cannot be read"), std::string::npos) << r.output;
    fs::remove_all(dir);
}
