// Pleo's copy of the ERP's master data, per company: chart of accounts, tax codes, tag groups
// and tags, vendors. Seeded from the Catalog (what Pleo holds before any sync); integrations
// create, update and archive records through the public APIs; the admin API shows the result.
#pragma once

#include <string>

namespace lbsim {

class MasterData {
public:
    /// The id of the tag group a catalogue tag's groupCode names (stable per company).
    std::string tagGroupIdOf(int company, const std::string& groupCode) const;
};

}  // namespace lbsim
