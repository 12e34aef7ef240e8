// Issue 15's end-to-end proof for the first-party file plugins: login → `ledgerbridge sync`
// with the real csv.so, sie.so and datev.so reading ERP exports this test writes itself (its own
// bytes: UTF-8 CSV, SIE 4 in code page 437, DATEV EXTF in Windows-1252) → Pleo's chart of
// accounts, tax codes, tag groups, tags and vendors equal the ERP's → the installation is
// activated → a second sync makes zero write requests → an account archived (CSV) or gone from
// the export (SIE, DATEV: their formats have no archived flag) and a record renamed arrive in
// exactly two writes. What Pleo holds is read from the simulator's admin view; the expected
// values are this file's own, not the plugins' or the sync's.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "PleoSyncFixture.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using synctest::PleoSyncFixture;

namespace {

/// One expected fact: the single Pleo record of `kind` whose `key` is `value` has `field` = `expected`.
struct Fact {
    std::string kind, key, value, field, expected;
};

/// One plugin's case: its settings, the ERP files of the first and the changed export, and
/// what Pleo must hold after each.
struct PluginCase {
    std::string plugin;
    std::string settings;  ///< "setting.x = y" lines; ${DIR} is the installation's folder
    std::function<void(const fs::path&)> writeFirst, writeChanged;
    std::vector<Fact> first, changed;
};
void PrintTo(const PluginCase& c, std::ostream* os) { *os << c.plugin; }

void write(const fs::path& file, const std::string& bytes) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// ---- CSV: the plugin's documented files (plugins/csv/README.md) ----------------------------
void csvFiles(const fs::path& dir, bool changed) {
    const fs::path md = dir / "md";
    write(md / "accounts.csv", std::string("code,name,type,default_tax_code,archived\n") +
                                   "6100,Travel,expense,S25,false\n"
                                   "6200,Meals,expense,S12," + (changed ? "true" : "false") + "\n");
    write(md / "tax_codes.csv", std::string("code,name,rate,type,input_account,output_account\n") +
                                    (changed ? "S25,Standard rate 25 %" : "S25,Standard 25 %") + ",25,normal,2640,\n"
                                    "S12,Reduced 12 %,12,normal,2640,\n"
                                    "RC25,\"Reverse charge, EU services\",25,reverse,2645,2614\n");
    write(md / "dimensions.csv", "code,name\nDEPT,Department\n");
    write(md / "dimension_values.csv", "code,name,dimension\nSALES,Sales,DEPT\nENG,Engineering,DEPT\n");
    write(md / "suppliers.csv", "code,name,vat_number,country,currency\nV1,ACME ApS,DK12345678,DK,DKK\n"
                                "V2,\"Nordic Paper, AB\",SE556677889901,SE,SEK\n");
}

// ---- SIE 4: an accountant's export, code page 437 (ö = 0x94, ä = 0x84) ---------------------
void sieFile(const fs::path& dir, bool changed) {
    std::string s = "#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n#FNAMN \"Test AB\"\r\n";
    s += changed ? "#KONTO 6100 \"Resor och logi\"\r\n" : "#KONTO 6100 \"Resor\"\r\n#KONTO 6200 \"Representation\"\r\n";
    s += "#KONTO 6110 \"F\x94rbrukningsmaterial\"\r\n#DIM 6 \"Projekt\"\r\n#OBJEKT 6 \"P1\" \"Webbplats\"\r\n"
         "#OBJEKT 6 \"P2\" \"Kontorsflytt\"\r\n#DIM 1 \"Kostnadsst\x84lle\"\r\n#OBJEKT 1 \"100\" \"F\x94rs\x84ljning\"\r\n";
    write(dir / "export.se", s);
}

// ---- DATEV: Kontenbeschriftungen and Debitoren/Kreditoren, Windows-1252 (ü = 0xFC) --------
std::string extfHeader(int category, const std::string& format, int version) {
    return "\"EXTF\";700;" + std::to_string(category) + ";\"" + format + "\";" + std::to_string(version) +
           ";20261201120000000;;\"RE\";\"\";\"\";1001;1;20260101;4;;;\"\";\"\";;;;\"\";;\"\";;\"03\";;\"\";;\"\";\"\"\r\n";
}
void datevFiles(const fs::path& dir, bool changed) {
    std::string accounts = extfHeader(20, "Kontenbeschriftungen", 3) + "Konto;Kontenbeschriftung\r\n4660;\"Reisekosten Arbeitnehmer\"\r\n";
    if (!changed) accounts += "4650;\"Bewirtungskosten\"\r\n";
    accounts += "4930;\"B\xfc" "robedarf\"\r\n";
    write(dir / "EXTF_Kontenbeschriftungen.csv", accounts);
    write(dir / "EXTF_Debitoren_Kreditoren.csv",
          extfHeader(16, "Debitoren/Kreditoren", 5) +
              "Konto;Adressattyp;Name (Adressattyp Unternehmen);EU-Land;EU-UStID;Land\r\n"
              "70001;2;\"M\xfcller GmbH\";\"DE\";\"123456789\";\"DE\"\r\n70002;2;\"" +
              (changed ? "Acme Limited" : "Acme Ltd") + "\";\"\";\"\";\"GB\"\r\n10001;2;\"Kunde AG\";\"\";\"\";\"DE\"\r\n");
}

const std::vector<PluginCase>& cases() {
    static const std::vector<PluginCase> all{
        {"csv",
         "setting.output_dir = ${DIR}/out\nsetting.master_data_dir = ${DIR}/md\n",
         [](const fs::path& d) { csvFiles(d, false); },
         [](const fs::path& d) { csvFiles(d, true); },
         {{"taxCodes", "code", "S25", "name", "Standard 25 %"},
          {"taxCodes", "code", "S25", "rate", "0.25"},
          {"taxCodes", "code", "S25", "type", "inclusive"},
          {"taxCodes", "code", "S25", "ingoingTaxAccount", "2640"},
          {"taxCodes", "code", "S12", "rate", "0.12"},
          {"taxCodes", "code", "RC25", "name", "Reverse charge, EU services"},
          {"taxCodes", "code", "RC25", "type", "reverse"},
          {"taxCodes", "code", "RC25", "outgoingTaxAccount", "2614"},
          {"accounts", "externalId", "6100", "name", "Travel"},
          {"accounts", "externalId", "6100", "code", "6100"},
          {"accounts", "externalId", "6100", "taxCodeExternalId", "S25"},
          {"accounts", "externalId", "6200", "archived", "false"},
          {"tagGroups", "code", "DEPT", "name", "Department"},
          {"tags", "code", "SALES", "name", "Sales"},
          {"tags", "code", "ENG", "name", "Engineering"},
          {"vendors", "externalId", "V1", "name", "ACME ApS"},
          {"vendors", "externalId", "V1", "defaultCurrency", "DKK"},
          {"vendors", "externalId", "V1", "country", "DK"},
          {"vendors", "externalId", "V1", "taxRegistrationNumber", "DK12345678"},
          {"vendors", "externalId", "V2", "name", "Nordic Paper, AB"}},
         {{"accounts", "externalId", "6200", "archived", "true"},
          {"taxCodes", "code", "S25", "name", "Standard rate 25 %"},
          {"accounts", "externalId", "6100", "archived", "false"}}},
        {"sie",
         "setting.output_dir = ${DIR}/out\nsetting.company_name = Test AB\nsetting.org_nr = 556000-0002\n"
         "setting.fiscal_year_start = 20260101\nsetting.fiscal_year_end = 20261231\nsetting.tax_codes = I25,I12,I6,RC25,E0\n"
         "setting.master_data_file = ${DIR}/export.se\n",
         [](const fs::path& d) { sieFile(d, false); },
         [](const fs::path& d) { sieFile(d, true); },
         {{"accounts", "externalId", "6100", "name", "Resor"},
          {"accounts", "externalId", "6200", "name", "Representation"},
          {"accounts", "externalId", "6110", "name", "F\xc3\xb6rbrukningsmaterial"},
          {"accounts", "externalId", "6200", "archived", "false"},
          {"tagGroups", "code", "6", "name", "Projekt"},
          {"tagGroups", "code", "1", "name", "Kostnadsst\xc3\xa4lle"},
          {"tags", "code", "P1", "name", "Webbplats"},
          {"tags", "code", "P2", "name", "Kontorsflytt"},
          {"tags", "code", "100", "name", "F\xc3\xb6rs\xc3\xa4ljning"}},
         {{"accounts", "externalId", "6200", "archived", "true"},
          {"accounts", "externalId", "6100", "name", "Resor och logi"}}},
        {"datev",
         "setting.output_dir = ${DIR}/out\nsetting.beraternummer = 1001\nsetting.mandantennummer = 1\n"
         "setting.bu_keys = I25:9,I12:8,I6:8,RC25:94,E0:\n"
         "setting.kontenbeschriftungen_file = ${DIR}/EXTF_Kontenbeschriftungen.csv\n"
         "setting.debitoren_kreditoren_file = ${DIR}/EXTF_Debitoren_Kreditoren.csv\n",
         [](const fs::path& d) { datevFiles(d, false); },
         [](const fs::path& d) { datevFiles(d, true); },
         {{"accounts", "externalId", "4660", "name", "Reisekosten Arbeitnehmer"},
          {"accounts", "externalId", "4650", "name", "Bewirtungskosten"},
          {"accounts", "externalId", "4930", "name", "B\xc3\xbc" "robedarf"},
          {"vendors", "externalId", "70001", "name", "M\xc3\xbcller GmbH"},
          {"vendors", "externalId", "70001", "taxRegistrationNumber", "DE123456789"},
          {"vendors", "externalId", "70001", "defaultCurrency", "EUR"},
          {"vendors", "externalId", "70002", "name", "Acme Ltd"},
          {"vendors", "externalId", "70002", "country", "GB"}},
         {{"accounts", "externalId", "4650", "archived", "true"},
          {"vendors", "externalId", "70002", "name", "Acme Limited"}}},
    };
    return all;
}

class FilePluginSync : public PleoSyncFixture, public ::testing::WithParamInterface<PluginCase> {
protected:
    void SetUp() override {
        startPleoAndLogin();
        if (HasFatalFailure()) return;
        dir_ = inst_->dir();
        fs::create_directories(dir_ / "out");
        std::ifstream in(inst_->configPath());
        std::string ini((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::string settings = GetParam().settings;
        for (auto at = settings.find("${DIR}"); at != std::string::npos; at = settings.find("${DIR}"))
            settings.replace(at, 6, dir_.string());
        const auto plugin = ini.find("plugin = csv");
        ASSERT_NE(plugin, std::string::npos);
        ini.replace(plugin, 12, "plugin = " + GetParam().plugin + "\n" + settings);
        const char* plugins = std::getenv("LEDGERBRIDGE_FIRST_PARTY_PLUGINS");
        ASSERT_TRUE(plugins) << "LEDGERBRIDGE_FIRST_PARTY_PLUGINS is set by CTest";
        ini += std::string("\n[plugins]\ndir = ") + plugins + "\n";
        std::ofstream(inst_->configPath(), std::ios::trunc) << ini;
    }

    /// Every fact holds in what Pleo holds now.
    void expectPleoHolds(const std::vector<Fact>& facts, const std::string& when) {
        auto md = masterData();
        for (const Fact& f : facts) {
            auto record = one(md, f.kind, f.key, f.value);
            std::string actual = str(record, f.field);
            if (f.field == "rate" && record->has("rate")) {  // a JSON number: compare as the decimal it is
                std::ostringstream os;
                os << record->getValue<double>("rate");
                actual = os.str();
                if (actual.find('.') == std::string::npos) actual += ".0";
            }
            EXPECT_EQ(actual, f.expected) << when << ": " << f.kind << " " << f.key << "=" << f.value << " ." << f.field;
        }
    }

    fs::path dir_;
};

TEST_P(FilePluginSync, PleoEqualsTheErpActivatesWritesNothingTwiceAndTakesChanges) {
    const PluginCase& c = GetParam();
    c.writeFirst(dir_);
    EXPECT_EQ(installation(), "AUTHORIZED");

    auto first = cli({"sync", "--connection", "acme"});
    std::cout << first.out;
    ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
    EXPECT_EQ(installation(), "ACTIVATED") << "the first successful sync activates the installation";
    expectPleoHolds(c.first, "after the first sync");

    const long before = writes();
    auto second = cli({"sync", "--connection", "acme"});
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;
    EXPECT_EQ(writes(), before) << "an unchanged ERP writes nothing:\n" << second.out;

    c.writeChanged(dir_);
    auto third = cli({"sync", "--connection", "acme"});
    std::cout << third.out;
    ASSERT_EQ(third.exitCode, 0) << third.out << third.err;
    EXPECT_EQ(writes(), before + 2) << "one archive and one rename, nothing else:\n" << third.out;
    expectPleoHolds(c.changed, "after the ERP changed");
    expectNoRequestViolations();
}

INSTANTIATE_TEST_SUITE_P(Plugins, FilePluginSync, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<PluginCase>& p) { return p.param.plugin; });

}  // namespace
