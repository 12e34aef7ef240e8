// The Xero plugin: card expenses become SPEND bank transactions, reimbursable ones ACCPAY bills
// (or manual journals), created in batches of up to 50 with an Idempotency-Key and
// summarizeErrors=false, receipts uploaded as attachments; documents are found again by their
// reference, the Pleo accounting entry id (never by the idempotency key alone, so a new key or
// a lost state directory cannot create a second document). Exported by Register.cpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "XeroApi.hpp"
#include "XeroDocuments.hpp"
#include "XeroMasterData.hpp"
#include "XeroSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::xero {

class XeroPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return xeroManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// GET /Organisation and the bank account: credentials, tenant and settings. Writes nothing.
    void check() override;
    /// The create bodies (one per entry) and the attachment uploads push would send. No I/O
    /// except reading the receipts.
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// The dry run: push's checks (the balance of each document last) reject exactly what push
    /// would; the other entries get the documents plan() shows.
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    /// Asks Xero for a live (not deleted or voided) document with the entry's reference.
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts, tax rates, tracking categories and options, supplier contacts (XeroMasterData).
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    struct Pending {
        std::size_t index;
        const sdk::Entry* entry;
        std::string json;
    };
    class Reporter;

    /// The create body and attachment uploads of one entry that passed checkEntry().
    std::vector<sdk::Document> documentsOf(std::size_t index, const sdk::Entry& entry) const;

    /// reference -> the live document holding it, asked in groups of 25 references.
    std::map<std::string, ElementResult> findExisting(DocKind kind, const std::vector<std::string>& references);
    /// One create call for `chunk`; reports every entry of it.
    void create(DocKind kind, const std::vector<Pending>& chunk, Reporter& report);
    /// Uploads the receipts (unless the document has attachments already), remembers the
    /// document and returns the posted outcome.
    sdk::Outcome finish(DocKind kind, const sdk::Entry& entry, const std::string& guid, bool hasAttachments);
    /// Problems of the uploads, "" when every receipt was attached.
    std::string uploadReceipts(DocKind kind, const sdk::Entry& entry, const std::string& guid);
    void remember(DocKind kind, const sdk::Entry& entry, const std::string& guid) const;
    std::optional<std::string> remembered(DocKind kind, const sdk::Entry& entry) const;

    XeroConfig config_;
    std::unique_ptr<XeroApi> api_;
    std::unique_ptr<XeroMasterData> masterData_;
};

}  // namespace ledgerbridge::xero
