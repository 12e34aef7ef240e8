// OAuth grant persistence: see Grants.h.
#include "ledgerbridge/store/Grants.h"


namespace ledgerbridge::store {
namespace {

const char* kColumns =
    "connection, fingerprint, kind, subject, scopes, client_id, access_token, refresh_token, access_expires_at, "
    "obtained_at, last_refresh_at, generation, needs_reauth, reauth_reason";


GrantRecord readRow(Statement& q) {
    GrantRecord g;
    g.connection = q.getColumn(0).getString();
    g.fingerprint = q.getColumn(1).getString();
    g.kind = q.getColumn(2).getString();
    g.subject = q.getColumn(3).getString();
    g.scopes = q.getColumn(4).getString();
    g.clientId = q.getColumn(5).getString();
    g.accessToken = q.getColumn(6).getBlob();
    g.refreshToken = q.getColumn(7).getBlob();
    g.accessExpiresAt = q.getColumn(8).getInt64();
    g.obtainedAt = q.getColumn(9).getInt64();
    g.lastRefreshAt = q.getColumn(10).getInt64();
    g.generation = q.getColumn(11).getInt64();
    g.needsReauth = q.getColumn(12).getInt() != 0;
    g.reauthReason = q.getColumn(13).getString();
    return g;
}

void bindBlob(Statement& s, int index, const std::string& bytes) {
    if (bytes.empty())
        s.bind(index);
    else
        s.bindBlob(index, bytes);
}

}  // namespace

std::optional<GrantRecord> Grants::find(const std::string& connection, const std::string& fingerprint,
                                        const std::string& kind) {
    std::optional<GrantRecord> out;
    store_.read([&](Session&) {
        // Cached: the service's health reading asks once per connection (ConnectionHealth.cpp).
        auto q = store_.cached(std::string("SELECT ") + kColumns +
                               " FROM grants WHERE connection = ? AND fingerprint = ? AND kind = ?");
        q->bind(1, connection);
        q->bind(2, fingerprint);
        q->bind(3, kind);
        if (q->executeStep()) out = readRow(*q);
    });
    return out;
}

std::vector<GrantRecord> Grants::findAnyEnvironment(const std::string& connection, const std::string& kind) {
    std::vector<GrantRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string("SELECT ") + kColumns + " FROM grants WHERE connection = ? AND kind = ?");
        q.bind(1, connection);
        q.bind(2, kind);
        while (q.executeStep()) out.push_back(readRow(q));
    });
    return out;
}

void Grants::put(const GrantRecord& g) {
    store_.transaction([&](Session& db) {
        Statement prev(db, "SELECT generation FROM grants WHERE connection = ? AND fingerprint = ? AND kind = ?");
        prev.bind(1, g.connection);
        prev.bind(2, g.fingerprint);
        prev.bind(3, g.kind);
        std::int64_t generation = prev.executeStep() ? prev.getColumn(0).getInt64() + 1 : 1;
        // A new login replaces the whole grant (needs_reauth cleared).
        Statement up(db, std::string("INSERT INTO grants (") + kColumns +
                                     ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,NULL) "
                                     "ON CONFLICT (connection, fingerprint, kind) DO UPDATE SET subject = excluded.subject, "
                                     "scopes = excluded.scopes, client_id = excluded.client_id, "
                                     "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
                                     "access_expires_at = excluded.access_expires_at, obtained_at = excluded.obtained_at, "
                                     "last_refresh_at = excluded.last_refresh_at, generation = excluded.generation, "
                                     "needs_reauth = 0, reauth_reason = NULL");
        up.bind(1, g.connection);
        up.bind(2, g.fingerprint);
        up.bind(3, g.kind);
        up.bind(4, g.subject);
        up.bind(5, g.scopes);
        up.bind(6, g.clientId);
        bindBlob(up, 7, g.accessToken);
        bindBlob(up, 8, g.refreshToken);
        up.bind(9, g.accessExpiresAt);
        up.bind(10, g.obtainedAt);
        up.bind(11, g.lastRefreshAt);
        up.bind(12, generation);
        up.exec();
    });
}

bool Grants::commitRefresh(const GrantRecord& g, std::int64_t expectedGeneration) {
    bool ok = false;
    store_.transaction([&](Session& db) {
        Statement up(db,
                             "UPDATE grants SET access_token = ?, refresh_token = ?, access_expires_at = ?, scopes = ?, "
                             "last_refresh_at = ?, generation = generation + 1 "
                             "WHERE connection = ? AND fingerprint = ? AND kind = ? AND generation = ? AND needs_reauth = 0");
        bindBlob(up, 1, g.accessToken);
        bindBlob(up, 2, g.refreshToken);
        up.bind(3, g.accessExpiresAt);
        up.bind(4, g.scopes);
        up.bind(5, g.lastRefreshAt);
        up.bind(6, g.connection);
        up.bind(7, g.fingerprint);
        up.bind(8, g.kind);
        up.bind(9, expectedGeneration);
        ok = up.exec() == 1;
    });
    return ok;
}

void Grants::markNeedsReauth(const std::string& connection, const std::string& fingerprint, const std::string& kind,
                             const std::string& reason) {
    store_.transaction([&](Session& db) {
        Statement up(db,
                             "UPDATE grants SET needs_reauth = 1, reauth_reason = ?, access_token = NULL, "
                             "refresh_token = NULL, generation = generation + 1 "
                             "WHERE connection = ? AND fingerprint = ? AND kind = ?");
        up.bind(1, reason);
        up.bind(2, connection);
        up.bind(3, fingerprint);
        up.bind(4, kind);
        up.exec();
    });
}

bool Grants::erase(const std::string& connection, const std::string& fingerprint, const std::string& kind) {
    bool existed = false;
    store_.transaction([&](Session& db) {
        Statement del(db, "DELETE FROM grants WHERE connection = ? AND fingerprint = ? AND kind = ?");
        del.bind(1, connection);
        del.bind(2, fingerprint);
        del.bind(3, kind);
        existed = del.exec() > 0;
    });
    return existed;
}

}  // namespace ledgerbridge::store
