// Master data from an SIE 4 file, through the real sie.so: files this test writes itself (its
// own CP437 table and quoting, shared with nothing in the plugin) over many seeds come back
// field by field, every record exactly once at any page size, with the same ids on every call;
// a broken line is an error naming file and line; kinds SIE has no register of are unsupported.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MasterDataPages.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using sdk::MasterKind;

namespace {
const lb_plugin_api* sieApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_SIE_PLUGIN"));
    return api;
}

// The few non-ASCII characters the generator uses, as IBM code page 437 bytes (from the code
// page's published table, not from the plugin).
std::string pc8(const std::string& utf8) {
    static const std::map<std::string, char> upper{{"å", '\x86'}, {"ä", '\x84'}, {"ö", '\x94'}, {"Å", '\x8F'},
                                                   {"Ä", '\x8E'}, {"Ö", '\x99'}, {"é", '\x82'}, {"ü", '\x81'}};
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        if (static_cast<unsigned char>(utf8[i]) < 0x80) {
            out += utf8[i++];
            continue;
        }
        out += upper.at(utf8.substr(i, 2));
        i += 2;
    }
    return out;
}

// An SIE text field: quoted, `"` and `\` escaped with a backslash.
std::string sieText(const std::string& utf8) {
    std::string out = "\"";
    for (char c : pc8(utf8)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

struct Generated {
    std::string bytes;
    std::vector<sdk::MasterRecord> accounts, dimensions, values;
};

// A file as a bookkeeping program exports it: head, chart of accounts with and without #KTYP,
// #SRU and #MOMSKOD, dimensions (one sub-dimension, one reserved dimension used without #DIM),
// objects, and a voucher whose rows carry object lists.
Generated generate(unsigned seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    static const std::vector<std::string> alphabet{"a", "B", "z", " ", "\"", "\\", "å", "ä", "ö", "Å", "Ä",
                                                   "Ö", "é", "ü", "{", "}", "#", "1", "-", "'"};
    auto text = [&](int minLength) {
        std::string s;
        const int n = minLength + pick(12);
        for (int i = 0; i < n; ++i) s += alphabet[static_cast<std::size_t>(pick(static_cast<int>(alphabet.size())))];
        return s;
    };
    const bool crlf = pick(2) == 0;
    const std::string sep = pick(2) == 0 ? " " : "\t";
    std::vector<std::string> lines{"#FLAGGA 0", "#PROGRAM \"Bokföringsprogram\" 3.1", "#FORMAT PC8", "#GEN 20260301",
                                   "#SIETYP 4", "#FNAMN " + sieText("Ängens Kafé AB"), "#KPTYP BAS2014"};
    Generated g;
    std::set<int> used;
    const int accountCount = pick(40);
    static const std::map<char, std::string> ktypType{{'T', "asset"}, {'S', "liability"}, {'K', "expense"}, {'I', "revenue"}};
    for (int i = 0; i < accountCount; ++i) {
        int number = 1000 + pick(9000);
        while (!used.insert(number).second) number = 1000 + pick(9000);
        sdk::MasterRecord a;
        a.kind = MasterKind::Account;
        a.id = a.code = std::to_string(number);
        a.name = text(1);
        lines.push_back("#KONTO" + sep + a.code + sep + sieText(a.name));
        if (pick(2) == 0) {
            const char ktyp = "TSKI"[pick(4)];
            lines.push_back("#KTYP " + a.code + " " + ktyp);
            a.type = ktypType.at(ktyp);
        } else {  // the BAS class decides
            const char c = a.code[0];
            a.type = c == '1' ? "asset" : c == '2' ? "liability" : c == '3' ? "revenue" : c <= '7' ? "expense" : "other";
        }
        if (pick(3) == 0) lines.push_back("#SRU " + a.code + " 7201");
        if (pick(4) == 0) lines.push_back("#MOMSKOD " + a.code + " 48");
        g.accounts.push_back(a);
    }
    auto dimension = [&](const std::string& number, const std::string& name) {
        sdk::MasterRecord d;
        d.kind = MasterKind::Dimension;
        d.id = d.code = number;
        d.name = name;
        g.dimensions.push_back(d);
    };
    const std::string costCentres = text(1), carriers = text(1);
    lines.push_back("#DIM 1 " + sieText(costCentres));
    dimension("1", costCentres);
    lines.push_back("#UNDERDIM 21 " + sieText(carriers) + " 1");
    dimension("21", carriers);
    std::vector<std::string> objectLines;
    for (const std::string dim : {"1", "21", "6"}) {
        std::set<std::string> codes;
        const int n = pick(15);
        for (int i = 0; i < n; ++i) {
            std::string code = text(1);
            if (!codes.insert(code).second) continue;
            sdk::MasterRecord v;
            v.kind = MasterKind::DimensionValue;
            v.id = dim + "/" + code;
            v.code = code;
            v.name = text(1);
            v.parentId = dim;
            objectLines.push_back("#OBJEKT " + dim + sep + sieText(code) + sep + sieText(v.name));
            g.values.push_back(v);
        }
        if (dim == "6" && n > 0) dimension("6", "Projekt");  // reserved by SIE, no #DIM in the file
    }
    lines.insert(lines.end(), objectLines.begin(), objectLines.end());
    lines.push_back("#IB 0 1930 1000.00");
    lines.push_back("#VER \"A\" 1 20260302 " + sieText("Fika {med} \"kaka\""));
    lines.push_back("{");
    lines.push_back("   #TRANS 5410 {1 \"a b\" 6 \"x\"} 100.00");
    lines.push_back("   #TRANS 1930 {} -100.00");
    lines.push_back("}");
    for (const auto& l : lines) g.bytes += l + (crlf ? "\r\n" : "\n");
    return g;
}

void write(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

class SieMasterDataTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-sie-md-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        file = dir / "bokforing.se";
    }
    void TearDown() override { fs::remove_all(dir); }
    std::unique_ptr<sdk::PluginClient> client(const std::string& masterDataFile) {
        auto c = std::make_unique<sdk::PluginClient>(sieApi(), host, "sie");
        std::vector<std::pair<std::string, std::string>> s{{"output_dir", dir.string()},
                                                           {"company_name", "Kafé AB"},
                                                           {"org_nr", "556677-8899"},
                                                           {"fiscal_year_start", "20260101"},
                                                           {"fiscal_year_end", "20261231"}};
        if (!masterDataFile.empty()) s.emplace_back("master_data_file", masterDataFile);
        c->configure(s);
        return c;
    }
    fs::path dir, file;
    testkit::MemoryHost host;
};

void expectSame(const std::vector<sdk::MasterRecord>& got, const std::vector<sdk::MasterRecord>& want, unsigned seed) {
    ASSERT_EQ(got.size(), want.size()) << "seed " << seed;
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].code, want[i].code) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].name, want[i].name) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].type, want[i].type) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].parentId, want[i].parentId) << "seed " << seed << " record " << i;
        EXPECT_TRUE(got[i] == want[i]) << "seed " << seed << " record " << i << " differs in another field";
    }
}
}  // namespace

