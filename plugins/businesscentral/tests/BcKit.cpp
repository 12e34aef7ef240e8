// The Business Central plugin's conformance-kit hooks. Network: every kit instance's requests go
// over real HTTP to one stateful Business Central test double, each kit target in its own tenant
// (a restarted instance reaches the same one); the settings' base_url names no real host and is
// re-aimed at the double, whose unknown companies start as BcDouble::defaultCompany(). The
// empty base URL (testkit.md.empty.base_url) is a company without master data. Read-back: the
// posted G/L entries of the target's company, one document per documentNumber, each entry as
// BC booked it (VAT on 5610/5620), the entry id from externalDocumentNumber (journal mode) or
// decoded from the posted purchase invoice's vendorInvoiceNumber (purchase-invoice mode, run by
// businesscentral_invoice_conformance with conformance-invoice.conf).
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>

#include "BcDouble.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::bctest {
namespace {
constexpr const char* kConfiguredBase = "https://bc.kit.invalid/v2.0";
constexpr const char* kEmptyBase = "https://empty.bc.kit.invalid/v2.0";

BcDouble& kitDouble() {
    static BcDouble d;
    d.createCompaniesOnUse(true);
    return d;
}

std::string kitTenant(int number) {
    char t[40];
    std::snprintf(t, sizeof t, "kit-tenant-%d", number);
    return t;
}

/// The URL's tenant segment replaced by the kit target's own.
std::string retarget(const std::string& url, const std::string& base, const std::string& tenant) {
    const std::string rest = url.substr(base.size());  // "/{tenant}/{environment}/..."
    const auto slash = rest.find('/', 1);
    return kitDouble().baseUrl() + "/" + tenant + (slash == std::string::npos ? "" : rest.substr(slash));
}

[[maybe_unused]] const bool network = testkit::setHttpResponderFactory([](int number) {
    const std::string tenant = kitTenant(number);
    return [tenant](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0) r.url = retarget(r.url, kConfiguredBase, tenant);
        if (r.url.rfind(kEmptyBase, 0) == 0) {
            const std::string emptyTenant = tenant + "-empty";
            BcDouble::Company empty;
            empty.journals[BcDouble::kJournal] = {};
            kitDouble().setCompany(emptyTenant, BcDouble::kEnvironment, BcDouble::kCompany, empty);
            r.url = retarget(r.url, kEmptyBase, emptyTenant);
        }
        std::string error;
        auto response = xerotest::sendHttp(r, "kit-access-token", error);
        if (response) return *response;
        sdk::HttpResponse none;  // status 0: the plugin sees a failed call
        none.body = error;
        return none;
    };
});

/// The entry id a purchase invoice's vendorInvoiceNumber carries, decoded here independently of
/// the plugin: "U" + 32 hex digits is a lowercase UUID, "B" + base32 (RFC 4648) the id's bytes;
/// anything else is returned as it is (a hashed key the kit's short ids never get).
std::string entryIdOfInvoiceKey(const std::string& key) {
    if (key.size() == 33 && key[0] == 'U') {
        std::string id;
        for (std::size_t i = 1; i < key.size(); ++i) {
            if (i == 9 || i == 13 || i == 17 || i == 21) id += '-';
            id += static_cast<char>(std::tolower(static_cast<unsigned char>(key[i])));
        }
        return id;
    }
    if (key.empty() || key[0] != 'B') return key;
    std::string id;
    unsigned buffer = 0;
    int bits = 0;
    for (std::size_t i = 1; i < key.size(); ++i) {
        const char* at = std::strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", key[i]);
        if (!at || key[i] == '\0') return key;
        buffer = (buffer << 5) | static_cast<unsigned>(at - "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        bits += 5;
        if (bits >= 8) {
            id += static_cast<char>((buffer >> (bits - 8)) & 0xFFu);
            bits -= 8;
        }
    }
    return id;
}

// Journal mode: a document per documentNumber, the entry id in externalDocumentNumber.
// Purchase-invoice mode: a document per posted invoice (its posted number), the entry id decoded
// from vendorInvoiceNumber, amounts in the invoice's currency.
[[maybe_unused]] const bool readBack = testkit::setReadBack([](const std::string&, int number) {
    const BcDouble::Company c = kitDouble().company(kitTenant(number), BcDouble::kEnvironment, BcDouble::kCompany);
    std::map<std::string, const BcDouble::PurchaseInvoice*> invoices;  // posted number -> invoice
    for (const auto& inv : c.purchaseInvoices)
        if (inv.status != "Draft") invoices[inv.number] = &inv;
    std::map<std::string, testkit::WrittenDocument> byNumber;
    for (const BcDouble::GlEntry& g : c.ledger) {
        testkit::WrittenDocument& d = byNumber[g.documentNumber];
        const auto invoice = invoices.find(g.documentNumber);
        const bool isInvoice = invoice != invoices.end();
        d.accountingEntryId = isInvoice ? entryIdOfInvoiceKey(g.externalDocumentNumber) : g.externalDocumentNumber;
        d.where = (isInvoice ? "G/L entries of posted purchase invoice " : "G/L entries of document ") + g.documentNumber;
        const std::string currency = isInvoice && !invoice->second->currencyCode.empty() ? invoice->second->currencyCode : "EUR";
        d.postings.push_back(testkit::Posting{g.accountNumber, g.cents, currency, 2, ""});
    }
    std::vector<testkit::WrittenDocument> out;
    for (auto& entry : byNumber) out.push_back(std::move(entry.second));
    return out;
});
}  // namespace
}  // namespace ledgerbridge::bctest
