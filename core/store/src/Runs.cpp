// Run history: see Runs.h.
#include "ledgerbridge/store/Runs.h"


#include <functional>

namespace ledgerbridge::store {
namespace {

const char* kColumns = "id, connection, fingerprint, started_at, finished_at, outcome, dry_run, report";

RunRecord readRow(Statement& q) {
    RunRecord r;
    r.id = q.getColumn(0).getString();
    r.connection = q.getColumn(1).getString();
    r.fingerprint = q.getColumn(2).getString();
    r.startedAt = q.getColumn(3).getInt64();
    r.finishedAt = q.getColumn(4).isNull() ? 0 : q.getColumn(4).getInt64();
    r.outcome = q.getColumn(5).getString();
    r.dryRun = q.getColumn(6).getInt() != 0;
    r.reportJson = q.getColumn(7).getString();
    return r;
}

}  // namespace

std::string Runs::start(const std::string& connection, const std::string& fingerprint, bool dryRun) {
    const std::int64_t now = nowMs();
    const std::string id = newRowId("run", now);
    store_.transaction([&](Session& db) {
        Statement ins(db, "INSERT INTO runs (id, connection, fingerprint, started_at, dry_run) VALUES (?,?,?,?,?)");
        ins.bind(1, id);
        ins.bind(2, connection);
        ins.bind(3, fingerprint);
        ins.bind(4, now);
        ins.bind(5, dryRun ? 1 : 0);
        ins.exec();
    }, StateStore::Durability::ProcessCrash);
    // Not fsynced: a start is a hint until the run does something durable, and the WAL is one
    // sequence, so the run's first synced commit (its job, its finish) makes the start durable
    // with it. A power cut before then loses only the record of a run that changed nothing.
    return id;
}

void Runs::finish(const std::string& id, const std::string& outcome, const std::string& reportJson) {
    store_.transaction([&](Session& db) {
        Statement up(db, "UPDATE runs SET finished_at = ?, outcome = ?, report = ? WHERE id = ?");
        up.bind(1, nowMs());
        up.bind(2, outcome);
        up.bind(3, reportJson);
        up.bind(4, id);
        up.exec();
    });
}

std::vector<RunRecord> Runs::recent(std::size_t limit, const std::string& connection) {
    std::vector<RunRecord> out;
    store_.read([&](Session&) {
        // Cached: the service's health reading asks once per connection (ConnectionHealth.cpp).
        auto q = store_.cached(std::string("SELECT ") + kColumns + " FROM runs" +
                               (connection.empty() ? "" : " WHERE connection = ?") + " ORDER BY started_at DESC, id DESC LIMIT ?");
        int i = 1;
        if (!connection.empty()) q->bind(i++, connection);
        q->bind(i, static_cast<std::int64_t>(limit));
        while (q->executeStep()) out.push_back(readRow(*q));
    });
    return out;
}

std::optional<RunRecord> Runs::find(const std::string& id) {
    std::optional<RunRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string("SELECT ") + kColumns + " FROM runs WHERE id = ?");
        q.bind(1, id);
        if (q.executeStep()) out = readRow(q);
    });
    return out;
}

std::optional<RunRecord> Runs::latestSucceeded(const std::string& connection) {
    std::optional<RunRecord> out;
    store_.read([&](Session&) {
        auto q = store_.cached(std::string("SELECT ") + kColumns +
                               " FROM runs WHERE connection = ? AND dry_run = 0 AND finished_at IS NOT NULL"
                               " AND outcome IN ('ok', 'completed_with_errors') ORDER BY started_at DESC, id DESC LIMIT 1");
        q->bind(1, connection);
        if (q->executeStep()) out = readRow(*q);
    });
    return out;
}

std::map<std::string, std::int64_t> Runs::latestStarts() {
    std::map<std::string, std::int64_t> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT connection, MAX(started_at) FROM runs GROUP BY connection");
        while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    });
    return out;
}

std::int64_t Runs::prune(std::int64_t olderThanMs, int keepPerConnection, const std::vector<std::string>& connections,
                         int batch) {
    if (batch < 1) batch = 1;
    std::int64_t total = 0;
    // Deletes up to `batch` rows chosen by `select` (which binds its own parameters) in one
    // transaction; repeats while a batch came back full.
    const auto inBatches = [&](const std::string& select, const std::function<void(Statement&)>& bind) {
        while (true) {
            int n = 0;
            store_.transaction([&](Session& db) {
                Statement del(db, "DELETE FROM runs WHERE id IN (" + select + ")");
                bind(del);
                n = del.exec();
            }, StateStore::Durability::ProcessCrash);  // a prune lost in a power cut is simply redone
            total += n;
            if (n < batch) return;
        }
    };
    if (olderThanMs > 0) {
        // Rows are inserted in time order, so the old ones come first in rowid order and the
        // scan stops early; the newest run of each connection is kept.
        inBatches("SELECT r.id FROM runs r WHERE r.started_at < ? AND r.started_at < "
                  "(SELECT MAX(n.started_at) FROM runs n WHERE n.connection = r.connection) LIMIT ?",
                  [&](Statement& q) {
                      q.bind(1, olderThanMs);
                      q.bind(2, batch);
                  });
    }
    if (keepPerConnection > 0) {
        for (const auto& connection : connections) {
            // The index runs_by_connection (connection, started_at) serves this directly.
            inBatches("SELECT id FROM runs WHERE connection = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
                      [&](Statement& q) {
                          q.bind(1, connection);
                          q.bind(2, batch);
                          q.bind(3, keepPerConnection);
                      });
        }
    }
    return total;
}

}  // namespace ledgerbridge::store
