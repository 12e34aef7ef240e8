// Run requests between replicas: see RunRequests.h.
#include "ledgerbridge/store/RunRequests.h"

namespace ledgerbridge::store {

void RunRequests::record(const std::string& connection, const std::string& lease, const std::string& reason) {
    store_.transaction([&](Session& db) {
        Statement ins(db, "INSERT INTO run_requests (connection, lease, reason, requested_at) VALUES (?,?,?,?) "
                          "ON CONFLICT(connection) DO NOTHING");
        ins.bind(1, connection);
        ins.bind(2, lease);
        ins.bind(3, reason);
        ins.bind(4, nowMs());
        ins.exec();
    });
}

std::vector<RunRequest> RunRequests::actionable(const std::string& holder) {
    std::vector<RunRequest> out;
    store_.read([&](Session&) {
        // Reads only the waiting requests (usually none) and, for each, its lease by primary key.
        auto q = store_.cached("SELECT r.connection, r.reason, r.requested_at FROM run_requests r "
                               "LEFT JOIN leases l ON l.name = r.lease "
                               "WHERE l.name IS NULL OR l.expires_at <= ? OR l.holder = ? "
                               "ORDER BY r.requested_at, r.connection");
        q->bind(1, nowMs());
        q->bind(2, holder);
        while (q->executeStep())
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getString(), q->getColumn(2).getInt64()});
    });
    return out;
}

void RunRequests::clear(const std::string& connection) {
    store_.transaction([&](Session& db) {
        Statement del(db, "DELETE FROM run_requests WHERE connection = ?");
        del.bind(1, connection);
        del.exec();
    }, StateStore::Durability::ProcessCrash);
}

}  // namespace ledgerbridge::store
