// Pleo entries as Xero documents: see XeroDocuments.hpp.
#include "XeroDocuments.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <filesystem>
#include <set>
#include <system_error>

#include "Json.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::xero {

namespace {
constexpr Endpoint kBank{"BankTransactions", "BankTransactionID", "Reference"};
constexpr Endpoint kBill{"Invoices", "InvoiceID", "InvoiceNumber"};
constexpr Endpoint kJournal{"ManualJournals", "ManualJournalID", "Narration"};

/// Largest magnitude (in minor units) sent to Xero: far above any expense, far below overflow.
constexpr std::int64_t kMaxMinor = 1000000000000000;  // 10^15

sdk::Outcome reject(const std::string& reason, const sdk::Entry& e, const std::string& what) {
    return sdk::Outcome::rejected(reason, "entry " + e.accountingEntryId + ": " + what);
}

/// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string truncateUtf8(const std::string& s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

bool isDate(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
long daysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<long>(era) * 146097 + doe - 719468;
}
std::string civilFromDays(long z) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    const long d = doy - (153 * mp + 2) / 5 + 1;
    const long m = mp < 10 ? mp + 3 : mp - 9;
    const long y = yoe + era * 400 + (m <= 2);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y, m, d);
    return buf;
}
std::string addDays(const std::string& date, int days) {
    if (days == 0) return date;
    return civilFromDays(daysFromCivil(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)),
                                       std::stoi(date.substr(8, 2))) + days);
}

/// Problem with one amount, or "" when Xero can hold it exactly.
std::string amountProblem(const sdk::Money& m) {
    if (m.exponent < 0 || m.exponent > 4) return "currency exponent " + std::to_string(m.exponent) + " is not supported";
    if (m.minor >= kMaxMinor || m.minor <= -kMaxMinor) return "an amount is too large for Xero";
    std::int64_t unit = 1;
    for (int i = 2; i < m.exponent; ++i) unit *= 10;
    if (m.minor % unit != 0) return "Xero keeps amounts to two decimals; " + sdk::formatDecimal(m.minor, m.exponent) +
                                       " " + m.currency + " would be rounded";
    return {};
}

/// Decimal text of `minor` for Xero, at most two decimals (checked before: nothing is lost).
std::string decimal(std::int64_t minor, int exponent) {
    while (exponent > 2) minor /= 10, --exponent;
    return sdk::formatDecimal(minor, exponent);
}

/// The tracking category a tag goes to, or "" when its group is not sent.
std::string categoryOf(const XeroConfig& c, const sdk::Tag& t) {
    if (c.trackingNames.empty()) return t.groupCode;
    const auto it = c.trackingNames.find(t.groupCode);
    return it == c.trackingNames.end() ? std::string() : it->second;
}

std::string optionOf(const XeroConfig& c, const sdk::Tag& t) {
    return c.trackingOptionFromCode || t.name.empty() ? t.code : t.name;
}

std::string trackingJson(const XeroConfig& c, const sdk::Line& l) {
    std::vector<std::string> items;
    std::set<std::string> seen;
    for (const sdk::Tag& t : l.tags) {
        const std::string category = categoryOf(c, t);
        if (category.empty() || !seen.insert(category).second) continue;
        items.push_back(JsonObject().str("Name", category).str("Option", optionOf(c, t)).done());
    }
    return jsonArray(items);
}

std::string taxTypeOf(const XeroConfig& c, const sdk::Line& l) {
    if (l.taxType == "reverse") return reverseChargeTaxType(c, l.taxCode);
    if (l.taxCode.empty()) return c.noTaxType;
    const auto it = c.taxTypes.find(l.taxCode);
    return it == c.taxTypes.end() ? l.taxCode : it->second;
}

std::string descriptionOf(const sdk::Entry& e, const sdk::Line& l) {
    std::string d = !l.description.empty() ? l.description
                    : !e.note.empty()      ? e.note
                    : !e.supplier.name.empty() ? e.supplier.name
                                               : "Pleo expense " + e.accountingEntryId;
    return truncateUtf8(d, 4000);
}

