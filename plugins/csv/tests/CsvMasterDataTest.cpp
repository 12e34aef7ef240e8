// Master data from CSV files, through the real csv.so: files this test writes itself (its own
// RFC 4180 writer; columns in random order, optional ones left out; values with commas, quotes,
// line breaks and non-ASCII text) over many seeds come back field by field, every record once
// at any page size, with ids stable across instances; malformed files are errors naming file,
// line and column; a kind without its file is unsupported.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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
const lb_plugin_api* csvApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_CSV_PLUGIN"));
    return api;
}

std::string csvField(const std::string& v, bool alwaysQuote) {
    if (!alwaysQuote && v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Column name -> the record's field, per kind, as README.md documents them.
using Field = std::function<std::string&(MasterRecord&)>;
std::vector<std::pair<std::string, Field>> columnsOf(MasterKind kind) {
    std::vector<std::pair<std::string, Field>> c{{"code", [](MasterRecord& r) -> std::string& { return r.code; }},
                                                 {"name", [](MasterRecord& r) -> std::string& { return r.name; }}};
    auto add = [&](const char* name, std::string MasterRecord::*member) {
        c.emplace_back(name, [member](MasterRecord& r) -> std::string& { return r.*member; });
    };
    if (kind == MasterKind::Account) add("type", &MasterRecord::type), add("default_tax_code", &MasterRecord::defaultTaxCodeId);
    if (kind == MasterKind::TaxCode)
        add("rate", &MasterRecord::taxRate), add("type", &MasterRecord::type),
            add("input_account", &MasterRecord::inputAccountCode), add("output_account", &MasterRecord::outputAccountCode);
    if (kind == MasterKind::DimensionValue) add("dimension", &MasterRecord::parentId);
    if (kind == MasterKind::Supplier)
        add("registration_number", &MasterRecord::registrationNumber), add("vat_number", &MasterRecord::vatNumber),
            add("country", &MasterRecord::country), add("currency", &MasterRecord::currency),
            add("default_account", &MasterRecord::defaultAccountCode);
    return c;
}

struct Generated {
    std::string bytes;
    std::vector<MasterRecord> records;
};

Generated generate(MasterKind kind, unsigned seed) {
    std::mt19937 rng(seed * 31 + static_cast<unsigned>(kind));
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    static const std::vector<std::string> alphabet{"a", "Z", "0", " ", ",", "\"", "\n", "\r\n", "Å", "ä", "Ö", "ü",
                                                   "ß", "€", "😀", "'", ";", "-"};
    auto text = [&]() {
        std::string s;
        const int n = 1 + pick(10);
        for (int i = 0; i < n; ++i) s += alphabet[static_cast<std::size_t>(pick(static_cast<int>(alphabet.size())))];
        return s;
    };
    auto columns = columnsOf(kind);
    const bool withId = pick(2) == 0, withArchived = pick(2) == 0;
    // Optional columns may be left out; required ones never.
    static const std::set<std::string> required{"code", "name", "type", "rate", "dimension"};
    columns.erase(std::remove_if(columns.begin(), columns.end(),
                                 [&](const auto& c) { return !required.count(c.first) && pick(3) == 0; }),
                  columns.end());
    std::vector<std::string> header;
    for (const auto& c : columns) header.push_back(c.first);
    if (withId) header.push_back("id");
    if (withArchived) header.push_back("archived");
    std::shuffle(header.begin(), header.end(), rng);
    Generated g;
    const bool crlf = pick(2) == 0, quoteAll = pick(4) == 0;
    const std::string eol = crlf ? "\r\n" : "\n";
    if (pick(5) == 0) g.bytes += "\xEF\xBB\xBF";  // as spreadsheet programs save UTF-8
    for (std::size_t k = 0; k < header.size(); ++k) g.bytes += (k ? "," : "") + csvField(header[k], quoteAll);
    g.bytes += eol;
    const int count = pick(30);
    std::set<std::string> ids;
    for (int n = 0; n < count; ++n) {
        MasterRecord r;
        r.kind = kind;
        std::map<std::string, std::string> values;
        for (auto& [name, field] : columns) {
            std::string v = text();
            if (name == "type") v = kind == MasterKind::Account ? std::vector<std::string>{"expense", "asset", "liability", "equity", "revenue", "other"}[static_cast<std::size_t>(pick(6))]
                                                                : std::vector<std::string>{"normal", "reverse", "exempt"}[static_cast<std::size_t>(pick(3))];
            if (name == "rate") v = std::to_string(pick(30)) + (pick(2) ? ".5" : "");
            if (name == "country") v = pick(2) ? "SE" : "";
            if (name == "currency") v = pick(2) ? "EUR" : "";
            if (!required.count(name) && pick(4) == 0) v.clear();
            field(r) = v;
            values[name] = v;
        }
        if (withArchived) {
            const int a = pick(3);
            r.archived = a == 1;
            values["archived"] = a == 0 ? "" : a == 1 ? "true" : "false";
        }
        r.id = withId ? "ID " + std::to_string(n) + text() : kind == MasterKind::DimensionValue ? r.parentId + "/" + r.code : r.code;
        if (!ids.insert(r.id).second) continue;
        values["id"] = r.id;
        for (std::size_t k = 0; k < header.size(); ++k) g.bytes += (k ? "," : "") + csvField(values[header[k]], quoteAll);
        g.bytes += eol;
        g.records.push_back(r);
    }
    return g;
}

class CsvMasterDataTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-csv-md-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir / "out");
        fs::create_directories(dir / "md");
    }
    void TearDown() override { fs::remove_all(dir); }
    std::unique_ptr<sdk::PluginClient> client(const std::string& masterDataDir) {
        auto c = std::make_unique<sdk::PluginClient>(csvApi(), host, "csv");
        std::vector<std::pair<std::string, std::string>> s{{"output_dir", (dir / "out").string()}};
        if (!masterDataDir.empty()) s.emplace_back("master_data_dir", masterDataDir);
        c->configure(s);
        return c;
    }
    void write(const std::string& name, const std::string& bytes) {
        std::ofstream(dir / "md" / name, std::ios::binary) << bytes;
    }
    fs::path dir;
    testkit::MemoryHost host;
};

