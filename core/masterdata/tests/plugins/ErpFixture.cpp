// Test-only plugin `lbtest_erp`: an ERP whose master data comes from a text file (re-read on
// every call, so a test edits the ERP between syncs) or from a generator (the benchmark's
// 2,000 accounts, 50 tax codes, 5 × 200 dimension values, 5,000 suppliers), served in pages
// with a cursor.
//
// Settings:
//   master_data_file  path; one record per line, fields separated by '|':
//                     kind|id|code|name|archived|type|parent_id|rate|input_account|output_account|
//                     default_tax_code_id|default_account|registration|vat|country|currency|updated_at
//                     (kind = tax_code, account, dimension, dimension_value, supplier; archived 0/1;
//                     trailing fields may be left out; '#' starts a comment line)
//   generate          instead of the file: "accounts:N,tax_codes:N,dimensions:N,values:N,suppliers:N"
//   kinds             the kinds this ERP has (comma-separated, default all); others are unsupported
//   page_size         the most records per page (default 50), whatever the host asks for
//
// Built twice: `lbtest_erp`, and `lbtest_erp_incremental` (LBTEST_ERP_INCREMENTAL) which also
// declares LB_CAP_MASTER_DATA_CHANGED_SINCE and, asked for changes since T, returns only the
// file's records whose updated_at (ISO-8601 UTC) is T or later.
#include <ledgerbridge/plugin.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace {

namespace sdk = ledgerbridge::sdk;

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, sep)) out.push_back(part);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

sdk::MasterKind kindOf(const std::string& name, const std::string& where) {
    for (sdk::MasterKind k : sdk::allMasterKinds())
        if (sdk::masterKindName(k) == name) return k;
    throw sdk::Error(LB_ERR_TARGET, where + ": unknown kind '" + name + "'");
}

