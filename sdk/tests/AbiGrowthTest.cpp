// The ABI's growth rules (plugin_abi.h, "How the ABI grows") at the SDK level: negotiation
// checks a table against the size of the minor it declares and refuses a too-new plugin naming
// both versions; a NULL read_master_data slot is "no master data"; arrays of entries and lines
// are read by the first element's struct_size, so a plugin reads correctly both what EntryView
// lays out with 1.0 strides and what a future host lays out with larger structs.
// The plugin built against the frozen 1.0 headers is exercised in core/loader/tests.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::sdk;

namespace {

/// Posts every entry and keeps what it received, as the wrapper handed it over.
class Recorder : public Plugin {
public:
    static Manifest manifest() {
        Manifest m;
        m.name = "recorder";
        m.version = "1.0.0";
        m.targetSystem = "test";
        return m;
    }
    static std::vector<Entry>& received() {
        static std::vector<Entry> all;
        return all;
    }
    void configure(const Settings&) override {}
    void push(const std::vector<Entry>& batch, OutcomeSink& outcomes) override {
        for (std::size_t i = 0; i < batch.size(); ++i) {
            received().push_back(batch[i]);
            outcomes.report(i, Outcome::posted("R-" + batch[i].accountingEntryId));
        }
    }
};

const lb_plugin_api* recorderTable() { return detail_exporter<Recorder>::entry(LB_ABI_MAJOR, LB_ABI_MINOR); }

std::string negotiationError(const lb_plugin_api& api, std::uint32_t hostMinor = LB_ABI_MINOR) {
    try {
        negotiate("/plugins/x.so", &api, 1, hostMinor);
        return "";
    } catch (const LibraryError& e) {
        return e.what();
    }
}

Entry entry(int n, int lines) {
    Entry e;
    e.accountingEntryId = "ae-" + std::to_string(n);
    e.exportJobId = "job-1";
    e.idempotencyKey = "lb-ae-" + std::to_string(n);
    e.type = "card_purchase";
    e.subType = "online";
    e.date = "2026-02-0" + std::to_string(n);
    e.bookingDate = "2026-02-1" + std::to_string(n);
    e.note = "note " + std::to_string(n);
    e.supplier = {"s", "V1", "Supplier"};
    e.employee = {"e", "E1", "Employee"};
    e.team = {"t", "T1", "Team"};
    e.totalSupplier = {100L * n, "SEK", 2};
    e.contraAccountCode = "2900";
    e.contraAccountId = "contra";
    e.receipts = {{"/r/" + std::to_string(n), "r.pdf", "application/pdf"}};
    for (int j = 0; j < lines; ++j) {
        Line l;
        l.lineId = e.accountingEntryId + "-" + std::to_string(j);
        l.supplierAmount = {10L + j, "SEK", 2};
        l.walletAmount = {20L + j, "EUR", 2};
        l.netAmount = {16L + j, "EUR", 2};
        l.taxAmount = {4, "EUR", 2};
        l.accountCode = "61" + std::to_string(j);
        l.accountId = "acc-" + std::to_string(j);
        l.taxCode = "S25";
        l.taxRate = "25";
        l.taxType = "normal";
        l.tags = {{"PROJECT", "P-" + std::to_string(j), "Project"}};
        l.description = "line " + std::to_string(j);
        e.lines.push_back(l);
    }
    e.totalWallet = {static_cast<std::int64_t>(e.lines.size()) * 20, "EUR", 2};
    return e;
}

/// Every field of an entry as text, to compare entries in one assertion.
std::string dump(const Entry& e) {
    std::ostringstream o;
    auto m = [&](const Money& x) { o << x.minor << ' ' << x.currency << ' ' << x.exponent << '|'; };
    auto p = [&](const Party& x) { o << x.id << ',' << x.code << ',' << x.name << '|'; };
    o << e.accountingEntryId << '|' << e.exportJobId << '|' << e.idempotencyKey << '|' << e.type << '|' << e.subType
      << '|' << e.date << '|' << e.bookingDate << '|' << e.note << '|';
    p(e.supplier);
    p(e.employee);
    p(e.team);
    m(e.totalSupplier);
    m(e.totalWallet);
    for (const Line& l : e.lines) {
        o << "\n  " << l.lineId << '|';
        m(l.supplierAmount);
        m(l.walletAmount);
        m(l.netAmount);
        m(l.taxAmount);
        o << l.accountCode << '|' << l.accountId << '|' << l.taxCode << '|' << l.taxRate << '|' << l.taxType << '|'
          << l.description << '|';
        for (const Tag& t : l.tags) o << t.groupCode << ',' << t.code << ',' << t.name << ';';
    }
    o << "\n" << e.contraAccountCode << '|' << e.contraAccountId << '|';
    for (const Receipt& r : e.receipts) o << r.path << ',' << r.fileName << ',' << r.mimeType << ';';
    return o.str();
}

/// Byte storage aligned for the structs.
struct Storage {
    std::vector<std::max_align_t> words;
    unsigned char* bytes(std::size_t n) {
        words.assign((n + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t), std::max_align_t{});
        std::memset(words.data(), 0xA5, words.size() * sizeof(std::max_align_t));  // what a future field holds
        return reinterpret_cast<unsigned char*>(words.data());
    }
};

/// The arrays as a future host would lay them out: structs `extra` bytes larger than this
/// header's (fields appended in a later minor), struct_size saying so, the tail filled with 0xA5.
class FutureLayout {
public:
    FutureLayout(const std::vector<Entry>& entries, std::size_t extraEntry, std::size_t extraLine)
        : view_(entries), lines_(entries.size()) {
        const std::size_t entryStride = sizeof(lb_entry) + extraEntry, lineStride = sizeof(lb_line) + extraLine;
        unsigned char* out = entries_.bytes(entries.size() * entryStride);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            lb_entry e = view_.data()[i];
            unsigned char* lines = lines_[i].bytes(e.line_count * lineStride);
            for (std::size_t j = 0; j < e.line_count; ++j) {
                lb_line l = e.lines[j];
                l.struct_size = lineStride;
                std::memcpy(lines + j * lineStride, &l, sizeof l);
            }
            e.struct_size = entryStride;
            e.lines = reinterpret_cast<const lb_line*>(lines);
            std::memcpy(out + i * entryStride, &e, sizeof e);
        }
    }
    const lb_entry* data() { return reinterpret_cast<const lb_entry*>(entries_.words.data()); }

private:
    EntryView view_;
    Storage entries_;
    std::vector<Storage> lines_;
};

}  // namespace