TEST_F(SieMasterDataTest, GeneratedFilesComeBackFieldByFieldAtEveryPageSize) {
    for (unsigned seed = 1; seed <= 60; ++seed) {
        const Generated g = generate(seed);
        write(file, g.bytes);
        auto c = client(file.string());
        const std::size_t pageSize = 1 + seed % 7;
        const auto accounts = testkit::readAllMasterData(*c, MasterKind::Account, pageSize);
        expectSame(accounts.records, g.accounts, seed);
        EXPECT_EQ(accounts.pages, std::max<std::size_t>(1, (g.accounts.size() + pageSize - 1) / pageSize));
        expectSame(testkit::readAllMasterData(*c, MasterKind::Dimension, pageSize).records, g.dimensions, seed);
        expectSame(testkit::readAllMasterData(*c, MasterKind::DimensionValue, pageSize).records, g.values, seed);
        // The same ids on a second call, and from a fresh instance.
        expectSame(testkit::readAllMasterData(*client(file.string()), MasterKind::DimensionValue, 500).records, g.values, seed);
        if (HasFailure()) return;
    }
}

TEST_F(SieMasterDataTest, AnEmptyFileIsOneEmptyLastPage) {
    write(file, "");
    auto c = client(file.string());
    const sdk::MasterDataPage page = c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, "", "", 10});
    EXPECT_TRUE(page.records.empty());
    EXPECT_TRUE(page.nextCursor.empty());
}

