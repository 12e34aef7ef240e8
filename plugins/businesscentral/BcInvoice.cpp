// Pleo entry -> Business Central purchase invoice: see BcInvoice.hpp.
#include "BcInvoice.hpp"

#include <Poco/JSONString.h>

#include "BcJournal.hpp"

namespace ledgerbridge::businesscentral {

std::string vendorNumberOf(const sdk::Entry& e, const BcConfig& config) {
    const std::string& code = e.supplier.code;
    const auto mapped = code.empty() ? config.vendors.end() : config.vendors.find(code);
    const std::string number = mapped != config.vendors.end() ? mapped->second : !code.empty() ? code : config.defaultVendor;
    const std::string supplier = e.supplier.name.empty() ? "(none)" : "'" + e.supplier.name + "'";
    if (number.empty())
        throw Rejected("vendor_unknown", "entry " + e.accountingEntryId + ": supplier " + supplier +
                                             " has no code and no default_vendor is set, so it has no Business Central vendor");
    if (number.size() > 20)
        throw Rejected("vendor_unknown", "entry " + e.accountingEntryId + ": supplier " + supplier + " code '" + number +
                                             "' is longer than a BC vendor number (20 characters); map it in vendors");
    return number;
}

InvoiceDocument invoiceOf(const sdk::Entry& e, const BcConfig& config) {
    if (e.accountingEntryId.empty()) throw Rejected("validation_failure", "the entry has no accounting entry id");
    if (e.lines.empty()) throw Rejected("validation_failure", "entry " + e.accountingEntryId + " has no lines");
    InvoiceDocument doc;
    doc.vendorInvoiceNumber = documentNumberOf(e.accountingEntryId);
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
        checkBcVat(l, l.net, false, doc.exponent, "entry " + e.accountingEntryId + ", line " + std::to_string(i + 1));
        InvoiceLine out;
        out.sequence = static_cast<int>(i + 1) * 10000;
        out.accountNumber = l.accountNumber;
        out.unitCost = l.net;
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