/// The party a document is addressed to, as a Xero Contact object.
std::string contactJson(const sdk::Party& p, const std::string& fallbackName) {
    if (isGuid(p.code)) return JsonObject().str("ContactID", p.code).done();
    JsonObject o;
    if (!p.code.empty()) o.str("ContactNumber", truncateUtf8(p.code, 50));
    if (!p.name.empty()) o.str("Name", truncateUtf8(p.name, 255));
    else if (p.code.empty()) o.str("Name", fallbackName);
    return o.done();
}

/// Line items of a bank transaction or bill, amounts from `sent`.
std::string lineItemsJson(const XeroConfig& c, const sdk::Entry& e, const SentAmounts& sent) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const sdk::Line& l = e.lines[i];
        const SentLine& s = sent.lines[i];
        const std::string amount = decimal(s.lineAmount, l.walletAmount.exponent);
        JsonObject o;
        o.str("Description", descriptionOf(e, l))
            .raw("Quantity", "1")
            .raw("UnitAmount", amount)
            .raw("LineAmount", amount)
            .str("AccountCode", l.accountCode)
            .str("TaxType", taxTypeOf(c, l));
        if (s.taxSent) o.raw("TaxAmount", decimal(s.taxAmount, l.walletAmount.exponent));
        const std::string tracking = trackingJson(c, l);
        if (tracking != "[]") o.raw("Tracking", tracking);
        items.push_back(o.done());
    }
    return jsonArray(items);
}

std::string journalLinesJson(const XeroConfig& c, const sdk::Entry& e, const SentAmounts& sent) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const sdk::Line& l = e.lines[i];
        const SentLine& s = sent.lines[i];
        JsonObject o;
        o.raw("LineAmount", decimal(s.lineAmount, l.walletAmount.exponent))
            .str("AccountCode", l.accountCode)
            .str("Description", descriptionOf(e, l))
            .str("TaxType", taxTypeOf(c, l));
        if (s.taxSent) o.raw("TaxAmount", decimal(s.taxAmount, l.walletAmount.exponent));
        const std::string tracking = trackingJson(c, l);
        if (tracking != "[]") o.raw("Tracking", tracking);
        items.push_back(o.done());
    }
    const std::string credit = e.contraAccountCode.empty() ? c.payableAccountCode : e.contraAccountCode;
    const std::string who = e.employee.name.empty() ? std::string("employee") : e.employee.name;
    items.push_back(JsonObject()
                        .raw("LineAmount", decimal(sent.creditLine, e.totalWallet.exponent))
                        .str("AccountCode", credit)
                        .str("Description", truncateUtf8("Owed to " + who, 4000))
                        .str("TaxType", c.noTaxType)
                        .done());
    return jsonArray(items);
}

std::string units(std::int64_t v) { return std::to_string(v); }

std::string narrationOf(const sdk::Entry& e) {
    const std::string text = !e.note.empty()          ? e.note
                             : !e.supplier.name.empty() ? e.supplier.name
                             : !e.employee.name.empty() ? e.employee.name
                                                        : e.type;
    return truncateUtf8(referenceOf(DocKind::Journal, e) + " " + text, 4000);
}

std::string hexSha256(const std::string& data) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(data);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string whereString(const std::string& text) {
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}
}  // namespace

const Endpoint& endpointOf(DocKind kind) {
    switch (kind) {
    case DocKind::BankTransaction: return kBank;
    case DocKind::Bill: return kBill;
    case DocKind::Journal: return kJournal;
    }
    return kBank;
}

DocKind kindOf(const XeroConfig& c, const sdk::Entry& e) {
    if (c.reimbursableTypes.count(e.type) == 0) return DocKind::BankTransaction;
    return c.reimbursableMode == ReimbursableMode::Bill ? DocKind::Bill : DocKind::Journal;
}

std::string referenceOf(DocKind kind, const sdk::Entry& e) {
    return kind == DocKind::Journal ? "Pleo " + e.accountingEntryId + ":" : e.accountingEntryId;
}

std::string entryKey(const sdk::Entry& e) { return e.idempotencyKey.empty() ? e.accountingEntryId : e.idempotencyKey; }

