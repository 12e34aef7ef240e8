// ledgerbridge-books-check as a process: over files the real CSV plugin wrote it finds nothing
// wrong and exits 0; one changed digit in an amount makes a document unbalanced, a lower-case
// currency breaks the format, and each is reported (file and rule) with exit code 1.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "BookFiles.hpp"
#include "Catalog.h"
#include "ItemGenerator.h"
#include "PluginHarness.hpp"
#include "ledgerbridge/export/IdempotencyKey.h"
#include "ledgerbridge/export/ItemMapper.h"
#include "ledgerbridge/validation.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {

struct ToolResult {
    int exitCode = -1;
    std::string out;
};

ToolResult runTool(const fs::path& dir) {
    const std::string bin = std::string(std::getenv("LEDGERBRIDGE_BINARY_DIR")) + "/bin/ledgerbridge-books-check";
    const fs::path outFile = dir.parent_path() / (dir.filename().string() + ".out");
    const int status = std::system(("'" + bin + "' '" + dir.string() + "' > '" + outFile.string() + "' 2>&1").c_str());
    std::ifstream in(outFile);
    ToolResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
    return r;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Splits an unquoted CSV row.
std::vector<std::string> fields(const std::string& row) {
    std::vector<std::string> out;
    std::stringstream ss(row);
    for (std::string f; std::getline(ss, f, ',');) out.push_back(f);
    return out;
}

class BooksCheckTool : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("lb-books-check-" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root / "good");
        books::PluginHarness csv("csv");
        auto session = csv.open({{"output_dir", (root / "good").string()}});
        lbsim::Catalog catalog(7, 1);
        lbsim::ItemGenerator generator(catalog, 40, 0);
        std::vector<sdk::Entry> entries;
        for (std::uint64_t i = 0; i < 40; ++i) {
            std::ostringstream json;
            generator.item({0, i}, "https://sim.invalid", [](const lbsim::ItemRef&, const std::string&) {
                return std::string("https://sim.invalid/f");
            })->stringify(json);
            const std::string id = generator.accountingEntryId({0, i});
            auto m = exporter::mapItem(json.str(), "job-1", exporter::itemIdempotencyKey(json.str(), id, exporter::contentHash(json.str())));
            ASSERT_TRUE(m.entry) << m.message;
            entries.push_back(*m.entry);
        }
        ASSERT_TRUE(session->push(entries).ok());
        auto files = books::bookFilesBelow((root / "good").string());
        ASSERT_EQ(files.size(), 1u);
        file = fs::path(files[0]).filename();
    }
    void TearDown() override { fs::remove_all(root); }

    /// A copy of the good folder with `change` applied to the CSV file's text (same length, so
    /// the plugin's committed-length sidecar still covers it).
    fs::path tampered(const std::string& name, const std::function<void(std::string&)>& change) {
        const fs::path dir = root / name;
        fs::copy(root / "good", dir, fs::copy_options::recursive);
        std::string text = slurp(dir / file);
        const std::size_t size = text.size();
        change(text);
        EXPECT_EQ(text.size(), size);
        std::ofstream(dir / file, std::ios::binary | std::ios::trunc) << text;
        return dir;
    }

    fs::path root, file;
};

}  // namespace

TEST_F(BooksCheckTool, WhatThePluginWroteHolds) {
    ToolResult r = runTool(root / "good");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_NE(r.out.find("40 documents  0 unbalanced  0 format errors  0 repeated"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("every file holds"), std::string::npos) << r.out;
}

TEST_F(BooksCheckTool, OneChangedDigitInAnAmountIsAnUnbalancedDocument) {
    fs::path dir = tampered("unbalanced", [](std::string& text) {
        // The first row without quotes whose net differs from its gross: its net, one cent off.
        std::size_t start = text.find("\r\n") + 2;
        const auto header = fields(text.substr(0, start - 2));
        const auto net = static_cast<std::size_t>(std::find(header.begin(), header.end(), "net") - header.begin());
        const auto gross = static_cast<std::size_t>(std::find(header.begin(), header.end(), "gross") - header.begin());
        ASSERT_LT(gross, header.size());
        for (std::size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
            const std::string row = text.substr(start, end - start);
            const auto f = fields(row);
            if (row.find('"') != std::string::npos || f.size() != header.size() || f[net] == f[gross]) continue;
            std::size_t at = start;
            for (std::size_t i = 0; i < net; ++i) at = text.find(',', at) + 1;
            char& lastDigit = text[at + f[net].size() - 1];
            lastDigit = lastDigit == '9' ? '0' : static_cast<char>(lastDigit + 1);
            return;
        }
        FAIL() << "no row to change";
    });
    ToolResult r = runTool(dir);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.out.find("1 unbalanced"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unbalanced: " + (dir / file).string()), std::string::npos) << r.out;
}

TEST_F(BooksCheckTool, ALowerCaseCurrencyIsAFormatError) {
    fs::path dir = tampered("format", [](std::string& text) {
        std::size_t at = text.find(",DKK,");
        ASSERT_NE(at, std::string::npos);
        text.replace(at, 5, ",dkk,");
    });
    ToolResult r = runTool(dir);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_NE(r.out.find("1 format errors"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("format: " + (dir / file).string() + ":"), std::string::npos) << r.out;
}

TEST_F(BooksCheckTool, NothingToCheckIsAFailureAndBadUsageIsTwo) {
    fs::create_directories(root / "empty");
    EXPECT_EQ(runTool(root / "empty").exitCode, 1);
    EXPECT_EQ(runTool(root / "does-not-exist").exitCode, 2);
}
