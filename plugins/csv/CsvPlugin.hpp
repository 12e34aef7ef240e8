// The CSV plugin: validates entries, writes each export job's entries to its own CSV file (one
// row per line), never twice, and finds them again for lookup. Exported by Register.cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "CsvFile.hpp"
#include "CsvSettings.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::csv {

class CsvPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return csvManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory exists and is writable (access(2)).
    void check() override;
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// Groups the batch by export job; per job one atomic rewrite adding the new entries.
    /// Entries already in the file are reported POSTED again with the same external id.
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;

private:
    std::string pathFor(const std::string& jobId) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;

    CsvFile& openFile(const std::string& path);
    CsvConfig config_;
    std::map<std::string, CsvFile> files_;  ///< job files seen by this session
};

}  // namespace ledgerbridge::csv
