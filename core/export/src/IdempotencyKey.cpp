// Idempotency keys: see IdempotencyKey.h and core/export/README.md ("Idempotency keys").
#include "ledgerbridge/export/IdempotencyKey.h"

#include <Poco/Crypto/DigestEngine.h>

#include <algorithm>
#include <vector>

#include "ledgerbridge/export/ItemMapper.h"

namespace ledgerbridge::exporter {
namespace {

std::string sha256Hex(const std::string& text) {
    Poco::Crypto::DigestEngine sha("SHA256");
    sha.update(text);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

/// Appends `name=<length>:<value>;` — length-prefixed, so no value can imitate a separator and
/// two different field lists never serialise to the same text.
void field(std::string& out, const char* name, const std::string& value) {
    out += name;
    out += '=';
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += ';';
}

/// Minor units and currency. The exponent is not part of it: it follows from the currency, and
/// a correction of our currency table must not change the keys of unchanged bookings.
void money(std::string& out, const char* name, const sdk::Money& m) {
    field(out, name, std::to_string(m.minor) + " " + m.currency);
}

void party(std::string& out, const char* name, const sdk::Party& p) {
    std::string s;
    field(s, "id", p.id);
    field(s, "code", p.code);
    field(s, "name", p.name);
    field(out, name, s);
}

std::string canonicalLine(const sdk::Line& l) {
    std::string s;
    field(s, "accountCode", l.accountCode);
    field(s, "accountId", l.accountId);
    money(s, "supplier", l.supplierAmount);
    money(s, "wallet", l.walletAmount);
    money(s, "net", l.netAmount);
    field(s, "taxCode", l.taxCode);
    field(s, "taxRate", l.taxRate);
    field(s, "taxType", l.taxType);
    money(s, "tax", l.taxAmount);
    // Tags are dimensions: group and code decide the booking, the name only labels the code.
    std::vector<std::string> tags;
    for (const auto& t : l.tags) {
        std::string tag;
        field(tag, "group", t.groupCode);
        field(tag, "code", t.code);
        tags.push_back(std::move(tag));
    }
    std::sort(tags.begin(), tags.end());
    for (const auto& t : tags) field(s, "tag", t);
    return s;
}

}  // namespace

// OpenSSL's SHA-256 (through Poco::Crypto): every staged item is hashed, and Poco's portable
// SHA2Engine was a visible part of a large export's CPU time.
std::string contentHash(const std::string& itemJson) { return sha256Hex(itemJson); }

std::string canonicalBooking(const sdk::Entry& e) {
    std::string s;
    field(s, "booking", "2");  // the derivation's version, inside the hash too
    field(s, "entry", e.accountingEntryId);
    field(s, "type", e.type);
    field(s, "subType", e.subType);
    field(s, "date", e.date);
    field(s, "bookingDate", e.bookingDate);
    party(s, "supplier", e.supplier);
    party(s, "employee", e.employee);
    party(s, "team", e.team);
    money(s, "totalSupplier", e.totalSupplier);
    money(s, "totalWallet", e.totalWallet);
    field(s, "contraCode", e.contraAccountCode);
    field(s, "contraId", e.contraAccountId);
    // Lines in a stable order of their content: Pleo's order of lines is not part of a booking,
    // and the line ids are Pleo's bookkeeping, not the ledger's.
    std::vector<std::string> lines;
    for (const auto& l : e.lines) lines.push_back(canonicalLine(l));
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) field(s, "line", l);
    return s;
}

std::string bookingKey(const sdk::Entry& entry) { return "lb2-" + sha256Hex(canonicalBooking(entry)).substr(0, 40); }

std::string itemIdempotencyKey(const std::string& itemJson, const std::string& accountingEntryId,
                               const std::string& hash) {
    MappingResult m = mapItem(itemJson, "", "");
    if (m.entry) return bookingKey(*m.entry);
    std::string s;
    field(s, "unmappable", "2");
    field(s, "entry", accountingEntryId);
    field(s, "content", hash);
    return "lb2-" + sha256Hex(s).substr(0, 40);
}

std::string idempotencyKey(const std::string& accountingEntryId, const std::string& hash) {
    Poco::Crypto::DigestEngine sha("SHA256");
    sha.update(accountingEntryId);
    sha.update('\n');
    sha.update(hash);
    return "lb1-" + Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 40);
}

}  // namespace ledgerbridge::exporter
