// The DATEV plugin: validates entries, appends their bookings to one EXTF file per export job
// and month (never twice: the file is read back first), and finds them again for lookup.
// Exported by Register.cpp.
#pragma once

#include <string>
#include <vector>

#include "DatevSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::datev {

class DatevPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return datevManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory is writable.
    void check() override;
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;

private:
    /// Rejection for an entry that cannot be written, nullopt when it can.
    std::optional<sdk::Outcome> rejection(const sdk::Entry& entry) const;
    /// The entry's file: <output_dir>/EXTF_<job>_<YYYYMM>.csv. Precondition: valid date.
    std::string pathFor(const sdk::Entry& entry) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;
    /// The Windows-1252 bytes of `text`, logging a warning when characters were replaced.
    std::string encode(const std::string& text, const std::string& what) const;

    DatevConfig config_;
};

}  // namespace ledgerbridge::datev
