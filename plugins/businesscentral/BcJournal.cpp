// Pleo entry -> Business Central journal lines: see BcJournal.hpp (the shared checks are in
// BcEntryChecks.cpp).
#include "BcJournal.hpp"

#include <Poco/JSONString.h>

#include <cstdio>

namespace ledgerbridge::businesscentral {

std::string documentNumberOf(const std::string& id) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
    char buf[24];
    std::snprintf(buf, sizeof buf, "LB%016llX", static_cast<unsigned long long>(h));
    return buf;
}

JournalDocument journalOf(const sdk::Entry& e, const BcConfig& config) {
    if (e.accountingEntryId.empty()) throw Rejected("validation_failure", "the entry has no accounting entry id");
    if (e.lines.empty()) throw Rejected("validation_failure", "entry " + e.accountingEntryId + " has no lines");
    JournalDocument doc;
    doc.documentNumber = documentNumberOf(e.accountingEntryId);
    doc.externalDocumentNumber = e.accountingEntryId.size() <= 35 ? e.accountingEntryId : doc.documentNumber;
    doc.postingDate = postingDateOf(e);
    if (e.totalWallet.currency != config.currency)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": the total is in '" + e.totalWallet.currency +
                                                 "', but Business Central journal lines are in the company's local "
                                                 "currency " + config.currency);
    checkAmount(e.totalWallet, config.currency, "entry " + e.accountingEntryId + ": the total");
    doc.exponent = exponentOf(e);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const CheckedLine l = checkedLine(e, i, config, config.currency);
        JournalLine out;
        out.accountNumber = l.accountNumber;
        out.taxCode = l.taxCode;
        // Reverse charge: BC self-assesses the VAT on top of the net amount; otherwise the
        // amount includes the VAT BC splits off.
        out.minor = l.reverse || l.taxCode.empty() ? l.net : l.net + l.tax;
        checkBcVat(l, out.minor, true, doc.exponent, "entry " + e.accountingEntryId + ", line " + std::to_string(i + 1));
        out.description = l.description;
        out.dimensions = l.dimensions;
        sum += out.minor;
        doc.lines.push_back(std::move(out));
    }
    if (sum != e.totalWallet.minor)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + " does not balance: its lines come to " +
                                                 decimalText(sum, doc.exponent) + ", its total is " +
                                                 decimalText(e.totalWallet.minor, doc.exponent));
    JournalLine contra;
    if (config.purchaseInvoices) {
        // A refund in purchase-invoice mode: the vendor owes it back (its payables account).
        if (config.journalId.empty())
            throw Rejected("validation_failure", "entry " + e.accountingEntryId + " is a refund (negative total): in "
                                                     "purchase-invoice mode refunds are journal lines against the vendor, "
                                                     "and journal_id is not set");
        contra.accountType = "Vendor";
        contra.accountNumber = vendorNumberOf(e, config);
    } else {
        if (e.contraAccountCode.empty() || e.contraAccountCode.size() > 20)
            throw Rejected("account_unknown", "entry " + e.accountingEntryId + " has no contra account (of at most 20 characters)");
        contra.accountNumber = e.contraAccountCode;
    }
    contra.minor = -e.totalWallet.minor;
    contra.description = cutUtf8(e.note.empty() ? "Pleo " + e.accountingEntryId : e.note, 100);
    doc.lines.push_back(std::move(contra));
    return doc;
}

std::string journalLineBody(const JournalDocument& doc, const JournalLine& line) {
    std::string body = "{\"accountType\":" + Poco::toJSON(line.accountType) + ",\"accountNumber\":" + Poco::toJSON(line.accountNumber) +
                       ",\"postingDate\":" + Poco::toJSON(doc.postingDate) +
                       ",\"documentNumber\":" + Poco::toJSON(doc.documentNumber) +
                       ",\"externalDocumentNumber\":" + Poco::toJSON(doc.externalDocumentNumber) +
                       ",\"amount\":" + decimalText(line.minor, doc.exponent) +
                       ",\"description\":" + Poco::toJSON(line.description);
    if (!line.taxCode.empty()) body += ",\"taxCode\":" + Poco::toJSON(line.taxCode);
    return body + "}";
}

}  // namespace ledgerbridge::businesscentral
