// The CSV plugin: validates entries, checks that each entry's rows balance, writes each export
// job's entries to its own CSV file (one row per line), never twice — not even when an entry
// comes again in another job or with another idempotency key — and finds them again for lookup.
// Exported by Register.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "CsvFile.hpp"
#include "CsvSettings.hpp"
#include "ledgerbridge/master_data_files.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::csv {

class CsvPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return csvManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory exists and is writable (access(2)).
    void check() override;
    /// The rows push would append, per entry it would write (see decide()).
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// The dry run: per entry the rows push would append, or push's rejection (same decide()).
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    /// Groups the batch by export job; per job one durable append of the new entries.
    /// Entries already written (in any job file of the directory) are reported POSTED again
    /// with the external id of the file that holds them.
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    /// POSTED when any job file of the output directory holds the entry's id, else ABSENT.
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// One kind from its file in master_data_dir (CsvMasterData.hpp); a kind whose file is
    /// absent, or every kind without the setting, is unsupported.
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    /// What push does with one entry of a batch; plan shows the same.
    struct Decision {
        enum class Kind { Reject, Written, Write } kind = Kind::Reject;
        sdk::Outcome rejection;  ///< Reject
        std::string path;        ///< Written: the file holding it; Write: its job's file
        std::string records;     ///< Write: the rows to append
    };
    /// One code path for push and the dry run: the SDK's validation, the balance check on the
    /// exact row amounts, then where (if anywhere) the entry was written before.
    std::vector<Decision> decide(const std::vector<sdk::Entry>& batch);

    std::string pathFor(const std::string& jobId) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;

    /// The file of this session's cache, (re)loaded when it changed on disk.
    CsvFile& openFile(const std::string& path);
    /// The job file holding `entryId` (own job's file first, then every other job file of the
    /// output directory, re-listed at most once per call when the id is not found in the cache).
    std::optional<std::string> whereWritten(const std::string& entryId, const std::string& ownPath, bool& rescanned);
    /// The same, in the job files other than `ownPath` only.
    std::optional<std::string> inOtherFile(const std::string& entryId, const std::string& ownPath, bool& rescanned);
    /// Loads every job file of the output directory that is new or changed since last seen.
    void rescanDirectory();

    /// Once per configuration, before the first write: removes this plugin's own temp files that
    /// a killed process left in the output directory (sdk::removeStaleTempFiles), logging them.
    void removeStaleTempFiles();
    bool staleTempFilesRemoved_ = false;
    CsvConfig config_;
    sdk::MasterDataFilePager masterData_;
    std::map<std::string, CsvFile> files_;  ///< job files seen by this session
};

}  // namespace ledgerbridge::csv