std::string pad(long n, int width) {
    std::string s = std::to_string(n);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

struct ErpFixture : sdk::Plugin {
    static sdk::Manifest manifest() {
        sdk::Manifest m;
#ifdef LBTEST_ERP_INCREMENTAL
        m.name = "lbtest_erp_incremental";
        m.capabilities = LB_CAP_MASTER_DATA | LB_CAP_MASTER_DATA_CHANGED_SINCE;
#else
        m.name = "lbtest_erp";
        m.capabilities = LB_CAP_MASTER_DATA;
#endif
        m.version = "0.0.1";
        m.targetSystem = "a test ERP (master data from a file or a generator)";
        m.description = "Test-only plugin for the master-data sync.";
        m.settings = {{"master_data_file", sdk::SettingType::String, "", false, "records, one per line"},
                      {"generate", sdk::SettingType::String, "", false, "generated records"},
                      {"kinds", sdk::SettingType::String, "all", false, "the kinds this ERP has"},
                      {"page_size", sdk::SettingType::Int, "50", false, "most records per page"}};
        return m;
    }

    void configure(const sdk::Settings& s) override {
        file_ = s.get("master_data_file");
        generate_ = s.get("generate");
        kinds_ = s.get("kinds");
        pageSize_ = static_cast<std::size_t>(std::max<std::int64_t>(1, s.getInt("page_size")));
        if (file_.empty() == generate_.empty())
            throw sdk::SettingsError("master_data_file", "set exactly one of master_data_file and generate");
    }

    sdk::Outcome pushOne(const sdk::Entry& e) override { return sdk::Outcome::posted("ERP-" + e.accountingEntryId); }

    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override {
        const std::string kind = sdk::masterKindName(request.kind);
        if (kinds_ != "all") {
            auto ks = split(kinds_, ',');
            if (std::find(ks.begin(), ks.end(), kind) == ks.end())
                throw sdk::Error(LB_ERR_UNSUPPORTED, "this ERP has no " + kind + " records");
        }
        std::vector<sdk::MasterRecord> all = generate_.empty() ? fromFile(request.kind, request.changedSince) : generated(request.kind);
        const std::size_t start = request.cursor.empty() ? 0 : std::stoul(request.cursor);
        const std::size_t n = std::min({pageSize_, request.pageSize == 0 ? pageSize_ : request.pageSize, all.size() - std::min(start, all.size())});
        sdk::MasterDataPage page;
        page.records.assign(all.begin() + static_cast<long>(std::min(start, all.size())),
                            all.begin() + static_cast<long>(std::min(start, all.size()) + n));
        if (start + n < all.size()) page.nextCursor = std::to_string(start + n);
        return page;
    }

private:
    std::vector<sdk::MasterRecord> fromFile(sdk::MasterKind kind, const std::string& changedSince) const {
        std::ifstream in(file_);
        if (!in) throw sdk::Error(LB_ERR_TARGET, "cannot read " + file_);
        std::vector<sdk::MasterRecord> out;
        std::string line;
        int lineNo = 0;
        while (std::getline(in, line)) {
            ++lineNo;
            if (line.empty() || line[0] == '#') continue;
            auto f = split(line, '|');
            f.resize(17);
            sdk::MasterRecord r;
            r.kind = kindOf(f[0], file_ + ":" + std::to_string(lineNo));
            if (r.kind != kind) continue;
            r.id = f[1];
            r.code = f[2];
            r.name = f[3];
            r.archived = f[4] == "1";
            r.type = f[5];
            r.parentId = f[6];
            r.taxRate = f[7];
            r.inputAccountCode = f[8];
            r.outputAccountCode = f[9];
            r.defaultTaxCodeId = f[10];
            r.defaultAccountCode = f[11];
            r.registrationNumber = f[12];
            r.vatNumber = f[13];
            r.country = f[14];
            r.currency = f[15];
            r.updatedAt = f[16];
#ifdef LBTEST_ERP_INCREMENTAL
            if (!changedSince.empty() && r.updatedAt < changedSince) continue;
#else
            (void)changedSince;  // without the capability the host's changed_since is ignored
#endif
            out.push_back(std::move(r));
        }
        return out;
    }

    std::vector<sdk::MasterRecord> generated(sdk::MasterKind kind) const {
        std::map<std::string, long> n;
        for (const auto& part : split(generate_, ',')) {
            auto kv = split(part, ':');
            if (kv.size() == 2) n[kv[0]] = std::stol(kv[1]);
        }
        std::vector<sdk::MasterRecord> out;
        auto add = [&](const std::string& id, const std::string& code, const std::string& name) -> sdk::MasterRecord& {
            sdk::MasterRecord r;
            r.kind = kind;
            r.id = id;
            r.code = code;
            r.name = name;
            out.push_back(std::move(r));
            return out.back();
        };
        switch (kind) {
        case sdk::MasterKind::TaxCode:
            for (long i = 0; i < n["tax_codes"]; ++i) {
                auto& r = add("tc-" + std::to_string(i), "G" + pad(i, 3), "Generated tax " + std::to_string(i));
                r.taxRate = std::to_string(i % 26) + (i % 2 ? ".5" : "");
                r.type = i % 10 == 9 ? "reverse" : "normal";
            }
            break;
        case sdk::MasterKind::Account:
            for (long i = 0; i < n["accounts"]; ++i) {
                auto& r = add("acc-" + std::to_string(i), pad(10000 + i, 5), "Generated account " + std::to_string(i));
                if (n["tax_codes"] > 0) r.defaultTaxCodeId = "tc-" + std::to_string(i % n["tax_codes"]);
            }
            break;
        case sdk::MasterKind::Dimension:
            for (long i = 0; i < n["dimensions"]; ++i) add("dim-" + std::to_string(i), "GD" + std::to_string(i), "Dimension " + std::to_string(i));
            break;
        case sdk::MasterKind::DimensionValue:
            for (long d = 0; d < n["dimensions"]; ++d)
                for (long i = 0; i < n["values"]; ++i)
                    add("dv-" + std::to_string(d) + "-" + std::to_string(i), "V" + pad(i, 4), "Value " + std::to_string(i)).parentId =
                        "dim-" + std::to_string(d);
            break;
        case sdk::MasterKind::Supplier:
            for (long i = 0; i < n["suppliers"]; ++i) {
                auto& r = add("sup-" + std::to_string(i), "S" + pad(i, 5), "Supplier " + std::to_string(i) + " ApS");
                r.currency = "DKK";
                r.country = "DK";
                r.vatNumber = "DK" + pad(10000000 + i, 8);
            }
            break;
        }
        return out;
    }

    std::string file_, generate_, kinds_;
    std::size_t pageSize_ = 50;
};

}  // namespace

LEDGERBRIDGE_PLUGIN(ErpFixture)
