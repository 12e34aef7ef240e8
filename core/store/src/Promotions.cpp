// Validation and promotion records: see Promotions.h.
#include "ledgerbridge/store/Promotions.h"

#include <Poco/Random.h>

#include <cstdio>

namespace ledgerbridge::store {

namespace {
std::string newId(const char* prefix) {
    static Poco::Random random = [] {
        Poco::Random r;
        r.seed();
        return r;
    }();
    char id[64];
    std::snprintf(id, sizeof id, "%s-%lld-%04x", prefix, static_cast<long long>(nowMs()), random.next() & 0xffffU);
    return id;
}
}  // namespace

std::string Promotions::recordValidation(ValidationRecord v) {
    v.id = newId("val");
    if (v.at == 0) v.at = nowMs();
    store_.transaction([&](Session& db) {
        Statement ins(db, "INSERT INTO validations (id, environment, passed, plugins, config_hash, config_text, details, "
                                  "\"user\", at) VALUES (?,?,?,?,?,?,?,?,?)");
        ins.bind(1, v.id);
        ins.bind(2, v.environment);
        ins.bind(3, v.passed ? 1 : 0);
        ins.bind(4, v.plugins);
        ins.bind(5, v.configHash);
        ins.bind(6, v.configText);
        ins.bind(7, v.details);
        ins.bind(8, v.user);
        ins.bind(9, v.at);
        ins.exec();
    });
    return v.id;
}

std::optional<ValidationRecord> Promotions::latestPassingValidation(const std::string& excluded) {
    std::vector<ValidationRecord> all = passingValidations(excluded);
    if (all.empty()) return std::nullopt;
    return all.front();
}

std::vector<ValidationRecord> Promotions::passingValidations(const std::string& excluded) {
    std::vector<ValidationRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT id, environment, passed, plugins, config_hash, config_text, details, \"user\", at "
                                "FROM validations WHERE passed = 1 AND environment <> ? ORDER BY at DESC, rowid DESC");
        q.bind(1, excluded);
        while (q.executeStep())
            out.push_back(ValidationRecord{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt() != 0,
                                           q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                                           q.getColumn(6).getString(), q.getColumn(7).getString(), q.getColumn(8).getInt64()});
    });
    return out;
}

std::string Promotions::recordPromotion(PromotionRecord p) {
    p.id = newId("promo");
    if (p.at == 0) p.at = nowMs();
    store_.transaction([&](Session& db) {
        Statement ins(db, "INSERT INTO promotions (id, to_environment, validation_id, plugins, config_hash, \"user\", at) "
                                  "VALUES (?,?,?,?,?,?,?)");
        ins.bind(1, p.id);
        ins.bind(2, p.toEnvironment);
        ins.bind(3, p.validationId);
        ins.bind(4, p.plugins);
        ins.bind(5, p.configHash);
        ins.bind(6, p.user);
        ins.bind(7, p.at);
        ins.exec();
    });
    return p.id;
}

std::optional<PromotionRecord> Promotions::latestPromotion(const std::string& environment) {
    std::optional<PromotionRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT id, to_environment, validation_id, plugins, config_hash, \"user\", at FROM promotions "
                                "WHERE to_environment = ? ORDER BY at DESC, rowid DESC LIMIT 1");
        q.bind(1, environment);
        if (q.executeStep())
            out = PromotionRecord{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                                  q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                                  q.getColumn(6).getInt64()};
    });
    return out;
}

}  // namespace ledgerbridge::store
