// The SDK template's stand-in target (template/src/LedgerFile.cpp), compiled here from the
// template's own source: it appends through the SDK's atomic_file.hpp, so the first document
// creates the file atomically, a line a crash left without its LF is cut before the next one,
// and a ledger path that is a symlink is refused instead of followed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "FileContent.hpp"
#include "LedgerFile.hpp"
#include "ledgerbridge/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {
void writeRaw(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

class TemplateLedgerFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("lb-template-ledger-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};
}  // namespace

TEST_F(TemplateLedgerFile, TheFirstDocumentCreatesTheFileAndLaterOnesAppendWholeLines) {
    const std::string path = (dir_ / "example-ledger.tsv").string();
    example::appendDocument(path, "e1\tk1\tEX-e1\tEUR\t2\t6000=100;2440=-100");
    example::appendDocument(path, "e2\tk2\tEX-e2\tEUR\t2\t6000=5;2440=-5");
    EXPECT_EQ(sdktest::fileContent(path), "e1\tk1\tEX-e1\tEUR\t2\t6000=100;2440=-100\ne2\tk2\tEX-e2\tEUR\t2\t6000=5;2440=-5\n");
    EXPECT_EQ(example::findDocument(path, "e2"), std::optional<std::string>("EX-e2"));
    EXPECT_EQ(example::findDocument(path, "e3"), std::nullopt);
    // No temp file of the atomic create is left beside the ledger.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(TemplateLedgerFile, ALineACrashLeftWithoutItsLineFeedIsCutBeforeTheNextDocument) {
    const fs::path path = dir_ / "example-ledger.tsv";
    writeRaw(path, "e1\tk1\tEX-e1\tEUR\t2\t6000=1;2440=-1\ne2\tk2\tEX-e");
    EXPECT_EQ(example::findDocument(path.string(), "e2"), std::nullopt) << "a torn line was never posted";
    example::appendDocument(path.string(), "e3\tk3\tEX-e3\tEUR\t2\t6000=2;2440=-2");
    EXPECT_EQ(sdktest::fileContent(path), "e1\tk1\tEX-e1\tEUR\t2\t6000=1;2440=-1\ne3\tk3\tEX-e3\tEUR\t2\t6000=2;2440=-2\n");
}

TEST_F(TemplateLedgerFile, ALedgerPathThatIsASymlinkIsRefusedAndItsTargetLeftAlone) {
    const fs::path elsewhere = dir_ / "elsewhere.txt";
    writeRaw(elsewhere, "not a ledger\n");
    const fs::path path = dir_ / "example-ledger.tsv";
    fs::create_symlink(elsewhere, path);
    try {
        example::appendDocument(path.string(), "e1\tk1\tEX-e1\tEUR\t2\t6000=1;2440=-1");
        FAIL() << "appended through a symlink";
    } catch (const ledgerbridge::sdk::FileError& e) {
        EXPECT_EQ(e.path(), path.string());
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sdktest::fileContent(elsewhere), "not a ledger\n");
}

TEST_F(TemplateLedgerFile, AMissingFolderIsAnErrorNamingTheFile) {
    const std::string path = (dir_ / "gone" / "example-ledger.tsv").string();
    try {
        example::appendDocument(path, "e1\tk1\tEX-e1\tEUR\t2\t6000=1;2440=-1");
        FAIL() << "wrote into a folder that does not exist";
    } catch (const ledgerbridge::sdk::FileError& e) {
        EXPECT_NE(std::string(e.what()).find(dir_.string() + "/gone/example-ledger.tsv"), std::string::npos) << e.what();
    }
}
