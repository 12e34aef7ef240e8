// The Business Central plugin. mode=journal (here): each entry becomes general-journal lines in the journal batch
// reserved for ledgerbridge (one documentNumber per entry), posted at once with
// Microsoft.NAV.post. BC has no idempotency key: documents are found again by their
// documentNumber among the posted G/L entries, and lines a crash left unposted in the batch are
// deleted (If-Match with their ETag) before anything is created. mode=purchase_invoice hands
// push, lookup and the dry run to BcInvoiceExport. Exported by Register.cpp.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "BcApi.hpp"
#include "BcInvoiceExport.hpp"
#include "BcJournal.hpp"
#include "BcSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::businesscentral {

class BcPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return bcManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// GET the company and the journal batch: credentials, tenant, environment, ids. Writes nothing.
    void check() override;
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// The dry run: journalOf()'s checks reject exactly what push would.
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    /// Looks every entry of the batch up in one $batch (G/L entries by documentNumber, at most
    /// 100 per $batch), then writes those not posted, one at a time.
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome pushOne(const sdk::Entry& entry) override;
    /// Posted when G/L entries carry the entry's documentNumber, else absent.
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts, tax groups, dimensions, dimension values, vendors (BcMasterData.cpp).
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    /// Purchase-invoice mode and not a refund: the entry is a purchase invoice. (A refund, a
    /// negative total, is journal lines against the vendor: BC posts no negative invoice.)
    bool asInvoice(const sdk::Entry& entry) const { return invoices_ && entry.totalWallet.minor >= 0; }
    sdk::Outcome journalPushOne(const sdk::Entry& entry);
    std::string journalPath() const { return "/journals(" + config_.journalId + ")"; }
    std::vector<sdk::Document> documentsOf(std::size_t index, const JournalDocument& doc,
                                           const std::vector<sdk::Receipt>& receipts) const;
    /// The dry run's documents of `entry` in the configured mode; throws Rejected.
    std::vector<sdk::Document> documentsOf(std::size_t index, const sdk::Entry& entry) const;
    /// True when posted G/L entries carry `documentNumber`.
    bool posted(const std::string& documentNumber);
    /// The document numbers among `numbers` that posted G/L entries carry ($batch of GETs).
    std::set<std::string> postedAmong(const std::vector<std::string>& numbers);
    /// pushOne() once the lookup is done: `alreadyPosted` says whether G/L entries carry it.
    sdk::Outcome pushLookedUp(const sdk::Entry& entry, bool alreadyPosted);
    /// Deletes every line left in the batch (a crashed push's, never posted), each with If-Match.
    void clearJournal();
    /// Creates the lines (and their dimension set lines), attaches the receipts to the first
    /// line, and posts the batch.
    sdk::Outcome write(const JournalDocument& doc, const std::vector<sdk::Receipt>& receipts);

    BcConfig config_;
    /// The batch may hold lines no post or clean-up of this push removed (a crashed push's, or
    /// one stopped by a 429): clear it before writing. A successful post or clean-up empties it.
    bool journalMayHoldLines_ = true;
    std::unique_ptr<BcApi> api_;
    std::unique_ptr<BcInvoiceExport> invoices_;  ///< mode=purchase_invoice only
};

}  // namespace ledgerbridge::businesscentral
