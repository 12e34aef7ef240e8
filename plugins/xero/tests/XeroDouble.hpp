// A small stateful Xero Accounting API test double: a real Poco HTTP server on 127.0.0.1 (port
// 0), one organisation per xero-tenant-id. It creates BankTransactions, Invoices and
// ManualJournals (summarizeErrors=false: per-element ValidationErrors; otherwise Xero's 400
// ValidationException), validates account codes, tax types and tracking categories the way Xero
// words its messages, finds documents with `where` (Field=="v" OR ..., Narration.StartsWith),
// stores attachments (raw bytes), replays the first answer for a repeated Idempotency-Key, and
// sends X-MinLimit-Remaining / X-DayLimit-Remaining, answering 429 with Retry-After and
// X-Rate-Limit-Problem when told to. It serves master data too: the chart of accounts, tax rates
// (rates as exact number text), tracking categories with their options (archived ones with
// includeArchived=true) and contacts (where IsSupplier==true, includeArchived, order, page and
// pageSize, If-Modified-Since on Accounts and Contacts). Responses follow Xero's OpenAPI (Prism
// checks them).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ledgerbridge::xerotest {

class XeroDouble {
public:
    /// Master data (GET /Accounts, /TaxRates, /TrackingCategories, /Contacts). Dates are
    /// milliseconds since 1970 UTC (Xero's UpdatedDateUTC); rates are JSON number text, sent as is.
    struct Account {
        std::string id, code, name, type, status = "ACTIVE", taxType;
        long long updatedMs = 0;
    };
    struct TaxRate {
        std::string taxType, name, status = "ACTIVE", reportTaxType, displayTaxRate = "0.0000", effectiveRate = "0.0000";
    };
    struct TrackingOption {
        std::string id, name, status = "ACTIVE";
    };
    struct TrackingCategory {
        std::string id, name, status = "ACTIVE";
        std::vector<TrackingOption> options;
    };
    struct Address {
        std::string type, country;  ///< type STREET or POBOX
    };
    struct Contact {
        std::string id, contactNumber, accountNumber, name, status = "ACTIVE", companyNumber, taxNumber, defaultCurrency,
            purchasesAccountCode;
        std::vector<Address> addresses;
        bool supplier = true;  ///< IsSupplier
        long long updatedMs = 0;
    };
    /// What an organisation knows. Documents are checked against `accounts`, `taxTypes` and
    /// `tracking`; the master data lists are what the GETs serve. setOrganisation() makes the two
    /// agree: lists that are set decide the checks (active records only, as Xero refuses archived
    /// codes), lists left empty are made from the checks (ids derived from the codes).
    struct Organisation {
        std::map<std::string, std::string> accounts{{"090", "BANK"},    {"091", "BANK"},     {"400", "EXPENSE"},
                                                    {"429", "EXPENSE"}, {"6110", "EXPENSE"}, {"6120", "EXPENSE"}, {"6130", "EXPENSE"},
                                                    {"6540", "EXPENSE"}, {"800", "CURRLIAB"},
                                                    {"814", "CURRLIAB"}};  ///< code -> Type
        std::set<std::string> taxTypes{"INPUT",          "INPUT2",         "NONE",          "ZERORATEDINPUT",
                                       "EXEMPTEXPENSES", "REVERSECHARGES", "ECACQUISITIONS"};
        std::map<std::string, std::set<std::string>> tracking{{"Project", {}}, {"Region", {"North", "South"}}};
        ///< category -> options (empty: any option)
        std::vector<Account> chart;
        std::vector<TaxRate> taxRates;
        std::vector<TrackingCategory> trackingCategories;
        std::vector<Contact> contacts;
    };
    struct Attachment {
        std::string fileName, mimeType, bytes;
    };
    struct Request {
        std::string method, target, tenant, idempotencyKey, contentType, ifModifiedSince;
        bool bearer = false;  ///< an Authorization: Bearer header was present
        std::size_t bodyBytes = 0;
        int status = 0;
    };

    XeroDouble();
    ~XeroDouble();
    XeroDouble(const XeroDouble&) = delete;
    XeroDouble& operator=(const XeroDouble&) = delete;

    /// http://127.0.0.1:<port> (the API root: /BankTransactions, /Invoices, ...)
    std::string baseUrl() const;
    int port() const;

    /// What every organisation (created on first use) knows (see Organisation).
    void setOrganisation(const Organisation& org);
    /// What `tenant` alone knows (an empty organisation beside the others, say).
    void setOrganisation(const std::string& tenant, const Organisation& org);
    /// What every organisation without its own knows, completed as setOrganisation() does.
    Organisation organisation() const;
    /// The next `count` requests get 429 with Retry-After: `retryAfterSeconds` and
    /// X-Rate-Limit-Problem: `problem` ("minute", "concurrent", "day").
    void rateLimitNext(int count, int retryAfterSeconds, const std::string& problem = "minute", bool writesOnly = false);
    /// While true, GETs with a `where` filter find no BankTransaction, Invoice or ManualJournal
    /// (a search index that lags behind): only the Idempotency-Key protects against duplicates.
    void hideFromSearch(bool hidden);
    /// X-DayLimit-Remaining starts at `calls` and counts down; at 0 every request gets 429 (day).
    void setDayLimit(int calls);
    /// X-MinLimit-Remaining starts at `calls` and counts down; at 0 requests get 429 (minute,
    /// Retry-After 60).
    void setMinuteLimit(int calls);
    /// Marks a document DELETED (as a user deleting it in Xero would).
    void deleteDocument(const std::string& tenant, const std::string& collection, const std::string& id);

    std::vector<Request> requests() const;
    /// Documents of a collection in a tenant, as JSON text in creation order.
    std::vector<std::string> documents(const std::string& tenant, const std::string& collection) const;
    std::vector<Attachment> attachments(const std::string& tenant, const std::string& id) const;
    /// How many documents a create call actually created (replays excluded), all tenants.
    int created() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace ledgerbridge::xerotest
