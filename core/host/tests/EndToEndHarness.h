// One end-to-end installation: the simulator (HTTPS, its own CA), a config with one
// connection to its first company exporting into the CSV plugin, a headless OAuth login, and
// helpers to create jobs, run `ledgerbridge` as a real process, and read back what Pleo (the
// simulator) and the target (the CSV files) hold.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "SimHarness.h"

namespace ledgerbridge::e2e {

using oauth::simtest::ProcessResult;

/// What Pleo says about one item of a job.
struct PleoItem {
    std::string entryId, status, externalId, failureReasonType;
    bool invalid = false;
};

/// Rows of the CSV files: entry id -> number of rows per (entry, line) key seen.
struct CsvContents {
    std::map<std::string, int> rowsPerLine;      ///< "entry/line" -> rows (1 unless duplicated)
    std::set<std::string> entries;
    std::map<std::string, std::string> fileOfEntry;
    int duplicates() const;
};

class Installation {
public:
    /// Starts a simulator with `simArgs` (plus auto-approve), writes the installation (one
    /// connection, "acme", to the first company, exporting through `plugin` with
    /// `pluginSettings` lines), logs in.
    /// `scopes`: the connection's Pleo scopes (an exporter's by default; kIntegrationScopes to
    /// sync master data too).
    explicit Installation(std::vector<std::string> simArgs, const std::string& pluginSettings = "",
                          const std::string& plugin = "csv",
                          const std::string& scopes = "export-jobs:read export-jobs:write export-items:read "
                                                      "accounting-entries:read");

    const std::string& companyId() const { return companyId_; }
    const std::string& dir() const { return inst_->dir(); }
    std::string exportsDir() const { return inst_->dir() + "/exports"; }
    oauth::simtest::Simulator& sim() { return *sim_; }

    /// A pending job of `items` ready entries (all when negative); returns its id.
    std::string createJob(int items = -1);
    /// The job's status in Pleo.
    std::string jobStatus(const std::string& jobId);
    std::vector<PleoItem> jobItems(const std::string& jobId);
    /// Requests per route the simulator has seen ("PUT /v3/export-jobs/{jobId}/items" -> n).
    std::map<std::string, std::int64_t> routeCounts();

    /// `ledgerbridge auth login --connection acme [--target] --no-browser`, the browser played
    /// headless (the simulator approves at once); returns the finished process.
    ProcessResult login(bool target = false);
    /// `ledgerbridge --config ... ARGS` to completion.
    ProcessResult ledgerbridge(std::vector<std::string> args);
    /// The argv to start it yourself (crash tests).
    std::vector<std::string> argv(std::vector<std::string> args) const;
    CsvContents csv() const;
    /// Files of the installation (config, logs, exports, state) containing `needle`, except
    /// the client-secret file itself.
    std::vector<std::string> filesContaining(const std::string& needle) const;
    static const std::string kClientSecret;

private:
    std::string redirect_;
    std::unique_ptr<oauth::simtest::Simulator> sim_;
    std::unique_ptr<oauth::simtest::Installation> inst_;
    std::string companyId_;
};

}  // namespace ledgerbridge::e2e
