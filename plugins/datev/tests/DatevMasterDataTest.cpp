// Master data from DATEV's export files, through the real datev.so: Kontenbeschriftungen and
// Debitoren/Kreditoren files this test writes itself (its own Windows-1252 table and EXTF
// quoting, shared with nothing in the plugin) over many seeds come back field by field at any
// page size, ids stable across instances; broken files are errors naming file, line and
// column; kinds DATEV's files do not carry are unsupported.
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
using sdk::MasterRecord;

namespace {
const lb_plugin_api* datevApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_DATEV_PLUGIN"));
    return api;
}

// The non-ASCII characters the generator uses, as Windows-1252 bytes (from the code page's
// published table, not from the plugin).
std::string cp1252(const std::string& utf8) {
    static const std::map<std::string, char> high{{"ä", '\xE4'}, {"ö", '\xF6'}, {"ü", '\xFC'}, {"Ä", '\xC4'},
                                                  {"Ö", '\xD6'}, {"Ü", '\xDC'}, {"ß", '\xDF'}, {"€", '\x80'},
                                                  {"é", '\xE9'}};
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        if (static_cast<unsigned char>(utf8[i]) < 0x80) {
            out += utf8[i++];
            continue;
        }
        const std::size_t len = static_cast<unsigned char>(utf8[i]) >= 0xE0 ? 3 : 2;
        out += high.at(utf8.substr(i, len));
        i += len;
    }
    return out;
}

// A DATEV text field: quoted, inner quotes doubled.
std::string text(const std::string& utf8) {
    std::string out = "\"";
    for (char c : cp1252(utf8)) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// EXTF header line (31 fields) of `category`/`format`, Sachkontenlänge 4.
std::string header(int category, const std::string& format, int version) {
    return "\"EXTF\";700;" + std::to_string(category) + ";\"" + format + "\";" + std::to_string(version) +
           ";20260301120000000;;\"RE\";\"\";\"\";29098;55003;20260101;4;;;\"\";\"\";;;;\"\";;\"\";;\"03\";;\"\";;\"\";\"\"\r\n";
}

struct Generated {
    std::string accountsFile, partnersFile;
    std::vector<MasterRecord> accounts, suppliers;
};

const char* kPartnerColumns =
    "Konto;Name (Adressattyp Unternehmen);Unternehmensgegenstand;Name (Adressattyp natürl. Person);"
    "Vorname (Adressattyp natürl. Person);Name (Adressattyp keine Angabe);Adressattyp;Kurzbezeichnung;EU-Land;"
    "EU-UStID;Anrede;Titel/Akad. Grad;Adelstitel;Namensvorsatz;Adressart;Straße;Postfach;Postleitzahl;Ort;Land";

Generated generate(unsigned seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    static const std::vector<std::string> alphabet{"a", "Z", "0", " ", "\"", ";", "ä", "ö", "ü", "Ä", "Ö",
                                                   "Ü", "ß", "€", "é", "&", "-", "."};
    auto word = [&]() {
        std::string s;
        const int n = 1 + pick(12);
        for (int i = 0; i < n; ++i) s += alphabet[static_cast<std::size_t>(pick(static_cast<int>(alphabet.size())))];
        return s;
    };
    Generated g;
    // Kontenbeschriftungen (SKR03 types by Kontenklasse), some rows also in English.
    g.accountsFile = header(20, "Kontenbeschriftungen", 3) + "Konto;Kontenbeschriftung;Sprach-ID;Kontenbeschriftung lang\r\n";
    std::set<int> used;
    const int accounts = pick(40);
    for (int i = 0; i < accounts; ++i) {
        int number = pick(10000);
        while (!used.insert(number).second) number = pick(10000);
        MasterRecord a;
        a.kind = MasterKind::Account;
        a.id = a.code = std::to_string(number);  // DATEV writes no leading zeros: 480 is 0480
        const char k = number < 1000 ? '0' : a.code[0];
        a.type = k == '3' || k == '4' ? "expense" : k == '7' ? "asset" : k == '8' ? "revenue" : "other";
        const std::string shortName = word(), longName = pick(2) ? word() : "";
        a.name = longName.empty() ? shortName : longName;
        g.accountsFile += a.code + ";" + text(shortName) + ";\"de-DE\";" + text(longName) + "\r\n";
        if (pick(3) == 0) g.accountsFile += a.code + ";" + text(word()) + ";\"en-GB\";\"\"\r\n";
        g.accounts.push_back(a);
    }
    // Debitoren (passed over) and Kreditoren with each Adressattyp.
    g.partnersFile = header(16, "Debitoren/Kreditoren", 5) + cp1252(kPartnerColumns) + "\r\n";
    used.clear();
    const int partners = pick(40);
    for (int i = 0; i < partners; ++i) {
        int number = 10000 + pick(90000);
        while (!used.insert(number).second) number = 10000 + pick(90000);
        const int type = pick(3);
        const std::string company = type == 2 || pick(4) == 0 ? word() : "", last = type == 1 ? word() : "",
                          first = type == 1 && pick(2) ? word() : "", none = type == 0 ? word() : "",
                          shortName = pick(2) ? word() : "", euLand = pick(2) ? "DE" : "",
                          ustId = pick(2) ? "123456789" : "", land = pick(2) ? "AT" : "";
        std::vector<std::string> row{std::to_string(number), text(company), text(""), text(last), text(first), text(none),
                                     pick(4) == 0 && type == 0 ? "" : std::to_string(type), text(shortName),
                                     text(euLand), text(ustId)};
        for (int k = 0; k < 9; ++k) row.push_back(text(""));
        row.push_back(text(land));
        std::string line;
        for (std::size_t k = 0; k < row.size(); ++k) line += (k ? ";" : "") + row[k];
        g.partnersFile += line + "\r\n";
        if (number < 70000) continue;
        MasterRecord s;
        s.kind = MasterKind::Supplier;
        s.id = s.code = std::to_string(number);
        const std::string person = first.empty() ? last : first + " " + last;
        for (const std::string& n : {type == 2 ? company : type == 1 ? person : none, company, person, none, shortName})
            if (s.name.empty()) s.name = n;
        if (s.name.empty()) {  // a Kreditor needs a name: give it a Kurzbezeichnung-free company name
            g.partnersFile.erase(g.partnersFile.size() - line.size() - 2);
            continue;
        }
        s.vatNumber = ustId.empty() ? "" : euLand + ustId;
        s.country = land;
        s.currency = "EUR";  // the wkz setting (its default): the Mandant's currency
        g.suppliers.push_back(s);
    }
    return g;
}

class DatevMasterDataTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-datev-md-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        accountsFile = dir / "EXTF_Kontenbeschriftungen.csv";
        partnersFile = dir / "EXTF_Debitoren_Kreditoren.csv";
    }
    void TearDown() override { fs::remove_all(dir); }
    std::unique_ptr<sdk::PluginClient> client(bool accounts = true, bool partners = true) {
        auto c = std::make_unique<sdk::PluginClient>(datevApi(), host, "datev");
        std::vector<std::pair<std::string, std::string>> s{
            {"output_dir", dir.string()}, {"beraternummer", "29098"}, {"mandantennummer", "55003"}};
        if (accounts) s.emplace_back("kontenbeschriftungen_file", accountsFile.string());
        if (partners) s.emplace_back("debitoren_kreditoren_file", partnersFile.string());
        c->configure(s);
        return c;
    }
    static void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
    fs::path dir, accountsFile, partnersFile;
    testkit::MemoryHost host;
};

