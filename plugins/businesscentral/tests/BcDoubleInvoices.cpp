// The Business Central double's purchase invoices: see BcDoubleInvoices.hpp.
#include "BcDoubleInvoices.hpp"

#include "BcDoubleRules.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>

namespace ledgerbridge::bctest {

namespace {
using Poco::JSON::Array;
using Poco::JSON::Object;
using Invoice = BcDouble::PurchaseInvoice;

Object invoiceJson(const Invoice& inv) {
    std::int64_t net = 0;
    for (const auto& l : inv.lines) net += l.cents;
    Object o;
    o.set("@odata.etag", inv.etag);
    o.set("id", inv.id);
    o.set("number", inv.number);
    o.set("invoiceDate", inv.invoiceDate);
    o.set("postingDate", inv.postingDate);
    o.set("vendorInvoiceNumber", inv.vendorInvoiceNumber);
    o.set("vendorNumber", inv.vendorNumber);
    o.set("currencyCode", inv.currencyCode);
    o.set("totalAmountExcludingTax", static_cast<double>(net) / 100.0);
    o.set("status", inv.status);
    o.set("pricesIncludeTax", inv.pricesIncludeTax);
    return o;
}

Object lineJson(const Invoice& inv, const BcDouble::InvoiceLine& l) {
    Object o;
    o.set("@odata.etag", l.etag);
    o.set("id", l.id);
    o.set("documentId", inv.id);
    o.set("sequence", l.sequence);
    o.set("lineType", "Account");
    o.set("lineObjectNumber", l.accountNumber);
    o.set("description", l.description);
    o.set("quantity", 1);
    o.set("unitCost", static_cast<double>(l.cents) / 100.0);
    o.set("taxCode", l.taxCode);
    return o;
}

Answer list(Array value) {
    Object o;
    o.set("value", value);
    return json(200, o);
}

Answer notDraft(const Invoice& inv) {
    return error(400, "Internal_ValidationError", "Status must be equal to 'Open' in Purchase Header: Document Type=Invoice, "
                                                  "No.=" + inv.number + ". Current value is 'Released'.");
}

Answer createInvoice(BcDouble::Company& c, const std::string& body, const DoubleIds& ids) {
    const Object::Ptr o = objectIn(body);
    if (!o) return error(400, "BadRequest", "The request body is not a JSON object.");
    Invoice inv;
    inv.vendorNumber = o->optValue<std::string>("vendorNumber", "");
    if (auto refused = vendorRefusal(c, inv.vendorNumber)) return *refused;
    for (const auto& v : c.vendors)
        if (v.number == inv.vendorNumber) inv.pricesIncludeTax = v.pricesIncludingVat;
    inv.vendorInvoiceNumber = o->optValue<std::string>("vendorInvoiceNumber", "");
    inv.invoiceDate = o->optValue<std::string>("invoiceDate", "");
    inv.postingDate = o->optValue<std::string>("postingDate", inv.invoiceDate);
    inv.currencyCode = o->optValue<std::string>("currencyCode", "");
    if (inv.vendorInvoiceNumber.size() > 35)
        return error(400, "BadRequest_InvalidToken", "vendorInvoiceNumber is longer than its 35 characters.");
    const int n = ids.number();
    inv.id = guid(0x1a0, n);
    inv.number = std::to_string(107000 + n);
    inv.etag = ids.etag();
    c.purchaseInvoices.push_back(inv);
    return json(201, invoiceJson(inv));
}

Answer createLine(BcDouble::Company& c, Invoice& inv, const std::string& body, const DoubleIds& ids) {
    if (inv.status != "Draft") return notDraft(inv);
    const Object::Ptr o = objectIn(body);
    if (!o) return error(400, "BadRequest", "The request body is not a JSON object.");
    if (o->optValue<std::string>("lineType", "") != "Account")
        return error(400, "BadRequest", "lineType must be 'Account' for a G/L account line (this double takes no other).");
    BcDouble::InvoiceLine l;
    l.accountNumber = o->optValue<std::string>("lineObjectNumber", "");
    if (auto refused = accountRefusal(c, l.accountNumber)) return *refused;
    l.taxCode = o->optValue<std::string>("taxCode", "");
    if (auto refused = taxCodeRefusal(c, l.taxCode)) return *refused;
    bool exact = true;
    const std::int64_t unit = centsOf(o->optValue<double>("unitCost", 0.0), exact);
    if (!exact) return error(400, "Internal_ValidationError", "The unitCost has more decimals than the currency allows.");
    if (o->optValue<double>("quantity", 0.0) != 1.0)
        return error(400, "BadRequest", "this double books quantity 1 only");
    l.cents = unit;
    l.sequence = o->optValue<int>("sequence", static_cast<int>(inv.lines.size() + 1) * 10000);
    l.description = o->optValue<std::string>("description", "");
    if (l.description.size() > 400) return error(400, "BadRequest_InvalidToken", "description is too long.");
    l.id = guid(0x1a1, ids.number());
    l.etag = ids.etag();
    inv.lines.push_back(l);
    inv.etag = ids.etag();  // the header's totals changed
    return json(201, lineJson(inv, l));
}

/// Microsoft.NAV.post: G/L entries under the posted number, the invoice Open.
Answer post(BcDouble::Company& c, Invoice& inv, const DoubleIds& ids) {
    if (inv.status != "Draft") return notDraft(inv);
    if (inv.lines.empty()) return error(400, "Internal_ValidationError", "There is nothing to post.");
    for (const auto& other : c.purchaseInvoices)
        if (other.status != "Draft" && other.vendorNumber == inv.vendorNumber &&
            other.vendorInvoiceNumber == inv.vendorInvoiceNumber)
            return error(400, "Internal_ValidationError", "Purchase Invoice " + inv.vendorInvoiceNumber +
                                                              " already exists for this vendor.");
    inv.number = std::to_string(108000 + ids.number());
    auto book = [&](const std::string& account, std::int64_t cents,
                    const std::vector<std::pair<std::string, std::string>>& dims) {
        bookGlEntry(c, inv.number, inv.vendorInvoiceNumber, inv.postingDate, account, cents, dims);
    };
    std::int64_t payable = 0;
    for (const auto& l : inv.lines) {
        book(l.accountNumber, l.cents, l.dimensions);
        payable += l.cents;
        const auto tax = std::find_if(c.taxGroups.begin(), c.taxGroups.end(),
                                      [&](const BcDouble::TaxGroup& t) { return t.code == l.taxCode; });
        if (l.taxCode.empty() || tax == c.taxGroups.end()) continue;
        // VAT on top of the net amount, or inside the gross one when the prices include VAT (not
        // for reverse charge: self-assessed on top), rounded half away from zero.
        const double rate = std::stod(tax->rate);
        const bool inside = inv.pricesIncludeTax && !tax->reverse;
        const auto vat = static_cast<std::int64_t>(
            std::llround(static_cast<double>(l.cents) * rate / (inside ? 100.0 + rate : 100.0)));
        if (inside) {
            c.ledger.back().cents -= vat;  // the line's account gets the net
            payable -= vat;
        }
        book("5610", vat, {});
        if (tax->reverse)
            book("5620", -vat, {});
        else
            payable += vat;
    }
    book("5410", -payable, {});
    inv.status = "Open";
    inv.etag = ids.etag();
    ++c.invoicePostings[inv.vendorInvoiceNumber];
    return {204, "", {}};
}
}  // namespace

BcDouble::PurchaseInvoice* invoiceById(BcDouble::Company& c, const std::string& id) {
    for (auto& inv : c.purchaseInvoices)
        if (inv.id == id) return &inv;
    return nullptr;
}

Answer purchaseInvoiceCall(BcDouble::Company& c, const std::string& method, const std::string& rest,
                           const std::string& filter, const std::string& ifMatch, const std::string& body,
                           const DoubleIds& ids) {
    static const std::regex path("^/purchaseInvoices(\\(([0-9a-fA-F-]{36})\\))?(/Microsoft\\.NAV\\.post|/purchaseInvoiceLines"
                                 "(\\(([0-9a-fA-F-]{36})\\))?(/dimensionSetLines)?)?$");
    std::smatch m;
    if (!std::regex_match(rest, m, path)) return error(404, "BadRequest_NotFound", "No resource " + rest);
    if (m[1].length() == 0) {
        if (method == "POST") return createInvoice(c, body, ids);
        if (method != "GET") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        const std::string wanted = filterValue(filter, "vendorInvoiceNumber");
        if (!filter.empty() && wanted.empty()) return error(400, "BadRequest", "this double filters on vendorInvoiceNumber only");
        Array value;
        for (const auto& inv : c.purchaseInvoices)
            if (filter.empty() || inv.vendorInvoiceNumber == wanted) value.add(invoiceJson(inv));
        return list(value);
    }
    Invoice* inv = invoiceById(c, m[2]);
    if (!inv) return error(404, "Internal_RecordNotFound", "The purchase invoice " + std::string(m[2]) + " does not exist.");
    auto checkEtag = [&](const std::string& etag) -> std::string {
        if (ifMatch.empty()) return "428";
        if (ifMatch != "*" && ifMatch != etag) return "412";
        return "";
    };
    auto etagError = [](const std::string& why) {
        return why == "428" ? error(428, "Request_EntityChanged", "The If-Match header is required for this request.")
                            : error(412, "Request_EntityChanged", "Another user has already changed the record.");
    };
    if (m[3].length() == 0) {
        if (method == "GET") return json(200, invoiceJson(*inv));
        if (method != "DELETE") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        if (const std::string why = checkEtag(inv->etag); !why.empty()) return etagError(why);
        if (inv->status != "Draft") return notDraft(*inv);
        ++c.deletedDrafts;
        c.purchaseInvoices.erase(c.purchaseInvoices.begin() + (inv - c.purchaseInvoices.data()));
        return {204, "", {}};
    }
    if (std::string(m[3]) == "/Microsoft.NAV.post") {
        if (method != "POST") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        if (!body.empty()) return error(415, "BadRequest", "Microsoft.NAV.post takes no request body.");
        return post(c, *inv, ids);
    }
    if (m[4].length() == 0) {
        if (method == "POST") return createLine(c, *inv, body, ids);
        if (method != "GET") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        Array value;
        for (const auto& l : inv->lines) value.add(lineJson(*inv, l));
        return list(value);
    }
    const auto lt = std::find_if(inv->lines.begin(), inv->lines.end(),
                                 [&](const BcDouble::InvoiceLine& l) { return l.id == std::string(m[5]); });
    if (lt == inv->lines.end()) return error(404, "Internal_RecordNotFound", "The line " + std::string(m[5]) + " does not exist.");
    if (m[6].length() > 0) {
        if (method != "POST") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
        if (inv->status != "Draft") return notDraft(*inv);
        const Answer a = addDimensionSetLine(c, lt->dimensions, body);
        if (a.status == 201) lt->etag = ids.etag();
        return a;
    }
    if (method == "GET") return json(200, lineJson(*inv, *lt));
    if (method != "DELETE") return error(405, "BadRequest_MethodNotAllowed", method + " is not allowed here");
    if (const std::string why = checkEtag(lt->etag); !why.empty()) return etagError(why);
    if (inv->status != "Draft") return notDraft(*inv);
    inv->lines.erase(lt);
    inv->etag = ids.etag();
    return {204, "", {}};
}

}  // namespace ledgerbridge::bctest
