// The independent reader on its own: it reads the golden file into documents with their
// entry ids and postings, and names file:line and the rule for each broken rule. (It is then
// used on what the real plugin writes, in SiePluginTest.)
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "SieReader.hpp"

using ledgerbridge::readers::readSieFile;

namespace {
const std::string kGolden = std::string(SIE_GOLDEN_DIR) + "/pleo-job-1.se";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A valid file without #KSUMMA (optional in the format), one voucher; tests break one rule.
const std::string kValid =
    "#FLAGGA 0\r\n#PROGRAM \"t\" 1\r\n#FORMAT PC8\r\n#GEN 20260401\r\n#SIETYP 4\r\n#FNAMN \"T AB\"\r\n"
    "#RAR 0 20260101 20261231\r\n#VALUTA SEK\r\n#DIM 1 \"CC\"\r\n#OBJEKT 1 \"100\" \"S\x84lj\"\r\n"
    "#VER \"A\" \"\" 20260305 \"Kaf\x82 [E1 lb1-abc]\"\r\n{\r\n#TRANS 5410 {1 \"100\"} 100.00\r\n"
    "#TRANS 2640 {} 25.5\r\n#TRANS 2890 {} -125.50\r\n}\r\n";

std::string writeTemp(const std::string& bytes) {
    static int n = 0;
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("lb-sie-reader-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".se"))
                                 .string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

// The error readSieFile throws for `bytes` ("" when it reads them).
std::string errorFor(const std::string& bytes) {
    const std::string path = writeTemp(bytes);
    try {
        readSieFile(path);
        std::filesystem::remove(path);
        return "";
    } catch (const std::runtime_error& e) {
        std::filesystem::remove(path);
        std::string what = e.what();
        return what.substr(what.find(".se:") + 3);  // ":<line>: <rule>"
    }
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}
}  // namespace

TEST(SieReader, ReadsTheGoldenFileIntoDocumentsWithEntryIdsAndPostings) {
    const auto docs = readSieFile(kGolden);
    ASSERT_EQ(docs.size(), 3u);
    EXPECT_EQ(docs[0].accountingEntryId, "E1");
    EXPECT_EQ(docs[0].idempotencyKey, "lb-e1");
    EXPECT_EQ(docs[0].where, kGolden + ":17");
    ASSERT_EQ(docs[0].postings.size(), 4u);
    EXPECT_EQ(docs[0].postings[0].account, "5410");
    EXPECT_EQ(docs[0].postings[0].minor, 10000);
    EXPECT_EQ(docs[0].postings[0].currency, "SEK");
    EXPECT_EQ(docs[0].postings[0].exponent, 2);
    EXPECT_EQ(docs[0].postings[3].minor, -16500);
    EXPECT_EQ(docs[2].accountingEntryId, "E3");
    for (const auto& d : docs) {
        std::int64_t sum = 0;
        for (const auto& p : d.postings) sum += p.minor;
        EXPECT_EQ(sum, 0) << d.where;
    }
}

TEST(SieReader, ReadsAValidFileWithoutChecksumAndDoesNotJudgeBalance) {
    EXPECT_EQ(errorFor(kValid), "");
    const auto docs = readSieFile(writeTemp(replaced(kValid, "-125.50", "-125.00")));
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].postings[1].minor, 2550) << "one decimal is allowed";
    EXPECT_EQ(docs[0].postings[2].minor, -12500) << "read as written; balance is the caller's check";
}

TEST(SieReader, NamesTheLineAndTheRuleOfEveryBrokenRule) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {replaced(kValid, "#FORMAT PC8\r\n", "#FORMAT PC8\n"), ":3: a record ends in a bare LF, not CR LF"},
        {replaced(kValid, "-125.50", "-125,50"), ":15: amount '-125,50' is not digits with a point and at most two decimals"},
        {replaced(kValid, "-125.50", "-125.505"), ":15: amount '-125.505' is not digits with a point and at most two decimals"},
        {replaced(kValid, "{1 \"100\"}", "{1 \"999\"}"), ":13: object \"999\" of dimension 1 is not declared by #OBJEKT"},
        {replaced(kValid, "{1 \"100\"}", "{1 \"100\" 1 \"100\"}"), ":13: dimension 1 twice in one object list"},
        {replaced(kValid, "20260305", "20270305"), ":11: #VER date 20270305 is outside #RAR 0 20260101-20261231"},
        {replaced(kValid, "20260305", "20260230"), ":11: #VER date '20260230' is not a valid YYYYMMDD"},
        {replaced(kValid, "Kaf\x82", "Kaf\xC3\xA9"), ":11: bytes at column 26 look like UTF-8; a #FORMAT PC8 file is code page 437"},
        {replaced(kValid, " [E1 lb1-abc]", ""), ":11: the #VER text does not end in the entry marker [<entry id> <key>]"},
        {replaced(kValid, "[E1 lb1-abc]", "[E 1 x]"), ":11: malformed entry marker [E 1 x]"},
        {replaced(kValid, "}\r\n", ""), ":11: the #VER block is not closed by '}'"},
        {replaced(kValid, "{\r\n#TRANS", "#TRANS"), ":11: #VER must be followed by a record '{'"},
        {kValid + "#DIM 6 \"P\"\r\n", ":17: #DIM after the first #VER (head records and declarations come first)"},
        {replaced(kValid, "#FORMAT PC8\r\n", ""), ":10: #VER before the required #FORMAT"},
        {replaced(kValid, "#FORMAT PC8", "#FORMAT UTF8"), ":3: #FORMAT must be PC8"},
        {replaced(kValid, "#FLAGGA 0\r\n", ""), ":1: the first record must be #FLAGGA"},
        {replaced(kValid, "#DIM 1 \"CC\"\r\n", ""), ":9: #OBJEKT of dimension 1, which no #DIM declares before it"},
        {replaced(kValid, "#TRANS 2640", "#TRANS 26A0"), ":14: #TRANS needs a numeric account"},
        {replaced(kValid, "#TRANS 2640 {} 25.5", "#TRANS 2640 25.5"), ":14: #TRANS needs an object list {…} after the account"},
        {replaced(kValid, "\"T AB\"", "\"T AB"), ":6: a quoted field is not closed"},
        {replaced(kValid, "T AB", "T\x01" "AB"), ":6: control byte 1 at column 10"},
        {kValid + "#TRANS 1930 {} 1.00\r\n", ":17: #TRANS outside a #VER block"},
        {kValid + "#KSUMMA 1\r\n", ":17: #KSUMMA is only allowed second (opening) and last (closing)"},
        {kValid.substr(0, kValid.size() - 2), ":16: the last record does not end in CR LF"},
    };
    for (const auto& [bytes, expected] : cases) EXPECT_EQ(errorFor(bytes), expected);
}

TEST(SieReader, ChecksTheChecksumIndependently) {
    const std::string golden = slurp(kGolden);
    EXPECT_EQ(errorFor(golden), "");
    const std::string tampered = replaced(golden, "-1000.00", "-1000.01");
    EXPECT_NE(errorFor(tampered).find("does not match the records"), std::string::npos);
    const std::string closing = golden.substr(golden.rfind("#KSUMMA "));
    EXPECT_NE(errorFor(replaced(golden, closing, "#KSUMMA x\r\n")).find("unsigned 32-bit"), std::string::npos);
    const std::string unclosed = golden.substr(0, golden.rfind("#KSUMMA "));
    EXPECT_NE(errorFor(unclosed).find("needs a closing #KSUMMA"), std::string::npos);
}