TEST(AbiGrowth, ATooNewPluginIsRefusedByAnOlderHostNamingBothVersions) {
    const lb_plugin_api plugin11 = *recorderTable();
    ASSERT_EQ(plugin11.abi_minor, 1u);
    EXPECT_EQ(negotiationError(plugin11, 0),
              "/plugins/x.so: plugin needs a newer host: the plugin was built for ABI 1.1, this host speaks ABI 1.0 "
              "and older; upgrade ledgerbridge or rebuild the plugin against the 1.0 SDK");
    EXPECT_EQ(negotiationError(plugin11, 1), "");  // the control: the 1.1 host takes it
}

TEST(AbiGrowth, ATableIsCheckedAgainstTheSizeOfTheMinorItDeclares) {
    lb_plugin_api short11 = *recorderTable();
    short11.struct_size = LB_PLUGIN_API_SIZE_1_0;  // declares 1.1 but has no read_master_data slot
    EXPECT_EQ(negotiationError(short11), "/plugins/x.so: plugin table too small: expected at least " +
                                             std::to_string(LB_PLUGIN_API_SIZE_1_1) + " bytes for ABI 1.1, found " +
                                             std::to_string(LB_PLUGIN_API_SIZE_1_0));
    lb_plugin_api table10 = short11;  // the same size declaring 1.0 is a whole 1.0 table
    table10.abi_minor = 0;
    EXPECT_EQ(negotiationError(table10), "");
    table10.struct_size = LB_PLUGIN_API_SIZE_1_0 - sizeof(void*);  // a 1.0 table without destroy
    EXPECT_EQ(negotiationError(table10), "/plugins/x.so: plugin table too small: expected at least " +
                                             std::to_string(LB_PLUGIN_API_SIZE_1_0) + " bytes for ABI 1.0, found " +
                                             std::to_string(LB_PLUGIN_API_SIZE_1_0 - sizeof(void*)));
    EXPECT_EQ(pluginTableSizeForMinor(0), LB_PLUGIN_API_SIZE_1_0);
    EXPECT_EQ(pluginTableSizeForMinor(1), LB_PLUGIN_API_SIZE_1_1);
    EXPECT_EQ(LB_PLUGIN_API_SIZE_1_1, sizeof(lb_plugin_api));  // 1.1 is this header's minor
}

