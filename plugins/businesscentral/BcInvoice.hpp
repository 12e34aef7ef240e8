// One Pleo entry as a Business Central purchase invoice (mode=purchase_invoice): the vendor from
// the entry's supplier, a line per Pleo line (lineType Account, the G/L account, quantity 1, the
// net amount as unitCost with the mapped taxCode, so BC adds the VAT as its VAT posting setup
// says; a reverse-charge line net with a Reverse Charge VAT code), the entry's key in
// vendorInvoiceNumber (how lookup finds the invoice again, drafted or posted). The invoice's
// total is the vendor's payable: Pleo's contra account is not used. Checks are the journal's
// (BcEntryChecks.hpp) plus the vendor, so the dry run rejects exactly what push rejects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "BcEntryChecks.hpp"
#include "BcSettings.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::businesscentral {

struct InvoiceLine {
    int sequence = 0;            ///< 10000, 20000, ... (BC's line numbering)
    std::string accountNumber;
    std::int64_t unitCost = 0;   ///< what unitCost says: net, or gross once pricesIncluding() applied
    CheckedLine checked;         ///< the Pleo line as checked (net, tax, rate), for the VAT check
    std::string taxCode;         ///< "" for none
    std::string description;
    std::vector<std::pair<std::string, std::string>> dimensions;  ///< (dimension code, value code)
};

struct InvoiceDocument {
    std::string vendorInvoiceNumber;  ///< invoiceKeyOf(accounting entry id): the recovery key
    std::string vendorNumber;
    std::string date;                 ///< invoiceDate and postingDate, YYYY-MM-DD
    std::string currencyCode;         ///< "" for the company's local currency
    int exponent = 2;
    std::vector<InvoiceLine> lines;
};

/// The vendorInvoiceNumber of an accounting entry id: the same for every job and idempotency
/// key, at most 35 characters of A-Z, 0-9 (BC's Code[35] keeps it as sent), and readable back
/// into the id where it fits: "U" + the 32 hex digits of a canonical lowercase UUID (Pleo's ids),
/// "B" + RFC 4648 base32 (no padding) of an id of at most 20 bytes, else documentNumberOf(id)
/// ("LB" + 16 hex digits of a hash; not reversible). The first letter tells the forms apart.
std::string invoiceKeyOf(const std::string& accountingEntryId);

/// The purchase invoice of `entry` (lines net); throws Rejected naming what is wrong and where,
/// including a line whose VAT BC would compute differently from Pleo both with and without
/// prices including VAT (which applies is known once BC created the invoice).
InvoiceDocument invoiceOf(const sdk::Entry& entry, const BcConfig& config);

/// The lines as BC takes them when the invoice's pricesIncludeTax (from the vendor card; read-only
/// in API v2.0, given in the created invoice's answer) is `included`: unitCost gross (net + tax,
/// net for reverse charge) and VAT = gross x rate / (100 + rate), else net and VAT = net x rate
/// / 100. Throws Rejected when BC's VAT would differ from Pleo's.
void applyPricesIncludingVat(InvoiceDocument& doc, bool included, const std::string& label);

/// POST purchaseInvoices body.
std::string invoiceBody(const InvoiceDocument& doc);
/// POST purchaseInvoices({id})/purchaseInvoiceLines body.
std::string invoiceLineBody(const InvoiceDocument& doc, const InvoiceLine& line);

}  // namespace ledgerbridge::businesscentral
