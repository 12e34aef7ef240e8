// The SIE plugin: validates entries, appends one #VER per entry to one SIE 4I file per export
// job (never twice: the file is read back first), and finds them again for lookup.
// Exported by Register.cpp.
#pragma once

#include <string>
#include <vector>

#include "SieSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sie {

class SiePlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return sieManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory is writable.
    void check() override;
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;

private:
    /// <output_dir>/<file_prefix><job id>.se
    std::string pathFor(const std::string& jobId) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;
    /// CP437 bytes of `text`, logging a warning when characters were replaced.
    std::string encode(const std::string& text, const std::string& what) const;

    SieConfig config_;
};

}  // namespace ledgerbridge::sie