SentAmounts sentAmounts(const XeroConfig& c, const sdk::Entry& e) {
    SentAmounts out;
    out.kind = kindOf(c, e);
    out.total = e.totalWallet.minor;
    // A journal is always Inclusive with its amounts as Pleo has them (a refund is negative
    // lines and a positive credit); bank transactions send a refund as RECEIVE, negated.
    out.sign = out.kind == DocKind::BankTransaction && e.totalWallet.minor < 0 ? -1 : 1;
    out.exclusive = out.kind != DocKind::Journal && c.exclusive;
    for (const sdk::Line& l : e.lines) {
        SentLine s;
        s.gross = out.sign * l.walletAmount.minor;
        s.lineAmount = out.sign * (out.exclusive ? l.netAmount.minor : l.walletAmount.minor);
        // TaxAmount pins Pleo's tax so totals match to the cent. A reverse-charge line pins 0:
        // the supplier charged none, and Xero books the self-assessed VAT on the return only
        // (its reverse-charge rates have an effective rate of 0 %).
        if (l.taxType == "reverse") s.taxSent = true, s.taxAmount = 0;
        else if (!l.taxCode.empty()) s.taxSent = true, s.taxAmount = out.sign * l.taxAmount.minor;
        out.lines.push_back(s);
    }
    out.creditLine = -e.totalWallet.minor;
    return out;
}

std::optional<sdk::Outcome> balanceProblem(const sdk::Entry& e, const SentAmounts& sent) {
    auto unbalanced = [&](const std::string& what) {
        return reject("validation_failure", e, std::string("the ") + endpointOf(sent.kind).collection +
                                                   " document would not balance: " + what);
    };
    std::int64_t sum = 0, tax = 0;
    for (std::size_t i = 0; i < sent.lines.size(); ++i) {
        const SentLine& s = sent.lines[i];
        const std::int64_t lineTotal = sent.exclusive ? s.lineAmount + s.taxAmount : s.lineAmount;
        if (lineTotal != s.gross)
            return unbalanced("line " + e.lines[i].lineId + " sends LineAmount " + units(s.lineAmount) + " and TaxAmount " +
                              units(s.taxAmount) + (sent.exclusive ? " on top" : " within it") + " = " + units(lineTotal) +
                              " minor units, its gross is " + units(s.gross));
        sum += s.lineAmount;
        tax += s.taxAmount;
    }
    if (sent.kind == DocKind::Journal) {
        if (sum + sent.creditLine != 0)
            return unbalanced("the expense lines sum to " + units(sum) + " minor units, the credit line is " +
                              units(sent.creditLine));
        return std::nullopt;
    }
    const std::int64_t documentTotal = sent.exclusive ? sum + tax : sum;
    if (documentTotal != sent.sign * sent.total)
        return unbalanced("line amounts " + units(sum) + (sent.exclusive ? " + tax " + units(tax) : std::string()) + " = " +
                          units(documentTotal) + " minor units, the entry's total is " + units(sent.sign * sent.total));
    return std::nullopt;
}

