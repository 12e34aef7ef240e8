// The ABI's growth, proven in the real loader (file checks, library_info, dlopen, negotiation):
// a plugin built against the frozen ABI 1.0 headers (sdk/tests/abi-1.0) loads in this 1.1 host,
// configures, plans, pushes and looks up with every field of every entry intact, and is seen
// without master data or token hosts even though its memory behind the 1.0 table and manifest
// holds traps a host reading past struct_size would take for them. A 1.1 table whose
// read_master_data slot is NULL means "no master data".
#include <filesystem>
#include <fstream>
#include <map>

#include "LoaderFixture.h"
#include "ledgerbridge/library.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
using Fields = std::map<std::string, std::string>;

sdk::Money money(std::int64_t minor, const char* currency, int exponent) { return sdk::Money{minor, currency, exponent}; }

/// An entry with every field of lb_entry and lb_line set, three lines each with two tags.
sdk::Entry fullEntry(int n) {
    const std::string id = "ae-" + std::to_string(n);
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-10";
    e.idempotencyKey = "lb-" + id;
    e.type = "card_purchase";
    e.subType = "online";
    e.date = "2026-03-0" + std::to_string(n);
    e.bookingDate = "2026-03-1" + std::to_string(n);
    e.note = "Dinner, \"Kødbyen\"\nsecond line\twith a tab \\ and a backslash";
    e.supplier = {"sup-" + std::to_string(n), "V10" + std::to_string(n), "Restaurant Æblet"};
    e.employee = {"emp-1", "E7", "Ada Lovelace"};
    e.team = {"team-1", "T1", "Engineering"};
    e.totalSupplier = money(30000 + n, "SEK", 2);
    std::int64_t total = 0;
    for (int j = 0; j < 3; ++j) {
        sdk::Line l;
        l.lineId = id + "-l" + std::to_string(j);
        l.supplierAmount = money(10000 + j, "SEK", 2);
        l.walletAmount = money(1000 + 10 * j + n, "EUR", 2);
        l.taxAmount = money(200 + j, "EUR", 2);
        l.netAmount = money(l.walletAmount.minor - l.taxAmount.minor, "EUR", 2);
        l.accountCode = "61" + std::to_string(10 + j);
        l.accountId = "acc-uuid-" + std::to_string(j);
        l.taxCode = j == 2 ? "RC25" : "S25";
        l.taxRate = j == 1 ? "12.5" : "25";
        l.taxType = j == 2 ? "reverse" : "normal";
        l.tags = {{"PROJECT", "P-" + std::to_string(j), "Apollo 東京"}, {"DEPT", "D-4", "Sales 🧾"}};
        l.description = "line " + std::to_string(j) + " of " + id;
        total += l.walletAmount.minor;
        e.lines.push_back(l);
    }
    e.totalWallet = money(total, "EUR", 2);
    e.contraAccountCode = "2900";
    e.contraAccountId = "contra-uuid";
    e.receipts = {{"/tmp/r-" + id + ".pdf", "receipt " + id + ".pdf", "application/pdf"},
                  {"/tmp/r-" + id + ".jpg", "photo.jpg", "image/jpeg"}};
    return e;
}

