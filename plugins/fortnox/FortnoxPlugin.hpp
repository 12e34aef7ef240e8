// The Fortnox plugin: each Pleo entry becomes one balanced voucher (POST /3/vouchers) in the
// configured series, its receipts uploaded to the inbox (POST /3/inbox) and connected to the
// voucher (POST /3/voucherfileconnections). Fortnox has no idempotency key: the voucher
// Description ends with "[pleo:<entry id>]" and lookup searches the series' vouchers of the
// entry's date for it. Exported by Register.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "FortnoxApi.hpp"
#include "FortnoxMasterData.hpp"
#include "FortnoxSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::fortnox {

/// A voucher's identity: series, number, financial year.
struct VoucherId {
    std::string series, number, year;
    std::string text() const { return series + "-" + number + "/" + year; }  ///< "A-12/3"
};

class FortnoxPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return fortnoxManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// GET /3/voucherseries/{series}: credentials, scopes and the series. Writes nothing.
    void check() override;
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    /// Searches the series' vouchers of the entry's date for its marker; finishes the receipts.
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts, cost centres and projects (dimensions and values), suppliers (FortnoxMasterData).
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    std::vector<sdk::Document> documentsOf(std::size_t index, const sdk::Entry& entry) const;
    sdk::Outcome pushOneEntry(const sdk::Entry& entry);
    std::optional<VoucherId> findVoucher(const sdk::Entry& entry);
    /// Uploads and connects the receipts not yet connected, remembers the voucher; posted.
    sdk::Outcome finish(const sdk::Entry& entry, const VoucherId& id);
    std::string attachReceipts(const sdk::Entry& entry, const VoucherId& id);
    /// Plugin state that may fail without failing the push: a failure is a warning, and the
    /// marker search still finds the voucher (receipts may then be connected again).
    void remember(const std::string& key, const std::string& value) const;
    std::optional<std::string> remembered(const std::string& key) const;

    FortnoxConfig config_;
    std::unique_ptr<FortnoxApi> api_;
    std::unique_ptr<FortnoxMasterData> masterData_;
};

}  // namespace ledgerbridge::fortnox
