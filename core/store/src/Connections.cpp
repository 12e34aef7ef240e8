// Connection bindings: see Connections.h.
#include "ledgerbridge/store/Connections.h"


namespace ledgerbridge::store {

void Connections::bind(const ConnectionBinding& b) {
    store_.transaction([&](Session& db) {
        Statement ins(db, "INSERT INTO connections (name, fingerprint, environment, described_as, "
                                  "company_id, plugin, created_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
        ins.bind(1, b.name);
        ins.bind(2, b.fingerprint);
        ins.bind(3, b.environment);
        ins.bind(4, b.describedAs);
        ins.bind(5, b.companyId);
        ins.bind(6, b.plugin);
        ins.bind(7, nowMs());
        ins.exec();
    });
}

std::vector<ConnectionBinding> Connections::bindings(const std::string& name) {
    std::vector<ConnectionBinding> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT name, fingerprint, environment, described_as, company_id, plugin, created_at "
                                "FROM connections WHERE name = ? ORDER BY created_at, fingerprint");
        q.bind(1, name);
        while (q.executeStep()) {
            ConnectionBinding b;
            b.name = q.getColumn(0).getString();
            b.fingerprint = q.getColumn(1).getString();
            b.environment = q.getColumn(2).getString();
            b.describedAs = q.getColumn(3).getString();
            b.companyId = q.getColumn(4).getString();
            b.plugin = q.getColumn(5).getString();
            b.createdAt = q.getColumn(6).getInt64();
            out.push_back(b);
        }
    });
    return out;
}

std::vector<std::string> Connections::fingerprintsWithin(const std::string& name, const std::string& pleoFingerprint,
                                                     const std::string& pleoDescription) {
    std::vector<std::string> out{pleoFingerprint};
    for (const auto& b : bindings(name))
        if (b.fingerprint != pleoFingerprint && b.describedAs.rfind(pleoDescription + ", ", 0) == 0)
            out.push_back(b.fingerprint);
    return out;
}

void Connections::forget(const std::string& name, const std::string& fingerprint) {
    store_.transaction([&](Session& db) {
        for (const char* sql : {"DELETE FROM connections WHERE name = ? AND fingerprint = ?",
                                "DELETE FROM grants WHERE connection = ? AND fingerprint = ?"}) {
            Statement del(db, sql);
            del.bind(1, name);
            del.bind(2, fingerprint);
            del.exec();
        }
    });
}

}  // namespace ledgerbridge::store