std::optional<sdk::Outcome> checkEntry(const XeroConfig& c, const sdk::Entry& e) {
    // Tax codes are checked here, not by validateEntry: reverse-charge lines resolve through
    // reverse_charge_tax_types and the region, the others through tax_types.
    if (auto rejected = sdk::validateEntry(e, {})) return rejected;
    for (const sdk::Line& l : e.lines) {
        if (l.taxType == "reverse") {
            if (reverseChargeTaxType(c, l.taxCode).empty())
                return reject("tax_code_unknown", e, "line " + l.lineId + " is a reverse charge (tax code '" + l.taxCode +
                                                         "') and region " + c.region +
                                                         " has no reverse-charge TaxType; map it in reverse_charge_tax_types");
        } else if (!l.taxCode.empty() && !c.taxTypes.empty() && !c.taxTypes.count(l.taxCode)) {
            return reject("tax_code_unknown", e, "line " + l.lineId + " has unknown tax code " + l.taxCode);
        }
    }
    if (e.accountingEntryId.empty() || e.accountingEntryId.size() > 200)
        return reject("validation_failure", e, "the Pleo entry id must have 1-200 characters");
    if (!isDate(e.date)) return reject("validation_failure", e, "date '" + e.date + "' is not YYYY-MM-DD");
    std::vector<const sdk::Money*> amounts{&e.totalWallet};
    for (const sdk::Line& l : e.lines) {
        amounts.insert(amounts.end(), {&l.walletAmount, &l.netAmount});
        if (!l.taxCode.empty()) amounts.push_back(&l.taxAmount);
        if (l.accountCode.size() > 10)
            return reject("account_unknown", e, "account code " + l.accountCode + " is longer than Xero's 10 characters");
        std::set<std::string> categories;
        for (const sdk::Tag& t : l.tags) {
            const std::string category = categoryOf(c, t);
            if (category.empty()) continue;
            categories.insert(category);
            if (category.size() > 100 || optionOf(c, t).empty() || optionOf(c, t).size() > 100)
                return reject("tag_unknown", e, "tag " + t.groupCode + "/" + t.code + " is not a Xero tracking option (1-100 characters)");
        }
        if (categories.size() > 2)
            return reject("validation_failure", e, "line " + l.lineId + " has " + std::to_string(categories.size()) +
                                                       " tracking categories; Xero allows 2 per line");
    }
    for (const sdk::Money* m : amounts)
        if (const std::string p = amountProblem(*m); !p.empty()) return reject("validation_failure", e, p);

    switch (kindOf(c, e)) {
    case DocKind::BankTransaction: break;
    case DocKind::Bill:
        if (e.totalWallet.minor <= 0)
            return reject("validation_failure", e, "a reimbursable entry of " +
                                                       sdk::formatDecimal(e.totalWallet.minor, e.totalWallet.exponent) +
                                                       " cannot be an ACCPAY bill; use reimbursable_mode=journal for refunds");
        if (e.employee.code.empty() && e.employee.name.empty())
            return reject("vendor_unknown", e, "the employee to reimburse has neither a Xero contact code nor a name");
        break;
    case DocKind::Journal:
        if (e.contraAccountCode.empty() && c.payableAccountCode.empty())
            return reject("account_unknown", e, "no account to credit: the entry has no contra account and "
                                                "payable_account_code is not set");
        break;
    }

    if (c.attachReceipts) {
        if (e.receipts.size() > kMaxAttachments)
            return reject("receipt_upload_failure", e, std::to_string(e.receipts.size()) +
                                                           " receipts; Xero takes at most 10 attachments per document");
        for (const sdk::Receipt& r : e.receipts) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(r.path, ec);
            if (ec) return reject("receipt_upload_failure", e, "receipt " + r.path + " cannot be read (" + ec.message() + ")");
            if (size == 0) return reject("receipt_upload_failure", e, "receipt " + r.path + " is empty");
            if (size > kMaxAttachmentBytes)
                return reject("receipt_file_size_limit_exceeded", e, "receipt " + attachmentName(r, 0) + " has " +
                                                                         std::to_string(size) + " bytes; Xero takes at most 10 MB");
        }
    }
    // Last, just before the document is built: it must balance as it would be sent.
    return balanceProblem(e, sentAmounts(c, e));
}

