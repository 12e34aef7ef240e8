// A plugin built against the frozen ABI 1.0 headers only (sdk/tests/abi-1.0/README.md): it must
// load and work unchanged in every 1.x host. A file ledger: push appends every field of every
// entry to <output_dir>/entries.txt (one "key=value" line per field, between ENTRY and END, with
// \\, \n, \r and \t escaped), plan emits the same block as a document, lookup finds an entry by
// its accounting entry id. The loader test reads the file back and compares it field by field.
#include <ledgerbridge/plugin.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#if __has_include(<ledgerbridge/host.hpp>)
#error "the ABI 1.0 fixture must see only the frozen 1.0 headers, not sdk/include"
#endif
static_assert(LB_ABI_MAJOR == 1 && LB_ABI_MINOR == 0, "the ABI 1.0 fixture is built against the 1.0 headers");

namespace abi10 {

namespace sdk = ledgerbridge::sdk;

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    return out;
}

class Writer {
public:
    void field(const std::string& key, const std::string& value) { text_ += key + "=" + escape(value) + "\n"; }
    void money(const std::string& key, const sdk::Money& m) {
        field(key + ".minor", std::to_string(m.minor));
        field(key + ".currency", m.currency);
        field(key + ".exponent", std::to_string(m.exponent));
    }
    void party(const std::string& key, const sdk::Party& p) {
        field(key + ".id", p.id);
        field(key + ".code", p.code);
        field(key + ".name", p.name);
    }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

/// Every field of the entry, in the order plugin_abi.h 1.0 declares them.
std::string block(const sdk::Entry& e) {
    Writer w;
    w.field("accounting_entry_id", e.accountingEntryId);
    w.field("export_job_id", e.exportJobId);
    w.field("idempotency_key", e.idempotencyKey);
    w.field("type", e.type);
    w.field("sub_type", e.subType);
    w.field("date", e.date);
    w.field("booking_date", e.bookingDate);
    w.field("note", e.note);
    w.party("supplier", e.supplier);
    w.party("employee", e.employee);
    w.party("team", e.team);
    w.money("total_supplier", e.totalSupplier);
    w.money("total_wallet", e.totalWallet);
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const sdk::Line& l = e.lines[i];
        const std::string p = "line." + std::to_string(i) + ".";
        w.field(p + "line_id", l.lineId);
        w.money(p + "supplier_amount", l.supplierAmount);
        w.money(p + "wallet_amount", l.walletAmount);
        w.money(p + "net_amount", l.netAmount);
        w.field(p + "account_code", l.accountCode);
        w.field(p + "account_id", l.accountId);
        w.field(p + "tax_code", l.taxCode);
        w.field(p + "tax_rate", l.taxRate);
        w.field(p + "tax_type", l.taxType);
        w.money(p + "tax_amount", l.taxAmount);
        for (std::size_t t = 0; t < l.tags.size(); ++t) {
            const std::string q = p + "tag." + std::to_string(t) + ".";
            w.field(q + "group_code", l.tags[t].groupCode);
            w.field(q + "code", l.tags[t].code);
            w.field(q + "name", l.tags[t].name);
        }
        w.field(p + "description", l.description);
    }
    w.field("contra_account_code", e.contraAccountCode);
    w.field("contra_account_id", e.contraAccountId);
    for (std::size_t i = 0; i < e.receipts.size(); ++i) {
        const std::string p = "receipt." + std::to_string(i) + ".";
        w.field(p + "path", e.receipts[i].path);
        w.field(p + "file_name", e.receipts[i].fileName);
        w.field(p + "mime_type", e.receipts[i].mimeType);
    }
    return "ENTRY\n" + w.text() + "END\n";
}

class Abi10Plugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() {
        sdk::Manifest m;
        m.name = "lbtest_abi10";
        m.version = "1.0.0";
        m.targetSystem = "ABI 1.0 test ledger";
        m.description = "Built against the frozen ABI 1.0 headers; proves that a 1.x host still runs it.";
        m.maturity = sdk::Maturity::Stable;
        m.capabilities = LB_CAP_LOOKUP | LB_CAP_DRY_RUN;
        m.settings = {{"output_dir", sdk::SettingType::Path, std::nullopt, false, "Directory of entries.txt."}};
        return m;
    }

    void configure(const sdk::Settings& s) override {
        struct stat st {};
        dir_ = s.get("output_dir");
        if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw sdk::SettingsError("output_dir", "not an existing directory: " + dir_);
    }

    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override {
        std::vector<sdk::Document> out;
        for (std::size_t i = 0; i < batch.size(); ++i)
            out.push_back({i, "append to " + path(), "text/plain", block(batch[i])});
        return out;
    }

    sdk::Outcome pushOne(const sdk::Entry& e) override {
        if (found(e.accountingEntryId)) return sdk::Outcome::posted(externalId(e));
        std::ofstream out(path(), std::ios::app | std::ios::binary);
        out << block(e);
        out.flush();
        if (!out) throw sdk::Error(LB_ERR_TARGET, "cannot append to " + path());
        return sdk::Outcome::posted(externalId(e));
    }

    sdk::Outcome lookup(const sdk::Entry& e) override {
        return found(e.accountingEntryId) ? sdk::Outcome::posted(externalId(e)) : sdk::Outcome::absent();
    }

private:
    std::string path() const { return dir_ + "/entries.txt"; }
    static std::string externalId(const sdk::Entry& e) { return "A10-" + e.accountingEntryId; }
    bool found(const std::string& id) const {
        std::ifstream in(path());
        const std::string wanted = "accounting_entry_id=" + escape(id);
        for (std::string line; std::getline(in, line);)
            if (line == wanted) return true;
        return false;
    }
    std::string dir_;
};

// ---- traps for a host that reads past what a 1.0 plugin declared ----------------------------
// Directly behind the 1.0 table sits what a 1.1 host would take for read_master_data, and
// behind the 1.0 manifest what it would take for token_hosts. A host honouring struct_size
// (plugin_abi.h, rule 1) never looks at either.

lb_status trapReadMasterData(lb_instance*, const void*, lb_call*) { return 42; }
const char* const trapHosts[] = {"trap.invalid"};

struct TrappedTable {
    lb_plugin_api api;
    lb_status (*readMasterData)(lb_instance*, const void*, lb_call*);
};
struct TrappedManifest {
    lb_manifest manifest;
    const char* const* tokenHosts;
    std::size_t tokenHostCount;
};

using Exporter = sdk::detail_exporter<Abi10Plugin>;

const lb_manifest* describeTrapped() {
    static const TrappedManifest m{*Exporter::describe(), trapHosts, 1};
    return &m.manifest;
}

}  // namespace abi10

extern "C" const lb_plugin_api* lbtest_abi10_entry(std::uint32_t hostMajor, std::uint32_t hostMinor) noexcept {
    static const abi10::TrappedTable table = [&] {
        abi10::TrappedTable t{*abi10::Exporter::entry(hostMajor, hostMinor), &abi10::trapReadMasterData};
        t.api.describe = &abi10::describeTrapped;
        return t;
    }();
    return &table.api;
}
BOOST_DLL_ALIAS(lbtest_abi10_entry, LB_PLUGIN_ENTRY_NAME)