const std::vector<std::pair<MasterKind, std::string>> kFiles{
    {MasterKind::Account, "accounts.csv"},       {MasterKind::TaxCode, "tax_codes.csv"},
    {MasterKind::Dimension, "dimensions.csv"},   {MasterKind::DimensionValue, "dimension_values.csv"},
    {MasterKind::Supplier, "suppliers.csv"}};
}  // namespace

TEST_F(CsvMasterDataTest, GeneratedFilesComeBackFieldByFieldAtEveryPageSize) {
    for (unsigned seed = 1; seed <= 40; ++seed) {
        std::map<MasterKind, Generated> files;
        for (const auto& [kind, name] : kFiles) write(name, (files[kind] = generate(kind, seed)).bytes);
        auto c = client((dir / "md").string());
        const std::size_t pageSize = 1 + seed % 6;
        for (const auto& [kind, name] : kFiles) {
            const auto& want = files[kind].records;
            const auto got = testkit::readAllMasterData(*c, kind, pageSize);
            ASSERT_EQ(got.records.size(), want.size()) << name << " seed " << seed;
            EXPECT_EQ(got.pages, std::max<std::size_t>(1, (want.size() + pageSize - 1) / pageSize));
            for (std::size_t i = 0; i < want.size(); ++i) {
                EXPECT_EQ(got.records[i].id, want[i].id) << name << " seed " << seed << " row " << i;
                EXPECT_EQ(got.records[i].name, want[i].name) << name << " seed " << seed << " row " << i;
                EXPECT_TRUE(got.records[i] == want[i]) << name << " seed " << seed << " row " << i;
            }
            // Ids and content the same from a fresh instance.
            EXPECT_TRUE(testkit::readAllMasterData(*client((dir / "md").string()), kind, 500).records == want) << name;
        }
        if (HasFailure()) return;
    }
}