void expectSame(const std::vector<MasterRecord>& got, const std::vector<MasterRecord>& want, unsigned seed) {
    ASSERT_EQ(got.size(), want.size()) << "seed " << seed;
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].name, want[i].name) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].type, want[i].type) << "seed " << seed << " record " << i;
        EXPECT_EQ(got[i].vatNumber, want[i].vatNumber) << "seed " << seed << " record " << i;
        EXPECT_TRUE(got[i] == want[i]) << "seed " << seed << " record " << i << " differs in another field";
    }
}
}  // namespace

TEST_F(DatevMasterDataTest, GeneratedExportsComeBackFieldByFieldAtEveryPageSize) {
    for (unsigned seed = 1; seed <= 50; ++seed) {
        const Generated g = generate(seed);
        write(accountsFile, g.accountsFile);
        write(partnersFile, g.partnersFile);
        auto c = client();
        const std::size_t pageSize = 1 + seed % 8;
        const auto accounts = testkit::readAllMasterData(*c, MasterKind::Account, pageSize);
        expectSame(accounts.records, g.accounts, seed);
        EXPECT_EQ(accounts.pages, std::max<std::size_t>(1, (g.accounts.size() + pageSize - 1) / pageSize));
        expectSame(testkit::readAllMasterData(*c, MasterKind::Supplier, pageSize).records, g.suppliers, seed);
        expectSame(testkit::readAllMasterData(*client(), MasterKind::Supplier, 500).records, g.suppliers, seed);
        if (HasFailure()) return;
    }
}

TEST_F(DatevMasterDataTest, EmptyFilesHaveNoRecords) {
    write(accountsFile, "");
    write(partnersFile, header(16, "Debitoren/Kreditoren", 5) + cp1252(kPartnerColumns) + "\r\n");
    auto c = client();
    for (MasterKind kind : {MasterKind::Account, MasterKind::Supplier}) {
        const auto page = c->readMasterData(sdk::MasterDataRequest{kind, "", "", 10});
        EXPECT_TRUE(page.records.empty());
        EXPECT_TRUE(page.nextCursor.empty());
    }
}

