// A small stateful Business Central API v2.0 test double: a real Poco HTTP server on 127.0.0.1
// (port 0). Companies are addressed as BC addresses them, /{tenant}/{environment}/api/v2.0/
// companies({id})/..., each with its G/L accounts, tax groups (with the rate and calculation BC
// keeps in its VAT posting setup), dimensions and values, vendors, journal batches of lines
// (ETags; DELETE needs If-Match), and the G/L entries Microsoft.NAV.post writes: VAT split off a
// VAT-inclusive amount (or self-assessed both ways for reverse charge) onto accounts 5610 (input)
// and 5620 (output), a document refused unless it balances; attachments on journal lines that
// posting carries to the document; OData JSON $batch of GETs and POSTs. Errors come as BC's OData
// {"error":{"code","message"}} bodies. Every request needs "Authorization: Bearer ...".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ledgerbridge::bctest {

class BcDouble {
public:
    struct Account {
        std::string id, number, displayName, category;
        bool blocked = false;
    };
    struct TaxGroup {
        std::string id, code, displayName;
        std::string rate;  ///< percent, decimal text
        bool reverse = false;
    };
    struct Dimension {
        std::string id, code, displayName;
    };
    struct DimensionValue {
        std::string id, code, displayName, dimensionId;
    };
    struct Vendor {
        std::string id, number, displayName, taxRegistrationNumber, country, currencyCode, blocked;
        bool pricesIncludingVat = false;  ///< the vendor card's Prices Including VAT: invoice lines are gross
    };
    struct JournalLine {
        std::string accountType = "G/L Account";  ///< or "Vendor": posted to the vendors' payables account 5410
        std::string id, etag, accountNumber, postingDate, documentNumber, externalDocumentNumber, description, taxCode;
        std::int64_t cents = 0;
        std::vector<std::pair<std::string, std::string>> dimensions;  ///< (code, valueCode)
    };
    struct GlEntry {
        int entryNumber = 0;
        std::string id, documentNumber, externalDocumentNumber, accountNumber, postingDate;
        std::int64_t cents = 0;  ///< debit positive
        std::vector<std::pair<std::string, std::string>> dimensions;
    };
    /// An attachment (BC: an incoming document) on a journal line; posting moves it to the
    /// posted document, deleting the line leaves it orphaned (linked to nothing in the books).
    struct Attachment {
        std::string id, etag, parentId, fileName, bytes;
        bool hasContent = false;
    };
    /// A purchase invoice line: lineType Account, a G/L account, quantity x unitCost net.
    struct InvoiceLine {
        std::string id, etag, accountNumber, description, taxCode;
        int sequence = 0;
        std::int64_t cents = 0;  ///< quantity x unitCost (gross when the invoice's prices include VAT)
        std::vector<std::pair<std::string, std::string>> dimensions;
    };
    /// A purchase invoice: a Draft until Microsoft.NAV.post books it (status Open, a posted
    /// number, the same id, as API v2.0 keeps it); its attachments stay on it.
    struct PurchaseInvoice {
        std::string id, etag, number, vendorNumber, vendorInvoiceNumber, invoiceDate, postingDate, currencyCode;
        std::string status = "Draft";
        bool pricesIncludeTax = false;  ///< from the vendor; read-only in API v2.0
        std::vector<InvoiceLine> lines;
        std::vector<Attachment> attachments;
    };
    struct Company {
        std::vector<Account> accounts;
        std::vector<TaxGroup> taxGroups;
        std::vector<Dimension> dimensions;
        std::vector<DimensionValue> dimensionValues;
        std::vector<Vendor> vendors;
        std::map<std::string, std::vector<JournalLine>> journals;  ///< journal id -> unposted lines
        std::vector<GlEntry> ledger;
        std::map<std::string, int> postings;  ///< documentNumber -> times Microsoft.NAV.post booked it
        std::vector<Attachment> lineAttachments;                          ///< on unposted journal lines
        std::map<std::string, std::vector<Attachment>> documentAttachments;  ///< documentNumber -> posted with it
        int orphanedAttachments = 0;  ///< their journal line was deleted before posting
        std::vector<PurchaseInvoice> purchaseInvoices;  ///< drafts and posted, in creation order
        std::map<std::string, int> invoicePostings;     ///< vendorInvoiceNumber -> times posted
        int deletedDrafts = 0;                          ///< drafts DELETEd (with their attachments)
    };

    static constexpr const char* kTenant = "contoso.onmicrosoft.com";
    static constexpr const char* kEnvironment = "sandbox";
    static constexpr const char* kCompany = "6f1e4c2a-0b7d-4e8f-9a1b-2c3d4e5f6a7b";
    static constexpr const char* kJournal = "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a";

    BcDouble();  ///< starts serving; the default company (kTenant/kEnvironment/kCompany) exists
    ~BcDouble();
    BcDouble(const BcDouble&) = delete;
    BcDouble& operator=(const BcDouble&) = delete;

    /// http://127.0.0.1:PORT (the plugin's base_url).
    std::string baseUrl() const;
    /// A company with the default chart, tax groups, dimensions and vendors, and journal kJournal.
    static Company defaultCompany();
    /// Sets (replaces) the company at tenant/environment/id.
    void setCompany(const std::string& tenant, const std::string& environment, const std::string& id, Company c);
    /// A copy of the company (empty when unknown).
    Company company(const std::string& tenant = kTenant, const std::string& environment = kEnvironment,
                    const std::string& id = kCompany) const;
    /// Unknown companies of any tenant are created as defaultCompany() on first use (the kit).
    void createCompaniesOnUse(bool on);

    /// The next `count` requests answer 429 with Retry-After: `seconds`.
    void throttleNext(int count, int seconds);
    /// From now on, answers 429 (Retry-After: the seconds until room) to a request that would be
    /// more than `count` in the last `windowMs`, as BC does past its per-principal limit.
    void limitRequests(int count, int windowMs);
    /// Steady-clock milliseconds each request arrived at, in the order of requests().
    std::vector<std::int64_t> requestTimesMs() const;
    /// Right after the next answer listing a journal's lines, gives every line of it a new ETag
    /// (as if a user edited them in BC between the plugin's read and its DELETE).
    void touchJournalLinesAfterNextRead();
    /// GETs carried inside $batch requests so far (each $batch is one of requests()).
    int batchedRequests() const;
    /// POSTs carried inside $batch requests so far.
    int batchedPosts() const;
    /// Requests received (method + path and query), in order.
    std::vector<std::string> requests() const;

    struct Impl;  ///< the server's state and routes (public only for its handler in BcDouble.cpp)

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerbridge::bctest
