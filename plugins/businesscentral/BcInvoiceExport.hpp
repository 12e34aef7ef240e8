// mode=purchase_invoice: each entry becomes a purchase invoice, created as a draft
// (purchaseInvoices, then its purchaseInvoiceLines and their dimensionSetLines), its receipts
// attached, then posted with purchaseInvoices({id})/Microsoft.NAV.post. BC has no idempotency
// key: the invoice carries the entry's key (documentNumberOf) in vendorInvoiceNumber, and a
// lookup by it finds the invoice drafted or posted (v2.0 keeps a posted invoice's id and lists it
// with status Open/Paid). A draft an interrupted push left is completed (its lines replaced,
// missing receipts attached) and posted, never created a second time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "BcApi.hpp"
#include "BcInvoice.hpp"
#include "BcSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::businesscentral {

class BcInvoiceExport {
public:
    BcInvoiceExport(const sdk::Host& host, BcApi& api, const BcConfig& config) : host_(host), api_(api), config_(config) {}

    /// Looks every entry up in $batches (by vendorInvoiceNumber), then writes or completes those
    /// not posted, one at a time.
    void push(const std::vector<sdk::Entry>& batch, const std::function<void(std::size_t, sdk::Outcome)>& report);
    sdk::Outcome pushOne(const sdk::Entry& entry);
    /// Posted when a posted invoice carries the entry's key; absent otherwise (a draft is not in
    /// the books: the next push completes it).
    sdk::Outcome lookup(const sdk::Entry& entry);
    /// The dry run's documents of `doc`.
    std::vector<sdk::Document> documentsOf(std::size_t index, const InvoiceDocument& doc,
                                           const std::vector<sdk::Receipt>& receipts) const;

    /// What a lookup found under one vendorInvoiceNumber.
    struct Found {
        std::string id, etag, status;  ///< status "" = no invoice
        bool pricesIncludeTax = false; ///< from the vendor card: unitCost is gross
        bool posted() const { return !status.empty() && status != "Draft" && status != "In Review"; }
    };

private:
    std::vector<Found> find(const std::vector<std::string>& numbers);
    sdk::Outcome pushFound(const sdk::Entry& entry, const Found& found);
    sdk::Outcome write(InvoiceDocument doc, const std::vector<sdk::Receipt>& receipts, Found draft);
    /// Deletes every line of draft `id` (If-Match with each line's ETag, read again on 412).
    void clearLines(const std::string& id);
    /// Deletes draft `id` (after a refusal), If-Match with its current ETag.
    void deleteDraft(const std::string& id);

    const sdk::Host& host_;
    BcApi& api_;
    const BcConfig& config_;
};

}  // namespace ledgerbridge::businesscentral
