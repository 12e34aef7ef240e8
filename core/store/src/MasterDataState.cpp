// The master-data sync's memory and history: see MasterDataState.h.
#include "ledgerbridge/store/MasterDataState.h"



namespace ledgerbridge::store {

std::map<std::string, SyncedRecord> MasterDataState::load(const std::string& kind) {
    std::map<std::string, SyncedRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT erp_id, hash, pleo_id FROM master_data_synced "
                                "WHERE fingerprint = ? AND connection = ? AND kind = ?");
        q.bind(1, fingerprint_);
        q.bind(2, connection_);
        q.bind(3, kind);
        while (q.executeStep()) out[q.getColumn(0).getString()] = {q.getColumn(1).getString(), q.getColumn(2).getString()};
    });
    return out;
}

void MasterDataState::put(const std::string& kind, const std::string& erpId, const SyncedRecord& record) {
    // ProcessCrash durability: a lost row after a power cut costs one Pleo read-back (the
    // record is found by its external id or code), not a duplicate.
    store_.transaction(
        [&](Session&) {
            auto q = store_.cached("INSERT INTO master_data_synced "
                                   "(fingerprint, connection, kind, erp_id, hash, pleo_id, updated_at) VALUES (?,?,?,?,?,?,?) "
                                   "ON CONFLICT (fingerprint, connection, kind, erp_id) DO UPDATE SET hash = excluded.hash, "
                                   "pleo_id = excluded.pleo_id, updated_at = excluded.updated_at");
            q->bind(1, fingerprint_);
            q->bind(2, connection_);
            q->bind(3, kind);
            q->bind(4, erpId);
            q->bind(5, record.hash);
            q->bind(6, record.pleoId);
            q->bind(7, nowMs());
            q->exec();
        },
        StateStore::Durability::ProcessCrash);
}

void MasterDataState::erase(const std::string& kind, const std::string& erpId) {
    store_.transaction(
        [&](Session& db) {
            Statement q(db, "DELETE FROM master_data_synced WHERE fingerprint = ? AND connection = ? AND kind = ? AND erp_id = ?");
            q.bind(1, fingerprint_);
            q.bind(2, connection_);
            q.bind(3, kind);
            q.bind(4, erpId);
            q.exec();
        },
        StateStore::Durability::ProcessCrash);
}

namespace {

const char* kColumns = "id, connection, started_at, finished_at, outcome, full_sync, dry_run, report";

SyncRecord readRow(Statement& q) {
    SyncRecord r;
    r.id = q.getColumn(0).getString();
    r.connection = q.getColumn(1).getString();
    r.startedAt = q.getColumn(2).getInt64();
    r.finishedAt = q.getColumn(3).isNull() ? 0 : q.getColumn(3).getInt64();
    r.outcome = q.getColumn(4).getString();
    r.full = q.getColumn(5).getInt() != 0;
    r.dryRun = q.getColumn(6).getInt() != 0;
    r.reportJson = q.getColumn(7).getString();
    return r;
}

}  // namespace

std::string SyncHistory::start(const std::string& connection, const std::string& fingerprint, bool full, bool dryRun) {
    const std::int64_t now = nowMs();
    const std::string id = newRowId("sync", now);
    store_.transaction([&](Session& db) {
        Statement q(db, "INSERT INTO syncs (id, connection, fingerprint, started_at, full_sync, dry_run) VALUES (?,?,?,?,?,?)");
        q.bind(1, id);
        q.bind(2, connection);
        q.bind(3, fingerprint);
        q.bind(4, now);
        q.bind(5, full ? 1 : 0);
        q.bind(6, dryRun ? 1 : 0);
        q.exec();
    });
    return id;
}

void SyncHistory::finish(const std::string& id, const std::string& outcome, const std::string& reportJson) {
    store_.transaction([&](Session& db) {
        Statement q(db, "UPDATE syncs SET finished_at = ?, outcome = ?, report = ? WHERE id = ?");
        q.bind(1, nowMs());
        q.bind(2, outcome);
        q.bind(3, reportJson);
        q.bind(4, id);
        q.exec();
    });
}

std::vector<SyncRecord> SyncHistory::recent(std::size_t limit, const std::string& connection) {
    std::vector<SyncRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string("SELECT ") + kColumns + " FROM syncs" +
                                    (connection.empty() ? "" : " WHERE connection = ?") +
                                    " ORDER BY started_at DESC, id DESC LIMIT ?");
        int i = 1;
        if (!connection.empty()) q.bind(i++, connection);
        q.bind(i, static_cast<std::int64_t>(limit));
        while (q.executeStep()) out.push_back(readRow(q));
    });
    return out;
}

std::optional<SyncRecord> SyncHistory::lastSucceeded(const std::string& connection, const std::string& fingerprint,
                                                     bool fullOnly) {
    std::optional<SyncRecord> out;
    store_.read([&](Session&) {
        auto q = store_.cached(std::string("SELECT ") + kColumns +
                               " FROM syncs WHERE connection = ? AND fingerprint = ? AND dry_run = 0"
                               " AND outcome IN ('ok', 'completed_with_refusals')" +
                               (fullOnly ? " AND full_sync = 1" : "") + " ORDER BY started_at DESC LIMIT 1");
        q->bind(1, connection);
        q->bind(2, fingerprint);
        if (q->executeStep()) out = readRow(*q);
    });
    return out;
}

}  // namespace ledgerbridge::store