TEST_F(SieMasterDataTest, ABrokenLineIsAnErrorNamingFileLineAndField) {
    const std::vector<std::pair<std::string, std::string>> broken{
        {"#KONTO 1930 \"Företagskonto\n", "the quote is not closed"},
        {"#KONTO 19x0 \"Bank\"\n", "kontonr"},
        {"#KONTO 1930\n", "expected 2 fields"},
        {"#KTYP 1930 X\n", "kontotyp"},
        {"#FORMAT PC437\n", "#FORMAT"},
        {"#OBJEKT 4 \"a\" \"b\"\n", "dimension 4 has no #DIM"},
        {"#KONTO 1510 \"Kundfordringar\"\n", "declared twice"},
        {"Bank 1930\n", "not an SIE record"},
    };
    for (const auto& [line, what] : broken) {
        write(file, "#FLAGGA 0\r\n#FORMAT PC8\r\n#KONTO 1510 \"Kundfordringar\"\r\n" + line + "#KONTO 2440 \"Lev\"\r\n");
        auto c = client(file.string());
        try {
            testkit::readAllMasterData(*c, MasterKind::Account, 10);
            ADD_FAILURE() << "no error for " << line;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_TARGET) << e.what();
            EXPECT_NE(e.pluginMessage().find(file.string() + ":4: "), std::string::npos) << e.what();
            if (what != std::string("the quote is not closed")) {
                EXPECT_NE(e.pluginMessage().find(what), std::string::npos) << e.what();
            }
        }
    }
}

TEST_F(SieMasterDataTest, TaxCodesSuppliersAndAMissingSettingAreUnsupported) {
    write(file, generate(3).bytes);
    auto c = client(file.string());
    for (MasterKind kind : {MasterKind::TaxCode, MasterKind::Supplier}) {
        try {
            c->readMasterData(sdk::MasterDataRequest{kind, "", "", 10});
            ADD_FAILURE() << sdk::masterKindName(kind);
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
        }
    }
    auto none = client("");
    try {
        none->readMasterData(sdk::MasterDataRequest{MasterKind::Account, "", "", 10});
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
        EXPECT_NE(e.pluginMessage().find("master_data_file"), std::string::npos);
    }
}

TEST_F(SieMasterDataTest, ASettingNamingNoFileIsRefusedAtConfigure) {
    try {
        client((dir / "missing.se").string());
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        ASSERT_EQ(e.settingErrors().size(), 1u) << e.what();
        EXPECT_EQ(e.settingErrors()[0].first, "master_data_file");
    }
}

TEST_F(SieMasterDataTest, PagesStayConsistentWhenTheFileChangesBetweenThem) {
    unsigned seed = 11;
    while (generate(seed).accounts.size() < 5) ++seed;
    const Generated before = generate(seed), after = generate(seed + 1);
    write(file, before.bytes);
    auto c = client(file.string());
    sdk::MasterDataPage first = c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, "", "", 2});
    ASSERT_FALSE(first.nextCursor.empty());
    write(file, after.bytes);
    // The same instance finishes from the snapshot of the first page...
    std::vector<sdk::MasterRecord> all = first.records;
    for (std::string cursor = first.nextCursor; !cursor.empty();) {
        sdk::MasterDataPage p = c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, cursor, "", 2});
        all.insert(all.end(), p.records.begin(), p.records.end());
        cursor = p.nextCursor;
    }
    expectSame(all, before.accounts, seed);
    // ...a fresh instance cannot, and says to start again; a new first page reads the new file.
    auto fresh = client(file.string());
    try {
        fresh->readMasterData(sdk::MasterDataRequest{MasterKind::Account, first.nextCursor, "", 2});
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_TARGET);
        EXPECT_NE(e.pluginMessage().find("changed while"), std::string::npos) << e.what();
    }
    expectSame(testkit::readAllMasterData(*c, MasterKind::Account, 3).records, after.accounts, seed + 1);
}
