// The staging → production promotion records: every `ledgerbridge validate` (which plugins —
// names, versions, file hashes — and which configuration it exercised, passed or not, by whom)
// and every `ledgerbridge promote` (which validation it relied on). Production runs are allowed
// only for the plugins and configuration of a recorded promotion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct ValidationRecord {
    std::string id;
    std::string environment;
    bool passed = false;
    std::string plugins;     ///< canonical "name version sha256" lines
    std::string configHash;  ///< SHA-256 of configText
    std::string configText;  ///< the canonical, environment-independent configuration (no secrets)
    std::string details;     ///< per connection: what passed or failed
    std::string user;
    std::int64_t at = 0;
};

struct PromotionRecord {
    std::string id;
    std::string toEnvironment;
    std::string validationId;
    std::string plugins;
    std::string configHash;
    std::string user;
    std::int64_t at = 0;
};

class Promotions {
public:
    explicit Promotions(StateStore& store) : store_(store) {}

    /// Stores `v` under a new id (returned).
    std::string recordValidation(ValidationRecord v);
    /// The newest passing validation in any environment but `excluded`.
    std::optional<ValidationRecord> latestPassingValidation(const std::string& excluded);
    /// Every passing validation in any environment but `excluded`, newest first (a promotion
    /// combines per-connection passes).
    std::vector<ValidationRecord> passingValidations(const std::string& excluded);
    std::string recordPromotion(PromotionRecord p);
    /// The newest promotion to `environment`.
    std::optional<PromotionRecord> latestPromotion(const std::string& environment);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
