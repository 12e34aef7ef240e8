// The canonical accounting model as C++ values, and the conversions to and from the C structs
// of plugin_abi.h. Used on both sides of the boundary: the plugin wrapper reads C structs into
// these types (fromC), the host builds C views of them (EntryView). Header-only; nothing here
// crosses the boundary as a C++ type. Field meanings are documented in plugin_abi.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledgerbridge/plugin_abi.h"

namespace ledgerbridge::sdk {

struct Money {
    std::int64_t minor = 0;
    std::string currency;  ///< empty = absent
    int exponent = 2;
};

struct Party {
    std::string id, code, name;
};

struct Tag {
    std::string groupCode, code, name;
};

struct Line {
    std::string lineId;
    Money supplierAmount, walletAmount, netAmount;
    std::string accountCode, accountId;
    std::string taxCode, taxRate, taxType;
    Money taxAmount;
    std::vector<Tag> tags;
    std::string description;
};

struct Receipt {
    std::string path, fileName, mimeType;
};

struct Entry {
    std::string accountingEntryId, exportJobId, idempotencyKey;
    std::string type, subType, date, bookingDate, note;
    Party supplier, employee, team;
    Money totalSupplier, totalWallet;
    std::vector<Line> lines;
    std::string contraAccountCode, contraAccountId;
    std::vector<Receipt> receipts;
};

enum class OutcomeKind : std::int32_t {
    Posted = LB_OUTCOME_POSTED,
    Rejected = LB_OUTCOME_REJECTED,
    Retryable = LB_OUTCOME_RETRYABLE,
    Unknown = LB_OUTCOME_UNKNOWN,
    Absent = LB_OUTCOME_ABSENT,
};

/// The outcome of one entry. Build one with the named helpers below.
struct Outcome {
    std::size_t entryIndex = 0;
    OutcomeKind kind = OutcomeKind::Unknown;
    std::string externalId, externalUrl;
    std::string failureReason;  ///< Pleo ExportJobItemFailureReasonType when Rejected
    std::string message;

    static Outcome posted(std::string id, std::string url = {}) {
        Outcome o;
        o.kind = OutcomeKind::Posted;
        o.externalId = std::move(id);
        o.externalUrl = std::move(url);
        return o;
    }
    static Outcome rejected(std::string reason, std::string text) {
        Outcome o;
        o.kind = OutcomeKind::Rejected;
        o.failureReason = std::move(reason);
        o.message = std::move(text);
        return o;
    }
    static Outcome retryable(std::string text) { return simple(OutcomeKind::Retryable, std::move(text)); }
    static Outcome unknown(std::string text) { return simple(OutcomeKind::Unknown, std::move(text)); }
    static Outcome absent() { return simple(OutcomeKind::Absent, {}); }

private:
    static Outcome simple(OutcomeKind k, std::string text) {
        Outcome o;
        o.kind = k;
        o.message = std::move(text);
        return o;
    }
};

/// One document a dry run would write.
struct Document {
    std::size_t entryIndex = 0;
    std::string action, contentType, body;
};

// ---- master data (ABI 1.1) ------------------------------------------------------------------

/// The kinds of master data (LB_MD_*). Pleo keeps them as chart of accounts, tax codes, tag
/// groups, tags and vendors.
enum class MasterKind : std::int32_t {
    Account = LB_MD_ACCOUNT,
    TaxCode = LB_MD_TAX_CODE,
    Dimension = LB_MD_DIMENSION,
    DimensionValue = LB_MD_DIMENSION_VALUE,
    Supplier = LB_MD_SUPPLIER,
};

/// Every kind, in the order a sync reads and writes them (tax codes before the accounts that
/// name them, dimensions before their values).
inline const std::vector<MasterKind>& allMasterKinds() {
    static const std::vector<MasterKind> kinds{MasterKind::TaxCode, MasterKind::Account, MasterKind::Dimension,
                                               MasterKind::DimensionValue, MasterKind::Supplier};
    return kinds;
}

/// "account", "tax_code", "dimension", "dimension_value", "supplier".
inline std::string masterKindName(MasterKind k) {
    switch (k) {
    case MasterKind::Account: return "account";
    case MasterKind::TaxCode: return "tax_code";
    case MasterKind::Dimension: return "dimension";
    case MasterKind::DimensionValue: return "dimension_value";
    case MasterKind::Supplier: return "supplier";
    }
    return "kind " + std::to_string(static_cast<int>(k));
}

/// One master-data record (lb_md_record); fields that do not apply to its kind stay empty.
struct MasterRecord {
    MasterKind kind = MasterKind::Account;
    std::string id;    ///< the target's own stable id (never empty)
    std::string code;  ///< account number, tax code, dimension/value code, supplier number
    std::string name;  ///< never empty
    bool archived = false;
    std::string type;  ///< account: expense|asset|liability|equity|revenue|other; tax code: normal|reverse|exempt
    std::string parentId;          ///< dimension value: its dimension's id
    std::string taxRate;           ///< tax code: percent as exact decimal text ("25", "12.5")
    std::string inputAccountCode;  ///< tax code: input (deductible) tax account
    std::string outputAccountCode; ///< tax code: output tax account (reverse charge)
    std::string defaultTaxCodeId;  ///< account: the id of its default tax code
    std::string defaultAccountCode;  ///< supplier: default expense account
    std::string registrationNumber, vatNumber;  ///< supplier
    std::string country;   ///< supplier: ISO 3166-1 alpha-2
    std::string currency;  ///< supplier: ISO 4217
    std::string updatedAt; ///< ISO-8601, when the target says

