// The independent reader: the writer's golden file read back into balanced documents with the
// entries' amounts, and each broken rule of the format named with file:line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "DatevReader.hpp"

namespace fs = std::filesystem;
using ledgerbridge::readers::readDatevFile;
using ledgerbridge::testkit::WrittenDocument;

namespace {
std::string golden() {
    std::ifstream in(std::string(DATEV_GOLDEN_DIR) + "/EXTF_job-1_202602.csv", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class DatevReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        path = fs::temp_directory_path() / ("lb-datev-reader-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".csv");
    }
    void TearDown() override { fs::remove(path); }
    std::vector<WrittenDocument> read(const std::string& bytes) {
        std::ofstream(path, std::ios::binary) << bytes;
        return readDatevFile(path.string());
    }
    // The reader's error for `bytes`, "" when it reads them.
    std::string error(const std::string& bytes) {
        try {
            read(bytes);
            return "";
        } catch (const std::runtime_error& e) {
            return e.what();
        }
    }
    // The golden file with the first occurrence of `from` (after the column names) replaced.
    static std::string broken(const std::string& from, const std::string& to) {
        std::string bytes = golden();
        const auto pos = bytes.find(from, bytes.find("Abw. Skontokonto"));
        EXPECT_NE(pos, std::string::npos) << from;
        return bytes.replace(pos, from.size(), to);
    }
    fs::path path;
};

std::int64_t sum(const WrittenDocument& d) {
    std::int64_t s = 0;
    for (const auto& p : d.postings) s += p.minor;
    return s;
}
}  // namespace

TEST_F(DatevReaderTest, GoldenFileReadsIntoBalancedDocumentsWithTheEntriesAmounts) {
    const auto docs = read(golden());
    ASSERT_EQ(docs.size(), 3u);
    for (const auto& d : docs) EXPECT_EQ(sum(d), 0) << d.where;

    const auto& a = docs[0];
    EXPECT_EQ(a.accountingEntryId, "3f2b9c1e-0d4a-4f7b-9a51-2c6e8d7f1a90");
    EXPECT_EQ(a.idempotencyKey, "lb-3f2b9c1e");
    EXPECT_EQ(a.where, path.string() + ":3");
    ASSERT_EQ(a.postings.size(), 4u);
    EXPECT_EQ(a.postings[0].account, "4650");
    EXPECT_EQ(a.postings[0].minor, 11900);
    EXPECT_EQ(a.postings[0].currency, "EUR");
    EXPECT_EQ(a.postings[0].exponent, 2);
    EXPECT_EQ(a.postings[0].taxKey, "0009");
    EXPECT_EQ(a.postings[1].account, "1361");
    EXPECT_EQ(a.postings[1].minor, -11900);
    EXPECT_EQ(a.postings[1].taxKey, "");
    EXPECT_EQ(a.postings[2].account, "3806");
    EXPECT_EQ(a.postings[2].minor, 1070);

    const auto& usd = docs[1];
    EXPECT_EQ(usd.accountingEntryId, "E-USD#2") << "the id as stored, not Belegfeld 1's cleaned form";
    ASSERT_EQ(usd.postings.size(), 2u);
    EXPECT_EQ(usd.postings[0].minor, 9259) << "the Basis-Umsatz in EUR, not the 100,00 USD";
    EXPECT_EQ(usd.postings[0].currency, "EUR");

    const auto& refund = docs[2];
    EXPECT_EQ(refund.postings[0].account, "4650");
    EXPECT_EQ(refund.postings[0].minor, -2380) << "H credits Konto";
    EXPECT_EQ(refund.postings[1].minor, 2380);
}

TEST_F(DatevReaderTest, AnUmsatzWithoutTwoDecimalsIsNamedWithItsLine) {
    const std::string e = error(broken("119,00;", "309699;"));
    EXPECT_NE(e.find(path.string() + ":3: column 1 (Umsatz)"), std::string::npos) << e;
}

TEST_F(DatevReaderTest, EveryBrokenRuleIsAnError) {
    EXPECT_EQ(error(golden()), "");
    EXPECT_NE(error(broken("\"0009\"", "\"9\"")).find("BU-Schl"), std::string::npos);
    EXPECT_NE(error(broken(";0702;", ";0703;")).find("Datum vom..bis"), std::string::npos);
    EXPECT_NE(error(broken(";1,080030;", ";0,926000;")).find("column 4 (Kurs)"), std::string::npos);
    EXPECT_NE(error(broken(";1,080030;", ";;")).find("needs Kurs"), std::string::npos);
    EXPECT_NE(error(broken(";4650;1361;", ";4650;;")).find("Gegenkonto"), std::string::npos);
    EXPECT_NE(error(broken(";4650;1361;", ";465000;1361;")).find("Sachkontenl"), std::string::npos);
    EXPECT_NE(error(broken("\"S\"", "\"X\"")).find("column 2"), std::string::npos);
    EXPECT_NE(error(broken("119,00;", "0,00;")).find("0,00"), std::string::npos);
    EXPECT_NE(error(broken("\"P_7\"", "\"P-7\"")).find("KOST2"), std::string::npos);
    EXPECT_NE(error(broken("\"E-USD-2\"", "\"E.USD\"")).find("Belegfeld 1"), std::string::npos);
    EXPECT_NE(error(broken("B\xE4" "ckerei", "B\xC3\xA4" "ckerei")).find("UTF-8"), std::string::npos);
    EXPECT_NE(error(broken("\r\n10,70", "\n10,70")).find("CRLF"), std::string::npos);
    EXPECT_NE(error(broken(";\"Pleo-Key\";", ";\"Pleo-Key\";;")).find("125 fields"), std::string::npos);
    std::string header = golden();
    EXPECT_NE(error(header.replace(header.find(";700;"), 5, ";510;")).find("Versionsnummer"), std::string::npos);
    header = golden();
    EXPECT_NE(error(header.replace(header.find(";\"EUR\";"), 7, ";\"Euro\";")).find("WKZ"), std::string::npos);
    header = golden();
    EXPECT_NE(error(header.replace(header.find("Belegdatum"), 10, "Datum")).find("column 10"), std::string::npos);
    const std::string longText(61, 'x');
    EXPECT_NE(error(broken("\"Erstattung  zweite Zeile\"", "\"" + longText + "\"")).find("at most 60"),
              std::string::npos);
}
