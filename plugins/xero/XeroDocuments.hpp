// Pleo entries as Xero documents, without any I/O: which endpoint an entry goes to, the JSON
// element it becomes, the Xero-specific checks that reject it before anything is sent, the
// reference it can be found by again, the idempotency key of a create call and the deep link of
// a posted document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "XeroSettings.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::xero {

/// The three document kinds the plugin writes.
enum class DocKind { BankTransaction, Bill, Journal };

/// A Xero collection endpoint and the fields the plugin uses in it.
struct Endpoint {
    const char* collection;  ///< "BankTransactions": path segment and JSON array key
    const char* idField;     ///< "BankTransactionID"
    const char* refField;    ///< field holding our reference: Reference, InvoiceNumber, Narration
};

const Endpoint& endpointOf(DocKind kind);

/// Card expense -> BankTransaction; a type in reimbursable_types -> Bill or Journal by setting.
DocKind kindOf(const XeroConfig& config, const sdk::Entry& entry);

/// What the document carries to be found again: the Pleo accounting entry id (bank transactions:
/// Reference; bills: InvoiceNumber, which Xero shows as the bill's "Reference"; journals: the
/// Narration starts with "Pleo <id>:").
std::string referenceOf(DocKind kind, const sdk::Entry& entry);

/// Xero's published limits for attachments.
constexpr std::size_t kMaxAttachmentBytes = 10u * 1024u * 1024u;
constexpr std::size_t kMaxAttachments = 10;

/// One line as sent, in the entry's minor units: LineAmount and TaxAmount (0 when no TaxAmount
/// is sent: the line's TaxType then carries no tax — NONE, or a reverse charge at Xero's
/// effective rate of 0 %), and the gross amount Pleo has for it.
struct SentLine {
    std::int64_t lineAmount = 0, taxAmount = 0, gross = 0;
    bool taxSent = false;
};

/// The amounts of one document exactly as documentJson() writes them.
struct SentAmounts {
    DocKind kind = DocKind::BankTransaction;
    int sign = 1;            ///< -1: a refund sent as RECEIVE with its amounts negated
    bool exclusive = false;  ///< LineAmount is net, the tax comes on top
    std::vector<SentLine> lines;
    std::int64_t creditLine = 0;  ///< journals: the credit line of the total (negative)
    std::int64_t total = 0;       ///< the entry's total as Pleo has it
};

/// What documentJson() sends for `entry`. Precondition: checkEntry()'s checks before the
/// balance check passed (amounts Xero can hold).
SentAmounts sentAmounts(const XeroConfig& config, const sdk::Entry& entry);

/// A rejection (validation_failure, the amounts in minor units in the message) when the
/// document would not balance: bank transactions and bills must total the entry's total
/// (Inclusive: sum of LineAmount; Exclusive: sum of LineAmount + TaxAmount) and each line its
/// gross; a journal's lines, the credit line included, must sum to zero.
std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& entry, const SentAmounts& sent);

/// The standard SDK checks plus Xero's own (date, amounts Xero can hold, tax codes known and a
/// TaxType for every reverse-charge line, at most two tracking categories per line, a contact
/// for bills, an account to credit for journals, receipts readable and within Xero's size
/// limits) and last the balance of the document as it would be sent. nullopt when the entry
/// can be sent. push and the dry run both call this just before building the document.
std::optional<sdk::Outcome> checkEntry(const XeroConfig& config, const sdk::Entry& entry);

/// The JSON object of one document (an element of the create call's array). Precondition:
/// checkEntry() passed.
std::string documentJson(const XeroConfig& config, const sdk::Entry& entry);

/// {"<collection>": [elements...]}
std::string createBody(DocKind kind, const std::vector<std::string>& elements);

/// The Idempotency-Key of a create call: "lbx-" + SHA-256 (hex, 40 digits) over every
/// element's entry key (the host's idempotency key, else the Pleo entry id) and JSON. The same
/// entries with the same content give the same key; changed content gives a new one.
std::string idempotencyKey(const std::vector<std::pair<std::string, std::string>>& keyAndJson);

/// Key of one attachment upload: entry key, file name and content.
std::string attachmentKey(const std::string& entryKey, const std::string& fileName, const std::string& bytes);

/// The `where` filter that finds documents by reference: Reference=="a" OR Reference=="b".
std::string lookupWhere(DocKind kind, const std::vector<std::string>& references);

/// A go.xero.com link that opens the document (through organisationlogin when a short code is set).
std::string deepLink(const XeroConfig& config, DocKind kind, const std::string& guid);

/// A file name Xero accepts in the attachment URL: the receipt's name (or the path's last
/// part) with characters outside [A-Za-z0-9._ -] replaced by '_', an extension added from the
/// MIME type when the name has none (Xero reads the file type from it); `index` > 0 is prefixed
/// to keep names of one document distinct.
std::string attachmentName(const sdk::Receipt& receipt, std::size_t index);

/// Percent-encoding of one URL path segment or query value (RFC 3986 unreserved kept).
std::string urlEncode(const std::string& text);

/// The entry key used for idempotency: the host's idempotency key, else the Pleo entry id.
std::string entryKey(const sdk::Entry& entry);

}  // namespace ledgerbridge::xero