TEST(AbiGrowth, A11TableWithANullMasterDataSlotIsNoMasterData) {
    lb_plugin_api table = *recorderTable();
    table.read_master_data = nullptr;
    EXPECT_EQ(negotiationError(table), "") << "the slot is optional";
    testkit::MemoryHost host;
    PluginClient client(&table, host, "recorder");
    client.configure({});
    EXPECT_FALSE(client.hasMasterData());
    try {
        client.readMasterData(MasterDataRequest{});
        FAIL() << "read a NULL slot";
    } catch (const CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
    }
    PluginClient withSlot(recorderTable(), host, "recorder");  // the control
    EXPECT_TRUE(withSlot.hasMasterData());
}

TEST(AbiGrowth, EntriesLaidOutWith10StridesReadBackIntactWithLbArrayAt) {
    const std::vector<Entry> entries{entry(1, 3), entry(2, 1), entry(3, 2)};
    const ArrayStrides strides = arrayStridesForMinor(0);
    EXPECT_EQ(strides.entry, LB_ENTRY_SIZE_1_0);
    EXPECT_EQ(strides.line, LB_LINE_SIZE_1_0);
    EntryView view(entries, strides);
    ASSERT_EQ(view.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const lb_entry* c = LB_ARRAY_AT(lb_entry, view.data(), i);
        EXPECT_EQ(c->struct_size, LB_ENTRY_SIZE_1_0);
        EXPECT_EQ(c->lines[0].struct_size, LB_LINE_SIZE_1_0);
        EXPECT_EQ(dump(fromC(*c)), dump(entries[i]));
    }
}

TEST(AbiGrowth, AFutureHostsLargerEntriesAndLinesAreReadByStructSizeNotSizeof) {
    const std::vector<Entry> entries{entry(1, 3), entry(2, 2), entry(3, 4)};
    FutureLayout future(entries, 40, 24);
    // Plain indexing by this header's sizeof would land inside the first element's tail.
    EXPECT_NE(reinterpret_cast<const void*>(&future.data()[1]),
              reinterpret_cast<const void*>(LB_ARRAY_AT(lb_entry, future.data(), 1)));

    // Through the real wrapper's C table, as a plugin built against this header receives them.
    Recorder::received().clear();
    const lb_plugin_api* api = recorderTable();
    testkit::MemoryHost host;
    hostdetail::Binding binding{&host, "recorder"};
    hostdetail::CallResults results;
    lb_call* call = reinterpret_cast<lb_call*>(&results);
    lb_instance* instance = nullptr;
    ASSERT_EQ(api->create(hostApi(), reinterpret_cast<lb_host*>(&binding), &instance, call), LB_OK);
    ASSERT_EQ(api->configure(instance, nullptr, 0, call), LB_OK) << results.error;
    ASSERT_EQ(api->push(instance, future.data(), entries.size(), call), LB_OK) << results.error;
    api->destroy(instance);

    ASSERT_EQ(results.outcomes.size(), entries.size());
    ASSERT_EQ(Recorder::received().size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(dump(Recorder::received()[i]), dump(entries[i])) << "entry " << i;
        EXPECT_EQ(results.outcomes[i].externalId, "R-" + entries[i].accountingEntryId);
    }
}
