// The canonical accounting model as C++ values, and the conversions to and from the C structs
// of plugin_abi.h. Used on both sides of the boundary: the plugin wrapper reads C structs into
// these types (fromC), the host builds C views of them (EntryView). Header-only; nothing here
// crosses the boundary as a C++ type. Field meanings are documented in plugin_abi.h.
#pragma once

#include <cstdint>
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
    for (std::size_t i = 0; l.tags && i < l.tag_count; ++i)
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
    for (std::size_t i = 0; e.lines && i < e.line_count; ++i) out.lines.push_back(fromC(e.lines[i]));
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

/// C views of a batch of entries, for handing to plan/push/lookup. Owns the C arrays, borrows
/// the strings of `entries`, which must stay alive and unchanged while the view is used.
class EntryView {
public:
    explicit EntryView(const std::vector<Entry>& entries) {
        tags_.resize(entries.size());
        lines_.resize(entries.size());
        receipts_.resize(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const Entry& e = entries[i];
            for (const Line& l : e.lines) {
                std::vector<lb_tag> tags;
                for (const Tag& t : l.tags)
                    tags.push_back(lb_tag{t.groupCode.c_str(), t.code.c_str(), detail::cstr(t.name)});
                tags_[i].push_back(std::move(tags));
            }
            for (std::size_t j = 0; j < e.lines.size(); ++j) {
                const Line& l = e.lines[j];
                const auto& tags = tags_[i][j];
                lines_[i].push_back(lb_line{sizeof(lb_line), l.lineId.c_str(), toC(l.supplierAmount),
                                            toC(l.walletAmount), toC(l.netAmount), detail::cstr(l.accountCode),
                                            detail::cstr(l.accountId), detail::cstr(l.taxCode),
                                            detail::cstr(l.taxRate), detail::cstr(l.taxType), toC(l.taxAmount),
                                            tags.data(), tags.size(), detail::cstr(l.description)});
            }
            for (const Receipt& r : e.receipts)
                receipts_[i].push_back(lb_receipt{r.path.c_str(), detail::cstr(r.fileName), detail::cstr(r.mimeType)});
            entries_.push_back(lb_entry{sizeof(lb_entry), e.accountingEntryId.c_str(), e.exportJobId.c_str(),
                                        e.idempotencyKey.c_str(), detail::cstr(e.type), detail::cstr(e.subType),
                                        e.date.c_str(), detail::cstr(e.bookingDate), detail::cstr(e.note),
                                        toC(e.supplier), toC(e.employee), toC(e.team), toC(e.totalSupplier),
                                        toC(e.totalWallet), lines_[i].data(), lines_[i].size(),
                                        detail::cstr(e.contraAccountCode), detail::cstr(e.contraAccountId),
                                        receipts_[i].data(), receipts_[i].size()});
        }
    }
    EntryView(const EntryView&) = delete;
    EntryView& operator=(const EntryView&) = delete;

    const lb_entry* data() const { return entries_.data(); }
    std::size_t size() const { return entries_.size(); }

private:
    std::vector<std::vector<std::vector<lb_tag>>> tags_;
    std::vector<std::vector<lb_line>> lines_;
    std::vector<std::vector<lb_receipt>> receipts_;
    std::vector<lb_entry> entries_;
};

}  // namespace ledgerbridge::sdk
