// The Business Central plugin: each entry becomes general-journal lines in the journal batch
// reserved for ledgerbridge (one documentNumber per entry), posted at once with
// Microsoft.NAV.post. BC has no idempotency key: documents are found again by their
// documentNumber among the posted G/L entries, and lines a crash left unposted in the batch are
// deleted (If-Match with their ETag) before anything is created. Exported by Register.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "BcApi.hpp"
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
    sdk::Outcome pushOne(const sdk::Entry& entry) override;
    /// Posted when G/L entries carry the entry's documentNumber, else absent.
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts, tax groups, dimensions, dimension values, vendors (BcMasterData.cpp).
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    std::string journalPath() const { return "/journals(" + config_.journalId + ")"; }
    std::vector<sdk::Document> documentsOf(std::size_t index, const JournalDocument& doc) const;
    /// True when posted G/L entries carry `documentNumber`.
    bool posted(const std::string& documentNumber);
    /// Deletes every line left in the batch (a crashed push's, never posted), each with If-Match.
    void clearJournal();
    /// Creates the lines (and their dimension set lines) and posts the batch.
    sdk::Outcome write(const JournalDocument& doc);

    BcConfig config_;
    std::unique_ptr<BcApi> api_;
};

}  // namespace ledgerbridge::businesscentral
