// Pleo entry -> Business Central purchase invoice: see BcInvoice.hpp.
#include "BcInvoice.hpp"

#include <Poco/JSONString.h>

#include "BcJournal.hpp"

namespace ledgerbridge::businesscentral {

namespace {
bool isLowercaseUuid(const std::string& id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = id[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::string base32(const std::string& bytes) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            out += alphabet[(buffer >> (bits - 5)) & 31u];
            bits -= 5;
        }
    }
    if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31u];
    return out;
}
}  // namespace

std::string invoiceKeyOf(const std::string& id) {
    if (isLowercaseUuid(id)) {
        std::string key = "U";
        for (char c : id)
            if (c != '-') key += static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
        return key;
    }
    if (!id.empty() && id.size() <= 20) return "B" + base32(id);
    return documentNumberOf(id);
}

InvoiceDocument invoiceOf(const sdk::Entry& e, const BcConfig& config) {
    if (e.accountingEntryId.empty()) throw Rejected("validation_failure", "the entry has no accounting entry id");
    if (e.lines.empty()) throw Rejected("validation_failure", "entry " + e.accountingEntryId + " has no lines");
    InvoiceDocument doc;
    doc.vendorInvoiceNumber = invoiceKeyOf(e.accountingEntryId);
    doc.vendorNumber = vendorNumberOf(e, config);
    doc.date = postingDateOf(e);
    const std::string currency = e.totalWallet.currency;
    if (currency.size() != 3)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": the total has no ISO 4217 currency");
    checkAmount(e.totalWallet, currency, "entry " + e.accountingEntryId + ": the total");
    if (e.totalWallet.minor < 0)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": a negative total (a refund) would be a "
                                                 "purchase credit memo, which this plugin does not write; use mode=journal");
    doc.currencyCode = currency == config.currency ? "" : currency;
    doc.exponent = exponentOf(e);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
        const CheckedLine l = checkedLine(e, i, config, currency);
        // Net on the line; BC adds the VAT on top (a reverse-charge code self-assesses it).
        const std::string where = "entry " + e.accountingEntryId + ", line " + std::to_string(i + 1);
        try {
            checkBcVat(l, l.net, false, doc.exponent, where);
        } catch (const Rejected&) {
            checkBcVat(l, l.reverse ? l.net : l.net + l.tax, true, doc.exponent, where);  // the other way, or rejected
        }
        InvoiceLine out;
        out.sequence = static_cast<int>(i + 1) * 10000;
        out.accountNumber = l.accountNumber;
        out.unitCost = l.net;
        out.checked = l;
        out.taxCode = l.taxCode;
        out.description = l.description;
        out.dimensions = l.dimensions;
        sum += l.reverse ? l.net : l.net + l.tax;
        doc.lines.push_back(std::move(out));
    }
    if (sum != e.totalWallet.minor)
        throw Rejected("validation_failure", "entry " + e.accountingEntryId + ": its lines come to " +
                                                 decimalText(sum, doc.exponent) + ", its total is " +
                                                 decimalText(e.totalWallet.minor, doc.exponent));
    return doc;
}

void applyPricesIncludingVat(InvoiceDocument& doc, bool included, const std::string& label) {
    for (std::size_t i = 0; i < doc.lines.size(); ++i) {
        InvoiceLine& l = doc.lines[i];
        const CheckedLine& c = l.checked;
        l.unitCost = included && !c.reverse && !c.taxCode.empty() ? c.net + c.tax : c.net;
        checkBcVat(c, l.unitCost, included, doc.exponent,
                   label + ", line " + std::to_string(i + 1) + " (the vendor's prices " +
                       (included ? "include" : "exclude") + " VAT)");
    }
}

std::string invoiceBody(const InvoiceDocument& doc) {
    std::string body = "{\"vendorNumber\":" + Poco::toJSON(doc.vendorNumber) +
                       ",\"vendorInvoiceNumber\":" + Poco::toJSON(doc.vendorInvoiceNumber) +
                       ",\"invoiceDate\":" + Poco::toJSON(doc.date) + ",\"postingDate\":" + Poco::toJSON(doc.date);
    if (!doc.currencyCode.empty()) body += ",\"currencyCode\":" + Poco::toJSON(doc.currencyCode);
    return body + "}";
}

std::string invoiceLineBody(const InvoiceDocument& doc, const InvoiceLine& line) {
    std::string body = "{\"sequence\":" + std::to_string(line.sequence) +
                       ",\"lineType\":\"Account\",\"lineObjectNumber\":" + Poco::toJSON(line.accountNumber) +
                       ",\"description\":" + Poco::toJSON(line.description) +
                       ",\"quantity\":1,\"unitCost\":" + decimalText(line.unitCost, doc.exponent);
    if (!line.taxCode.empty()) body += ",\"taxCode\":" + Poco::toJSON(line.taxCode);
    return body + "}";
}

}  // namespace ledgerbridge::businesscentral
