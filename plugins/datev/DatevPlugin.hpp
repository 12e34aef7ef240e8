// The DATEV plugin: validates entries, appends their bookings to one EXTF file per export job
// and month (never twice: what the output directory's files already hold, by idempotency key
// or by accounting entry id, is not written again), and finds them again for lookup. push and
// the dry run share one decision per entry (decide), so a dry run rejects exactly what push
// rejects. Exported by Register.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "DatevDirectory.hpp"
#include "DatevSettings.hpp"
#include "ledgerbridge/master_data_files.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::datev {

class DatevPlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return datevManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory is writable.
    void check() override;
    /// Documents of the entries push would write (planBatch without the rejections).
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// Dry run: per entry, the rows push would append, or push's rejection (same decide()).
    /// Entries already in the output directory yield neither: push would write nothing.
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts from kontenbeschriftungen_file, suppliers from debitoren_kreditoren_file
    /// (DatevMasterData.hpp); tax codes and dimensions are unsupported, as is a kind whose
    /// setting names no file.
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    /// What push would do with one entry of a batch.
    struct Decision {
        enum class Kind { Reject, AlreadyWritten, Write } kind = Kind::Reject;
        sdk::Outcome rejection;  ///< Reject: the outcome push reports
        std::string path;        ///< AlreadyWritten: where it is; Write: the file it goes to
        std::string rows;        ///< Write: the booking rows (UTF-8, CRLF)
        bool repeat = false;     ///< AlreadyWritten: an earlier entry of this batch is the same one
        bool otherKey = false;   ///< AlreadyWritten: found by accounting entry id under another key
    };
    /// The one code path of push and the dry run: validation (SDK checks, DATEV's field rules),
    /// the balance check on the rows as they would be written, and the search of what the
    /// output directory already holds. Refreshes the directory index; writes nothing.
    std::vector<Decision> decide(const std::vector<sdk::Entry>& batch);
    /// Rejection for an entry that cannot be written, nullopt when it can.
    std::optional<sdk::Outcome> rejection(const sdk::Entry& entry) const;
    /// The entry's file: <output_dir>/EXTF_<job>_<YYYYMM>.csv. Precondition: valid date.
    std::string pathFor(const sdk::Entry& entry) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;
    /// The Windows-1252 bytes of `text`, logging a warning when characters were replaced.
    std::string encode(const std::string& text, const std::string& what) const;

    /// Once per configuration, before the first write: removes this plugin's own temp files that
    /// a killed process left in the output directory (sdk::removeStaleTempFiles), logging them.
    void removeStaleTempFiles();
    bool staleTempFilesRemoved_ = false;
    DatevConfig config_;
    sdk::MasterDataFilePager masterData_;
    DatevDirectory directory_;
};

}  // namespace ledgerbridge::datev