TEST_F(DatevMasterDataTest, BrokenFilesAreErrorsNamingFileLineAndColumn) {
    const std::string head = header(20, "Kontenbeschriftungen", 3) + "Konto;Kontenbeschriftung\r\n1200;\"Bank\"\r\n";
    const std::vector<std::pair<std::string, std::string>> broken{
        {head + "1300;\"Forderungen\r\n", ":4: field 2: a quoted field is not closed"},
        {head + "13a0;\"Forderungen\"\r\n", ":4: Konto: '13a0' is not a Sachkonto"},
        {head + "123456;\"Forderungen\"\r\n", ":4: Konto: '123456' is not a Sachkonto of at most 4 digits"},
        {head + "1300;\"\"\r\n", ":4: Kontenbeschriftung: is empty"},
        {head + "1200;\"Bank 2\"\r\n", ":4: Konto: 1200 is listed twice (first on line 3)"},
        {head + "1300;\"Ford\x81rungen\"\r\n", ":4: field 2: not Windows-1252 text"},
        {header(21, "Buchungsstapel", 13) + "Konto\r\n", ":1: Datenkategorie: expected 20 \"Kontenbeschriftungen\""},
        {header(20, "Kontenbeschriftungen", 3) + "Kontonummer;Kontenbeschriftung\r\n", ":2: header: the column 'Konto' is missing"},
        {"Konto;Kontenbeschriftung\r\n1200;\"Bank\"\r\n", ":1: Kennzeichen: 'Konto' is not EXTF or DTVF"},
    };
    write(partnersFile, "");
    for (const auto& [bytes, what] : broken) {
        write(accountsFile, bytes);
        try {
            testkit::readAllMasterData(*client(), MasterKind::Account, 10);
            ADD_FAILURE() << "no error for " << what;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_TARGET) << e.what();
            EXPECT_NE(e.pluginMessage().find(accountsFile.string() + what), std::string::npos) << e.what();
        }
    }
    write(partnersFile, header(16, "Debitoren/Kreditoren", 5) + cp1252(kPartnerColumns) + "\r\n70001;\"\";\"\";\"\";\"\";\"\";2\r\n" +
                            "7000x;\"A\"\r\n");
    try {
        testkit::readAllMasterData(*client(), MasterKind::Supplier, 10);
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(e.pluginMessage().find(partnersFile.string() + ":3: Name (Adressattyp Unternehmen): the Kreditor has no name"),
                  std::string::npos) << e.what();
    }
}

TEST_F(DatevMasterDataTest, TaxCodesDimensionsAndKindsWithoutAFileAreUnsupported) {
    write(accountsFile, generate(2).accountsFile);
    write(partnersFile, generate(2).partnersFile);
    auto both = client(), none = client(false, false);
    const std::vector<std::pair<sdk::PluginClient*, MasterKind>> unsupported{
        {both.get(), MasterKind::TaxCode},   {both.get(), MasterKind::Dimension}, {both.get(), MasterKind::DimensionValue},
        {none.get(), MasterKind::Account}, {none.get(), MasterKind::Supplier}};
    for (const auto& [plugin, kind] : unsupported) {
        try {
            plugin->readMasterData(sdk::MasterDataRequest{kind, "", "", 10});
            ADD_FAILURE() << sdk::masterKindName(kind);
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
        }
    }
}

TEST_F(DatevMasterDataTest, Skr04GivesEveryAccountClassItsType) {
    write(accountsFile, header(20, "Kontenbeschriftungen", 3) + "Konto;Kontenbeschriftung\r\n" +
                            "215;\"Grundstücke\"\r\n1800;\"Bank\"\r\n2000;\"Kapital\"\r\n3300;\"Verbindlichkeiten\"\r\n"
                            "4400;\"Erlöse\"\r\n6805;\"Telefon\"\r\n7100;\"Zinserträge\"\r\n");
    write(partnersFile, "");
    auto c = std::make_unique<sdk::PluginClient>(datevApi(), host, "datev");
    c->configure({{"output_dir", dir.string()}, {"beraternummer", "29098"}, {"mandantennummer", "55003"}, {"skr", "04"},
                  {"kontenbeschriftungen_file", accountsFile.string()}});
    std::vector<std::string> types;
    for (const auto& r : testkit::readAllMasterData(*c, MasterKind::Account, 3).records) types.push_back(r.code + " " + r.type);
    EXPECT_EQ(types, (std::vector<std::string>{"215 asset", "1800 asset", "2000 equity", "3300 liability", "4400 revenue",
                                               "6805 expense", "7100 other"}));
}