    bool operator==(const MasterRecord& o) const {
        return kind == o.kind && id == o.id && code == o.code && name == o.name && archived == o.archived &&
               type == o.type && parentId == o.parentId && taxRate == o.taxRate &&
               inputAccountCode == o.inputAccountCode && outputAccountCode == o.outputAccountCode &&
               defaultTaxCodeId == o.defaultTaxCodeId && defaultAccountCode == o.defaultAccountCode &&
               registrationNumber == o.registrationNumber && vatNumber == o.vatNumber && country == o.country &&
               currency == o.currency && updatedAt == o.updatedAt;
    }
    bool operator!=(const MasterRecord& o) const { return !(*this == o); }
};

/// What the host asks for: one page of one kind.
struct MasterDataRequest {
    MasterKind kind = MasterKind::Account;
    std::string cursor;        ///< empty: the first page
    std::string changedSince;  ///< empty: every record; else ISO-8601 UTC
    std::size_t pageSize = 500;
};

/// One page: its records and where the next page starts (empty: this was the last page).
struct MasterDataPage {
    std::vector<MasterRecord> records;
    std::string nextCursor;
};

/// What a dry run of a batch came back with: the documents push() would write and the entries
/// push() would reject (kind Rejected, entryIndex into the batch).
struct PlanResult {
    std::vector<Document> documents;
    std::vector<Outcome> rejections;
};

// ---- C -> C++ (used by the plugin wrapper and by hosts reading results) ---------------------

namespace detail {
inline std::string str(const char* s) { return s ? std::string(s) : std::string(); }
inline const char* cstr(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }
}  // namespace detail

inline Money fromC(const lb_money& m) { return Money{m.minor, detail::str(m.currency), m.exponent}; }
inline Party fromC(const lb_party& p) { return Party{detail::str(p.id), detail::str(p.code), detail::str(p.name)}; }

inline Line fromC(const lb_line& l) {
    Line out;
    out.lineId = detail::str(l.line_id);
    out.supplierAmount = fromC(l.supplier_amount);
    out.walletAmount = fromC(l.wallet_amount);
    out.netAmount = fromC(l.net_amount);
    out.accountCode = detail::str(l.account_code);
    out.accountId = detail::str(l.account_id);
    out.taxCode = detail::str(l.tax_code);
    out.taxRate = detail::str(l.tax_rate);
    out.taxType = detail::str(l.tax_type);
    out.taxAmount = fromC(l.tax_amount);
    for (std::size_t i = 0; l.tags && i < l.tag_count; ++i)  // lb_tag never grows (rule 3)
        out.tags.push_back(Tag{detail::str(l.tags[i].group_code), detail::str(l.tags[i].code),
                               detail::str(l.tags[i].name)});
    out.description = detail::str(l.description);
    return out;
}

inline Entry fromC(const lb_entry& e) {
    Entry out;
    out.accountingEntryId = detail::str(e.accounting_entry_id);
    out.exportJobId = detail::str(e.export_job_id);
    out.idempotencyKey = detail::str(e.idempotency_key);
    out.type = detail::str(e.type);
    out.subType = detail::str(e.sub_type);
    out.date = detail::str(e.date);
    out.bookingDate = detail::str(e.booking_date);
    out.note = detail::str(e.note);
    out.supplier = fromC(e.supplier);
    out.employee = fromC(e.employee);
    out.team = fromC(e.team);
    out.totalSupplier = fromC(e.total_supplier);
    out.totalWallet = fromC(e.total_wallet);
    // Strided by the writer's struct_size (plugin_abi.h, rule 2), so a host that lays out lines
    // larger or smaller than this header's lb_line is read correctly.
    for (std::size_t i = 0; e.lines && i < e.line_count; ++i) out.lines.push_back(fromC(*LB_ARRAY_AT(lb_line, e.lines, i)));
    out.contraAccountCode = detail::str(e.contra_account_code);
    out.contraAccountId = detail::str(e.contra_account_id);
    for (std::size_t i = 0; e.receipts && i < e.receipt_count; ++i)
        out.receipts.push_back(Receipt{detail::str(e.receipts[i].path), detail::str(e.receipts[i].file_name),
                                       detail::str(e.receipts[i].mime_type)});
    return out;
}

inline Outcome fromC(const lb_outcome& o) {
    Outcome out;
    out.entryIndex = o.entry_index;
    out.kind = static_cast<OutcomeKind>(o.kind);
    out.externalId = detail::str(o.external_id);
    out.externalUrl = detail::str(o.external_url);
    out.failureReason = detail::str(o.failure_reason);
    out.message = detail::str(o.message);
    return out;
}

inline MasterRecord fromC(const lb_md_record& r) {
    MasterRecord out;
    out.kind = static_cast<MasterKind>(r.kind);
    out.id = detail::str(r.id);
    out.code = detail::str(r.code);
    out.name = detail::str(r.name);
    out.archived = r.archived != 0;
    out.type = detail::str(r.type);
    out.parentId = detail::str(r.parent_id);
    out.taxRate = detail::str(r.tax_rate);
    out.inputAccountCode = detail::str(r.input_account_code);
    out.outputAccountCode = detail::str(r.output_account_code);
    out.defaultTaxCodeId = detail::str(r.default_tax_code_id);
    out.defaultAccountCode = detail::str(r.default_account_code);
    out.registrationNumber = detail::str(r.registration_number);
    out.vatNumber = detail::str(r.vat_number);
    out.country = detail::str(r.country);
    out.currency = detail::str(r.currency);
    out.updatedAt = detail::str(r.updated_at);
    return out;
}

inline MasterDataRequest fromC(const lb_md_request& r) {
    MasterDataRequest out;
    out.kind = static_cast<MasterKind>(r.kind);
    out.cursor = detail::str(r.cursor);
    out.changedSince = detail::str(r.changed_since);
    out.pageSize = r.page_size;
    return out;
}

inline Document fromC(const lb_document& d) {
    Document out;
    out.entryIndex = d.entry_index;
    out.action = detail::str(d.action);
    out.contentType = detail::str(d.content_type);
    if (d.body) out.body.assign(d.body, d.body_size);
    return out;
}

// ---- C++ -> C (borrowed views; the C++ values must outlive them) ----------------------------

inline lb_money toC(const Money& m) { return lb_money{m.minor, detail::cstr(m.currency), m.exponent}; }
inline lb_party toC(const Party& p) {
    return lb_party{detail::cstr(p.id), detail::cstr(p.code), detail::cstr(p.name)};
}

inline lb_outcome toC(const Outcome& o) {
    return lb_outcome{sizeof(lb_outcome), o.entryIndex, static_cast<lb_outcome_kind>(o.kind),
                      detail::cstr(o.externalId), detail::cstr(o.externalUrl),
                      detail::cstr(o.failureReason), detail::cstr(o.message)};
}

inline lb_document toC(const Document& d) {
    return lb_document{sizeof(lb_document), d.entryIndex, detail::cstr(d.action), detail::cstr(d.contentType),
                       d.body.data(), d.body.size()};
}

inline lb_md_record toC(const MasterRecord& r) {
    return lb_md_record{sizeof(lb_md_record), static_cast<lb_md_kind>(r.kind), r.id.c_str(),
                        detail::cstr(r.code), r.name.c_str(), r.archived ? 1 : 0, detail::cstr(r.type),
                        detail::cstr(r.parentId), detail::cstr(r.taxRate), detail::cstr(r.inputAccountCode),
                        detail::cstr(r.outputAccountCode), detail::cstr(r.defaultTaxCodeId),
                        detail::cstr(r.defaultAccountCode), detail::cstr(r.registrationNumber),
                        detail::cstr(r.vatNumber), detail::cstr(r.country), detail::cstr(r.currency),
                        detail::cstr(r.updatedAt)};
}

inline lb_md_request toC(const MasterDataRequest& r) {
    return lb_md_request{sizeof(lb_md_request), static_cast<lb_md_kind>(r.kind), detail::cstr(r.cursor),
                         detail::cstr(r.changedSince), r.pageSize};
}

/// The sizes of the structs a plugin reads in arrays, as the minor it declared knows them
/// (plugin_abi.h, rule 2). Neither has grown since 1.0; a minor that grows one adds its case.
struct ArrayStrides {
    std::size_t entry = sizeof(lb_entry);
    std::size_t line = sizeof(lb_line);
};
inline ArrayStrides arrayStridesForMinor(std::uint32_t minor) {
    static_cast<void>(minor);  // 1.0 and 1.1: the sizes of this header
    static_assert(sizeof(lb_entry) == LB_ENTRY_SIZE_1_0 && sizeof(lb_line) == LB_LINE_SIZE_1_0,
                  "lb_entry or lb_line grew: give arrayStridesForMinor the new minor's sizes");
    return ArrayStrides{LB_ENTRY_SIZE_1_0, LB_LINE_SIZE_1_0};
}

/// C views of a batch of entries, for handing to plan/push/lookup. Owns the C arrays, borrows
/// the strings of `entries`, which must stay alive and unchanged while the view is used.
/// `strides` are the element sizes the receiving plugin knows (arrayStridesForMinor): each
/// element is the first `stride` bytes of this header's struct, with struct_size = stride, so
/// a plugin built against older headers walks the arrays with its own sizeof.
class EntryView {
public:
    explicit EntryView(const std::vector<Entry>& entries, ArrayStrides strides = {}) : strides_(strides) {
        if (strides_.entry > sizeof(lb_entry) || strides_.line > sizeof(lb_line) ||
            strides_.entry < LB_ENTRY_SIZE_1_0 || strides_.line < LB_LINE_SIZE_1_0)
            throw std::invalid_argument("EntryView: a stride outside this header's sizes");
        tags_.resize(entries.size());
        lines_.resize(entries.size());
        receipts_.resize(entries.size());
        entries_.resize(entries.size() * strides_.entry);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const Entry& e = entries[i];
            for (const Line& l : e.lines) {
                std::vector<lb_tag> tags;
                for (const Tag& t : l.tags)
                    tags.push_back(lb_tag{t.groupCode.c_str(), t.code.c_str(), detail::cstr(t.name)});
                tags_[i].push_back(std::move(tags));
            }
            lines_[i].resize(e.lines.size() * strides_.line);
            for (std::size_t j = 0; j < e.lines.size(); ++j) {
                const Line& l = e.lines[j];
                const auto& tags = tags_[i][j];
                const lb_line c{strides_.line, l.lineId.c_str(), toC(l.supplierAmount),
                                toC(l.walletAmount), toC(l.netAmount), detail::cstr(l.accountCode),
                                detail::cstr(l.accountId), detail::cstr(l.taxCode),
                                detail::cstr(l.taxRate), detail::cstr(l.taxType), toC(l.taxAmount),
                                tags.data(), tags.size(), detail::cstr(l.description)};
                std::memcpy(lines_[i].data() + j * strides_.line, &c, strides_.line);
            }
            for (const Receipt& r : e.receipts)
                receipts_[i].push_back(lb_receipt{r.path.c_str(), detail::cstr(r.fileName), detail::cstr(r.mimeType)});
            const lb_entry c{strides_.entry, e.accountingEntryId.c_str(), e.exportJobId.c_str(),
                             e.idempotencyKey.c_str(), detail::cstr(e.type), detail::cstr(e.subType),
                             e.date.c_str(), detail::cstr(e.bookingDate), detail::cstr(e.note),
                             toC(e.supplier), toC(e.employee), toC(e.team), toC(e.totalSupplier),
                             toC(e.totalWallet),
                             e.lines.empty() ? nullptr : reinterpret_cast<const lb_line*>(lines_[i].data()),
                             e.lines.size(), detail::cstr(e.contraAccountCode), detail::cstr(e.contraAccountId),
                             receipts_[i].data(), receipts_[i].size()};
            std::memcpy(entries_.data() + i * strides_.entry, &c, strides_.entry);
        }
    }
    EntryView(const EntryView&) = delete;
    EntryView& operator=(const EntryView&) = delete;

    const lb_entry* data() const { return reinterpret_cast<const lb_entry*>(entries_.data()); }
    std::size_t size() const { return strides_.entry ? entries_.size() / strides_.entry : 0; }

private:
    /// Raw storage aligned for the structs (their sizes are multiples of 8 on every platform
    /// ledgerbridge builds for: they end in pointers or size_t).
    using Bytes = std::vector<std::max_align_t>;
    struct Buffer {
        Bytes words;
        std::size_t bytes = 0;
        void resize(std::size_t n) {
            bytes = n;
            words.assign((n + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t), std::max_align_t{});
        }
        unsigned char* data() { return reinterpret_cast<unsigned char*>(words.data()); }
        const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(words.data()); }
        std::size_t size() const { return bytes; }
    };
    ArrayStrides strides_;
    std::vector<std::vector<std::vector<lb_tag>>> tags_;
    std::vector<Buffer> lines_;
    std::vector<std::vector<lb_receipt>> receipts_;
    Buffer entries_;
};

}  // namespace ledgerbridge::sdk
