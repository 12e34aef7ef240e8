// The SIE plugin: validates and maps entries, appends one #VER per entry to one SIE 4I file
// per export job, and finds what it wrote in the files of its output directory (by accounting
// entry id, else by idempotency key) for push, plan and lookup alike. Exported by Register.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "SieIndex.hpp"
#include "SieSettings.hpp"
#include "ledgerbridge/master_data_files.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sie {

class SiePlugin : public sdk::Plugin {
public:
    static sdk::Manifest manifest() { return sieManifest(); }

    void configure(const sdk::Settings& settings) override;
    /// Writes nothing: verifies the output directory is writable.
    void check() override;
    /// Dry run, documents only (the rejections of planBatch left out).
    std::vector<sdk::Document> plan(const std::vector<sdk::Entry>& batch) override;
    /// Dry run through the same steps as push: each entry yields the #VER block push would
    /// append, or push's rejection; an entry already written (or twice in the batch) yields an
    /// empty document whose action says where it already is.
    void planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) override;
    void push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;
    /// Accounts, dimensions and dimension values from `master_data_file`; tax codes and
    /// suppliers are unsupported (an SIE file has no register of either), as is every kind
    /// without the setting.
    sdk::MasterDataPage readMasterData(const sdk::MasterDataRequest& request) override;

private:
    /// An entry ready to write: its #VER block and the declarations its objects need (CP437).
    struct Prepared {
        std::string records;
        std::vector<std::string> declarations;
    };
    /// The one path from entry to bytes, shared by push and the dry run: mapping, encoding,
    /// then the balance check on the exact bytes. A rejection when the entry cannot be written.
    std::variant<Prepared, sdk::Outcome> prepare(const sdk::Entry& entry) const;

    /// What a batch would do, in entry order: a rejection, an entry already written (the file
    /// holding it), or new records for the job file. Shared by push and the dry run.
    struct Step {
        std::size_t index = 0;
        std::optional<sdk::Outcome> rejected;
        std::string path;       ///< the file the entry is (or will be) in
        bool written = false;   ///< already in `path` before this batch
        bool repeat = false;    ///< an entry id seen earlier in this batch
        std::optional<Prepared> prepared;
    };
    std::vector<Step> steps(const std::vector<sdk::Entry>& batch);

    /// <output_dir>/<file_prefix><job id>.se
    std::string pathFor(const std::string& jobId) const;
    sdk::Outcome posted(const std::string& path, const sdk::Entry& entry) const;
    /// CP437 bytes of `text`, logging a warning when characters were replaced.
    std::string encode(const std::string& text, const std::string& what) const;
    /// The head records of a new file.
    std::string head() const;

    /// Once per configuration, before the first write: removes this plugin's own temp files that
    /// a killed process left in the output directory (sdk::removeStaleTempFiles), logging them.
    void removeStaleTempFiles();
    bool staleTempFilesRemoved_ = false;
    SieConfig config_;
    sdk::MasterDataFilePager masterData_;
    std::optional<SieIndex> index_;
};

}  // namespace ledgerbridge::sie