TEST_F(CsvMasterDataTest, EmptyFilesAndHeaderOnlyFilesHaveNoRecords) {
    write("accounts.csv", "");
    write("suppliers.csv", "code,name\r\n");
    auto c = client((dir / "md").string());
    for (MasterKind kind : {MasterKind::Account, MasterKind::Supplier}) {
        const auto page = c->readMasterData(sdk::MasterDataRequest{kind, "", "", 10});
        EXPECT_TRUE(page.records.empty());
        EXPECT_TRUE(page.nextCursor.empty());
    }
}

TEST_F(CsvMasterDataTest, MalformedFilesAreErrorsNamingFileLineAndColumn) {
    const std::vector<std::pair<std::string, std::string>> broken{
        {"\"4010,Travel,expense\n", ":3: field 1: a quoted field is not closed"},
        {"4010,Tra\"vel,expense\n", ":3: field 2: a quote in an unquoted field"},
        {"4010,Travel\n", ":3: row: 2 fields, the header has 3"},
        {"4010,Travel,costs\n", ":3: type: 'costs' is not one of"},
        {"4010,,expense\n", ":3: name: is empty"},
        {"4010,\"Tr\xC3\",expense\n", ":3: name: not valid UTF-8"},
        {"1930,Bank again,asset\n", ":3: id: '1930' is already on line 2"},
    };
    for (const auto& [row, what] : broken) {
        write("accounts.csv", "code,name,type\n1930,Bank,asset\n" + row + "4020,Fuel,expense\n");
        auto c = client((dir / "md").string());
        try {
            testkit::readAllMasterData(*c, MasterKind::Account, 10);
            ADD_FAILURE() << "no error for " << row;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_TARGET) << e.what();
            EXPECT_NE(e.pluginMessage().find((dir / "md" / "accounts.csv").string() + what), std::string::npos) << e.what();
        }
    }
    write("accounts.csv", "code,name,kind\n");
    try {
        testkit::readAllMasterData(*client((dir / "md").string()), MasterKind::Account, 10);
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(e.pluginMessage().find(":1: header: unknown column 'kind'"), std::string::npos) << e.what();
    }
    write("tax_codes.csv", "code,name,type\n");
    try {
        testkit::readAllMasterData(*client((dir / "md").string()), MasterKind::TaxCode, 10);
        ADD_FAILURE();
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(e.pluginMessage().find(":1: header: required column 'rate' is missing"), std::string::npos) << e.what();
    }
}

TEST_F(CsvMasterDataTest, AKindWithoutItsFileAndNoDirectoryAreUnsupported) {
    write("accounts.csv", "code,name,type\n1930,Bank,asset\n");
    auto c = client((dir / "md").string());
    EXPECT_EQ(c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, "", "", 10}).records.size(), 1u);
    auto none = client("");
    for (auto [kind, plugin] : {std::pair{MasterKind::Supplier, c.get()}, std::pair{MasterKind::Account, none.get()}}) {
        try {
            plugin->readMasterData(sdk::MasterDataRequest{kind, "", "", 10});
            ADD_FAILURE();
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
        }
    }
}

TEST_F(CsvMasterDataTest, ACursorThePluginDidNotGiveIsRefused) {
    write("accounts.csv", "code,name,type\n1930,Bank,asset\n4010,Travel,expense\n4020,Fuel,expense\n");
    auto c = client((dir / "md").string());
    const auto first = c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, "", "", 2});
    ASSERT_EQ(first.records.size(), 2u);
    ASSERT_FALSE(first.nextCursor.empty());
    const std::string snapshot = first.nextCursor.substr(first.nextCursor.find('@'));
    for (const std::string& cursor : {std::string("page-2"), std::string("x") + snapshot, "9" + snapshot}) {
        try {
            c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, cursor, "", 2});
            ADD_FAILURE() << cursor;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_INVALID_ARGUMENT) << e.what();
            EXPECT_NE(e.pluginMessage().find(cursor), std::string::npos) << e.what();
        }
    }
    const auto last = c->readMasterData(sdk::MasterDataRequest{MasterKind::Account, first.nextCursor, "", 2});
    ASSERT_EQ(last.records.size(), 1u);
    EXPECT_EQ(last.records[0].id, "4020");
    EXPECT_TRUE(last.nextCursor.empty());
}