/// What the plugin must have written for `e`: every field by the key the fixture's README names.
Fields expectedFields(const sdk::Entry& e) {
    Fields f;
    auto money = [&](const std::string& k, const sdk::Money& m) {
        f[k + ".minor"] = std::to_string(m.minor);
        f[k + ".currency"] = m.currency;
        f[k + ".exponent"] = std::to_string(m.exponent);
    };
    auto party = [&](const std::string& k, const sdk::Party& p) {
        f[k + ".id"] = p.id;
        f[k + ".code"] = p.code;
        f[k + ".name"] = p.name;
    };
    f["accounting_entry_id"] = e.accountingEntryId;
    f["export_job_id"] = e.exportJobId;
    f["idempotency_key"] = e.idempotencyKey;
    f["type"] = e.type;
    f["sub_type"] = e.subType;
    f["date"] = e.date;
    f["booking_date"] = e.bookingDate;
    f["note"] = e.note;
    party("supplier", e.supplier);
    party("employee", e.employee);
    party("team", e.team);
    money("total_supplier", e.totalSupplier);
    money("total_wallet", e.totalWallet);
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const sdk::Line& l = e.lines[i];
        const std::string p = "line." + std::to_string(i) + ".";
        f[p + "line_id"] = l.lineId;
        money(p + "supplier_amount", l.supplierAmount);
        money(p + "wallet_amount", l.walletAmount);
        money(p + "net_amount", l.netAmount);
        money(p + "tax_amount", l.taxAmount);
        f[p + "account_code"] = l.accountCode;
        f[p + "account_id"] = l.accountId;
        f[p + "tax_code"] = l.taxCode;
        f[p + "tax_rate"] = l.taxRate;
        f[p + "tax_type"] = l.taxType;
        f[p + "description"] = l.description;
        for (std::size_t t = 0; t < l.tags.size(); ++t) {
            const std::string q = p + "tag." + std::to_string(t) + ".";
            f[q + "group_code"] = l.tags[t].groupCode;
            f[q + "code"] = l.tags[t].code;
            f[q + "name"] = l.tags[t].name;
        }
    }
    f["contra_account_code"] = e.contraAccountCode;
    f["contra_account_id"] = e.contraAccountId;
    for (std::size_t i = 0; i < e.receipts.size(); ++i) {
        const std::string p = "receipt." + std::to_string(i) + ".";
        f[p + "path"] = e.receipts[i].path;
        f[p + "file_name"] = e.receipts[i].fileName;
        f[p + "mime_type"] = e.receipts[i].mimeType;
    }
    return f;
}

std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
    }
    return out;
}

/// The blocks of entries.txt (ENTRY, key=value lines, END); a malformed line fails the test.
std::vector<Fields> readLedger(const std::string& path) {
    std::vector<Fields> out;
    std::ifstream in(path);
    EXPECT_TRUE(in) << "cannot read " << path;
    bool open = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "ENTRY") {
            EXPECT_FALSE(open) << "ENTRY inside an entry";
            out.emplace_back();
            open = true;
        } else if (line == "END") {
            EXPECT_TRUE(open) << "END outside an entry";
            open = false;
        } else {
            const auto eq = line.find('=');
            EXPECT_TRUE(open && eq != std::string::npos) << "malformed line: " << line;
            if (!open || eq == std::string::npos) continue;
            const bool fresh = out.back().emplace(line.substr(0, eq), unescape(line.substr(eq + 1))).second;
            EXPECT_TRUE(fresh) << "field written twice: " << line;
        }
    }
    EXPECT_FALSE(open) << "the last entry has no END";
    return out;
}

class Abi10Test : public LoaderTest {
protected:
    void SetUp() override {
        LoaderTest::SetUp();
        ledgerDir = root + "/ledger";
        fs::create_directories(ledgerDir);
    }
    std::string ledgerDir;
};
}  // namespace