std::string documentJson(const XeroConfig& c, const sdk::Entry& e) {
    const std::string currency = e.totalWallet.currency;
    const std::string amountTypes = c.exclusive ? "Exclusive" : "Inclusive";
    switch (kindOf(c, e)) {
    case DocKind::BankTransaction: {
        const int sign = e.totalWallet.minor < 0 ? -1 : 1;
        return JsonObject()
            .str("Type", sign < 0 ? "RECEIVE" : "SPEND")
            .raw("Contact", contactJson(e.supplier, c.fallbackContactName))
            .raw("BankAccount", JsonObject().str("Code", c.bankAccountCode).done())
            .str("Date", e.date)
            .str("Reference", referenceOf(DocKind::BankTransaction, e))
            .str("CurrencyCode", currency)
            .str("LineAmountTypes", amountTypes)
            .str("Status", "AUTHORISED")
            .raw("LineItems", lineItemsJson(c, e, sentAmounts(c, e)))
            .done();
    }
    case DocKind::Bill:
        return JsonObject()
            .str("Type", "ACCPAY")
            .raw("Contact", contactJson(e.employee, c.fallbackContactName))
            .str("Date", e.date)
            .str("DueDate", addDays(e.date, c.billDueDays))
            .str("InvoiceNumber", referenceOf(DocKind::Bill, e))
            .str("CurrencyCode", currency)
            .str("LineAmountTypes", amountTypes)
            .str("Status", c.billStatus)
            .raw("LineItems", lineItemsJson(c, e, sentAmounts(c, e)))
            .done();
    case DocKind::Journal:
        return JsonObject()
            .str("Narration", narrationOf(e))
            .str("Date", e.date)
            .str("LineAmountTypes", "Inclusive")
            .str("Status", c.journalStatus)
            .raw("JournalLines", journalLinesJson(c, e, sentAmounts(c, e)))
            .done();
    }
    return {};
}

std::string createBody(DocKind kind, const std::vector<std::string>& elements) {
    return "{" + jsonQuote(endpointOf(kind).collection) + ":" + jsonArray(elements) + "}";
}

std::string idempotencyKey(const std::vector<std::pair<std::string, std::string>>& keyAndJson) {
    std::string material;
    for (const auto& [key, json] : keyAndJson) material += key + '\n' + json + '\n';
    return "lbx-" + hexSha256(material).substr(0, 40);
}

std::string attachmentKey(const std::string& key, const std::string& fileName, const std::string& bytes) {
    return "lbx-" + hexSha256(key + '\n' + fileName + '\n' + hexSha256(bytes)).substr(0, 40);
}

std::string lookupWhere(DocKind kind, const std::vector<std::string>& references) {
    std::string out;
    for (const std::string& ref : references) {
        if (!out.empty()) out += " OR ";
        if (kind == DocKind::Journal) out += "Narration.StartsWith(" + whereString(ref) + ")";
        else out += std::string(endpointOf(kind).refField) + "==" + whereString(ref);
    }
    return out;
}

std::string deepLink(const XeroConfig& c, DocKind kind, const std::string& guid) {
    std::string path;
    switch (kind) {
    case DocKind::BankTransaction: path = "/Bank/ViewTransaction.aspx?bankTransactionID=" + guid; break;
    case DocKind::Bill: path = "/AccountsPayable/View.aspx?InvoiceID=" + guid; break;
    case DocKind::Journal: path = "/Journal/View.aspx?invoiceID=" + guid; break;
    }
    if (c.shortCode.empty()) return "https://go.xero.com" + path;
    return "https://go.xero.com/organisationlogin/default.aspx?shortcode=" + urlEncode(c.shortCode) +
           "&redirecturl=" + urlEncode(path);
}

std::string attachmentName(const sdk::Receipt& r, std::size_t index) {
    std::string name = !r.fileName.empty() ? r.fileName : std::filesystem::path(r.path).filename().string();
    for (char& ch : name) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                        ch == '.' || ch == '_' || ch == '-' || ch == ' ';
        if (!ok) ch = '_';
    }
    if (name.empty() || name.find_first_not_of('.') == std::string::npos) name = "receipt";
    if (name.size() > 100) name = name.substr(name.size() - 100);
    // Xero takes the file type from the name's extension (the body is sent as octet-stream).
    static const std::pair<const char*, const char*> kExtensions[] = {
        {"application/pdf", ".pdf"}, {"image/jpeg", ".jpg"}, {"image/png", ".png"}, {"image/gif", ".gif"},
        {"image/heic", ".heic"},     {"image/tiff", ".tif"}, {"image/webp", ".webp"}};
    if (name.find('.') == std::string::npos)
        for (const auto& [mime, extension] : kExtensions)
            if (r.mimeType == mime) name += extension;
    return index == 0 ? name : std::to_string(index + 1) + "-" + name;
}

std::string urlEncode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace ledgerbridge::xero
