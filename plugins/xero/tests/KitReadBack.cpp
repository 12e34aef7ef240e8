// The Xero plugin's read-back hook for the conformance kit: asks the Xero test double for the
// live documents (not DELETED or VOIDED) of the kit target's organisation and turns each into
// postings the way Xero books it, so the kit can check balance and amounts per account:
//   bank transaction   line AccountCode   +net      (SPEND; RECEIVE negated)
//                      TAX:<TaxType>      +tax      (when not zero; Xero's VAT account)
//                      BankAccount.Code   -(net + tax) of all lines
//   bill (ACCPAY)      the same lines, contra ACCOUNTS_PAYABLE (Xero's system account)
//   manual journal     each line: AccountCode LineAmount - TaxAmount, TAX:<TaxType> TaxAmount
// Inclusive lines hold their tax (net = LineAmount - TaxAmount); Exclusive ones add it on top.
// Amounts are read as decimal text into minor units (2 decimals: what Xero keeps), never
// through floating-point arithmetic; anything else is refused with the document named.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdint>
#include <stdexcept>

#include "XeroKit.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::xerotest {
namespace {

using Poco::JSON::Object;

std::string text(const Object::Ptr& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key) ? o->get(key).convert<std::string>() : std::string();
}

/// "123.4" / "-5" / "0.25" (as the double stores numbers) -> minor units with two decimals.
std::int64_t cents(const Object::Ptr& o, const std::string& key, const std::string& where) {
    const std::string s = text(o, key);
    if (s.empty()) return 0;
    std::size_t i = s[0] == '-' ? 1 : 0;
    std::int64_t whole = 0, fraction = 0;
    int decimals = 0;
    bool dot = false, digits = false;
    for (; i < s.size(); ++i) {
        if (s[i] == '.' && !dot) {
            dot = true;
        } else if (s[i] >= '0' && s[i] <= '9') {
            digits = true;
            if (dot) {
                if (++decimals > 2) throw std::runtime_error(where + ": " + key + " " + s + " has more than two decimals");
                fraction = fraction * 10 + (s[i] - '0');
            } else {
                whole = whole * 10 + (s[i] - '0');
            }
        } else {
            throw std::runtime_error(where + ": " + key + " '" + s + "' is not a decimal amount");
        }
    }
    if (!digits) throw std::runtime_error(where + ": " + key + " '" + s + "' is not a decimal amount");
    while (decimals++ < 2) fraction *= 10;
    const std::int64_t v = whole * 100 + fraction;
    return s[0] == '-' ? -v : v;
}

Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser p;
    return p.parse(json).extract<Object::Ptr>();
}

testkit::Posting posting(const std::string& account, std::int64_t minor, const std::string& currency) {
    testkit::Posting p;
    p.account = account;
    p.minor = minor;
    p.currency = currency;
    p.exponent = 2;
    return p;
}

std::vector<testkit::WrittenDocument> readTenant(const std::string& tmp, int number) {
    static_cast<void>(tmp);  // everything is in the double, nothing in files
    const std::string tenant = kitTenant(number);
    std::vector<testkit::WrittenDocument> docs;
    struct Kind {
        const char* collection;
        const char* idField;
        const char* linesField;
    };
    for (const Kind& k : {Kind{"BankTransactions", "BankTransactionID", "LineItems"},
                          Kind{"Invoices", "InvoiceID", "LineItems"}, Kind{"ManualJournals", "ManualJournalID", "JournalLines"}}) {
        for (const std::string& json : kitDouble().documents(tenant, k.collection)) {
            const Object::Ptr doc = parse(json);
            const std::string status = text(doc, "Status");
            if (status == "DELETED" || status == "VOIDED") continue;
            const std::string collection = k.collection;
            testkit::WrittenDocument d;
            d.where = "xero:" + tenant + "/" + collection + "/" + text(doc, k.idField);
            // The plugin's reference: Reference, the bill's InvoiceNumber, "Pleo <id>: …" narration.
            if (collection == "BankTransactions") d.accountingEntryId = text(doc, "Reference");
            else if (collection == "Invoices") d.accountingEntryId = text(doc, "InvoiceNumber");
            else {
                const std::string narration = text(doc, "Narration");
                const auto colon = narration.find(':');
                if (narration.rfind("Pleo ", 0) != 0 || colon == std::string::npos)
                    throw std::runtime_error(d.where + ": the narration does not start with \"Pleo <entry id>:\"");
                d.accountingEntryId = narration.substr(5, colon - 5);
            }
            // Journals carry no currency (base currency); the kit's organisations are in EUR.
            const std::string currency = collection == "ManualJournals" ? "EUR" : text(doc, "CurrencyCode");
            const bool exclusive = text(doc, "LineAmountTypes") == "Exclusive";
            const int sign = text(doc, "Type") == "RECEIVE" ? -1 : 1;
            const auto lines = doc->getArray(k.linesField);
            if (!lines || lines->size() == 0) throw std::runtime_error(d.where + " has no " + k.linesField);
            std::int64_t total = 0;
            for (std::size_t i = 0; i < lines->size(); ++i) {
                const auto line = lines->getObject(static_cast<unsigned>(i));
                const std::string where = d.where + " line " + std::to_string(i + 1);
                const std::int64_t amount = cents(line, "LineAmount", where), tax = cents(line, "TaxAmount", where);
                const std::int64_t net = exclusive ? amount : amount - tax;
                d.postings.push_back(posting(text(line, "AccountCode"), sign * net, currency));
                if (tax != 0) d.postings.push_back(posting("TAX:" + text(line, "TaxType"), sign * tax, currency));
                total += net + tax;
            }
            if (collection == "BankTransactions")
                d.postings.push_back(posting(text(doc->getObject("BankAccount"), "Code"), -sign * total, currency));
            else if (collection == "Invoices")
                d.postings.push_back(posting("ACCOUNTS_PAYABLE", -total, currency));
            docs.push_back(std::move(d));
        }
    }
    return docs;
}

[[maybe_unused]] const bool registered = testkit::setReadBack(readTenant);

}  // namespace
}  // namespace ledgerbridge::xerotest