TEST_F(Abi10Test, APluginBuiltAgainstTheFrozen10HeadersExportsEveryFieldIntactIn11Host) {
    auto plugin = loader->load(install("abi10"));
    EXPECT_EQ(plugin->abiMajor(), 1u);
    EXPECT_EQ(plugin->abiMinor(), 0u);
    EXPECT_EQ(plugin->manifest().name, "lbtest_abi10");
    EXPECT_EQ(plugin->manifest().capabilities, LB_CAP_LOOKUP | LB_CAP_DRY_RUN);
    ASSERT_EQ(plugin->manifest().settings.size(), 1u);
    EXPECT_EQ(plugin->manifest().settings[0].key, "output_dir");
    EXPECT_TRUE(plugin->manifest().tokenHosts.empty()) << "read token hosts past a 1.0 manifest: "
                                                       << plugin->manifest().tokenHosts.front();
    EXPECT_TRUE(plugin->manifest().targetIdentity.empty()) << "read a target identity past a 1.0 manifest";

    auto session = plugin->open();
    session->configure({{"output_dir", ledgerDir}});
    const std::vector<sdk::Entry> batch{fullEntry(1), fullEntry(2), fullEntry(3)};

    const sdk::PlanResult plan = session->plan(batch);
    EXPECT_TRUE(plan.rejections.empty());
    ASSERT_EQ(plan.documents.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        EXPECT_EQ(plan.documents[i].entryIndex, i);
        EXPECT_NE(plan.documents[i].body.find("accounting_entry_id=" + batch[i].accountingEntryId + "\n"),
                  std::string::npos);
    }
    EXPECT_FALSE(fs::exists(ledgerDir + "/entries.txt")) << "the dry run wrote the ledger";

    const loader::PushResult pushed = session->push(batch);
    ASSERT_TRUE(pushed.ok()) << pushed.message;
    ASSERT_EQ(pushed.outcomes.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        EXPECT_EQ(pushed.outcomes[i].entryIndex, i);
        EXPECT_EQ(pushed.outcomes[i].kind, sdk::OutcomeKind::Posted);
        EXPECT_EQ(pushed.outcomes[i].externalId, "A10-" + batch[i].accountingEntryId);
    }

    const std::vector<Fields> written = readLedger(ledgerDir + "/entries.txt");
    ASSERT_EQ(written.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const Fields expected = expectedFields(batch[i]);
        EXPECT_EQ(written[i].size(), expected.size()) << "entry " << i;
        for (const auto& [key, value] : expected) {
            const auto it = written[i].find(key);
            if (it == written[i].end()) ADD_FAILURE() << "entry " << i << ": " << key << " not written";
            else EXPECT_EQ(it->second, value) << "entry " << i << ": " << key;
        }
    }

    const sdk::Outcome found = session->lookup(batch[1]);
    EXPECT_EQ(found.kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(found.externalId, "A10-ae-2");
    EXPECT_EQ(session->lookup(fullEntry(7)).kind, sdk::OutcomeKind::Absent);

    EXPECT_FALSE(session->hasMasterData()) << "a 1.0 plugin has no master-data slot";
    EXPECT_FALSE(session->readMasterData(sdk::MasterDataRequest{}).has_value());
}

TEST_F(Abi10Test, ItsTableAndManifestAreThe10SizesWithTrapsBehindThem) {
    const std::string path = install("abi10");
    loader->load(path);  // the loader's checks first; the same library is mapped again below
    const lb_plugin_api* api = sdk::openLibrary(path);
    EXPECT_EQ(api->abi_minor, 0u);
    EXPECT_EQ(api->struct_size, LB_PLUGIN_API_SIZE_1_0);
    EXPECT_LT(api->struct_size, sizeof(lb_plugin_api));
    const lb_manifest* manifest = api->describe();
    EXPECT_EQ(manifest->struct_size, LB_MANIFEST_SIZE_1_0);
    // The traps are really there: a host reading past struct_size would find a slot and a host.
    EXPECT_NE(api->read_master_data, nullptr);
    ASSERT_EQ(manifest->token_host_count, 1u);
    EXPECT_STREQ(manifest->token_hosts[0], "trap.invalid");
    EXPECT_FALSE(LB_HAS_FIELD(api, lb_plugin_api, read_master_data));
    EXPECT_FALSE(LB_HAS_FIELD(manifest, lb_manifest, token_hosts));
}

TEST_F(Abi10Test, A11TableWithANullMasterDataSlotHasNoMasterData) {
    auto withSlot = loader->load(install("mdslot"))->open();  // the control: slot filled
    withSlot->configure({});
    EXPECT_TRUE(withSlot->hasMasterData());
    const auto page = withSlot->readMasterData(sdk::MasterDataRequest{});
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->records.size(), 1u);
    EXPECT_EQ(page->records[0].id, "acc-1");

    auto plugin = loader->load(install("nomdslot"));
    EXPECT_EQ(plugin->abiMinor(), 1u);
    EXPECT_TRUE(plugin->manifest().capabilities & LB_CAP_MASTER_DATA) << "declared, but the slot is NULL";
    auto session = plugin->open();
    session->configure({});
    EXPECT_FALSE(session->hasMasterData());
    EXPECT_FALSE(session->readMasterData(sdk::MasterDataRequest{}).has_value());
}
