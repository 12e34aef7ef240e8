// Issue 13, "a fresh state directory after a partly finished export -> zero duplicates in every
// first-party plugin": the real `ledgerbridge` process and simulator (HTTPS), per file plugin.
//
//  1. A job of 300 entries; the run is killed (LEDGERBRIDGE_CRASH_AT=export:pushed#1) right
//     after the plugin wrote the first batch, before Pleo heard of it.
//  2. The state directory is lost (deleted; the output folder stays, as a restored backup of
//     the state or a new machine would leave it).
//  3. Nobody comes back for two hours: Pleo expires the job, and the user exports again. The
//     new job holds all 300 entries, the first batch included (Pleo never heard it was exported).
//  4. `auth login` again (the credentials were in the state), `run` to the end.
// Then every file is read back with its format's independent reader: every entry of the job is
// written exactly once, and Pleo holds every one as successful.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "BookFiles.hpp"
#include "EndToEndHarness.h"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {

constexpr int kItems = 300;

struct FilePlugin {
    std::string name, settings;
    books::BookFormat format;
};
void PrintTo(const FilePlugin& p, std::ostream* os) { *os << p.name; }

/// `ledgerbridge auth login` for the installation's connection, playing the browser.
void loginAgain(Installation& inst) {
    auto done = inst.login();
    ASSERT_EQ(done.exitCode, 0) << "auth login failed: " << done.err;
}

books::Bookings readBooks(const std::string& dir) { return books::readBookings({dir}); }

class FreshState : public ::testing::TestWithParam<FilePlugin> {};

}  // namespace

TEST_P(FreshState, APartlyExportedJobAfterTheStateIsLostIsWrittenExactlyOnce) {
    const FilePlugin& p = GetParam();
    if (!books::readerAvailable(p.format))
        GTEST_SKIP() << "this build has no independent " << books::formatName(p.format) << " reader";
    Installation inst({"--items", std::to_string(kItems)}, p.settings, p.name);
    const std::string first = inst.createJob();

    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:pushed#1"}});
    ASSERT_NE(crashed.exitCode, 0) << "the crash hook did not fire: " << crashed.out << crashed.err;
    books::Bookings partial = readBooks(inst.exportsDir());
    ASSERT_EQ(partial.formatErrors, std::vector<std::string>{}) << "the files break their format's rules";
    ASSERT_GT(partial.bookings.size(), 0u) << "the first batch should be in the target before the state is lost";
    ASSERT_LT(partial.bookings.size(), static_cast<std::size_t>(kItems)) << "the export should be only partly done";

    fs::remove_all(inst.dir() + "/state");
    inst.sim().admin("POST", "/admin/clock/advance", "{\"seconds\":7200}");
    ASSERT_NE(inst.jobStatus(first), "in_progress") << "the first job should have expired";
    const std::string second = inst.createJob();
    ASSERT_EQ(inst.jobItems(second).size(), static_cast<std::size_t>(kItems))
        << "every entry, the first batch included, should come back in the new job";

    loginAgain(inst);
    auto r = inst.ledgerbridge({"run"});
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;

    books::Bookings books = readBooks(inst.exportsDir());
    EXPECT_EQ(books.formatErrors, std::vector<std::string>{}) << "the files break their format's rules";
    std::size_t duplicated = 0;
    std::string examples;
    for (const auto& [id, where] : books.bookings) {
        if (where.size() == 1) continue;
        ++duplicated;
        if (duplicated <= 5) examples += "\n  " + id + " at " + where[0] + " and " + where[1];
    }
    std::size_t successful = 0, missing = 0;
    for (const auto& item : inst.jobItems(second)) {
        if (item.status != "successful") continue;
        ++successful;
        missing += books.bookings.count(item.entryId) ? 0 : 1;
    }
    std::cout << "[books] " << p.name << ": fresh state after " << partial.bookings.size() << " of " << kItems
              << " entries: " << books.bookings.size() << " entries in " << books.files << " files, " << duplicated
              << " written twice, " << successful << " successful in Pleo" << std::endl;
    EXPECT_EQ(duplicated, 0u) << p.name << " wrote entries again after the state was lost:" << examples;
    EXPECT_EQ(successful, static_cast<std::size_t>(kItems));
    EXPECT_EQ(missing, 0u) << "entries successful in Pleo but in no file";
    EXPECT_EQ(books.bookings.size(), static_cast<std::size_t>(kItems));
}

INSTANTIATE_TEST_SUITE_P(
    FilePlugins, FreshState,
    ::testing::Values(
        FilePlugin{"csv", "", books::BookFormat::Csv},
        FilePlugin{"sie",
                   "setting.company_name = Demo AB\nsetting.org_nr = 556000-0001\nsetting.fiscal_year_start = 20260101\n"
                   "setting.fiscal_year_end = 20261231\nsetting.currency = DKK\n",
                   books::BookFormat::Sie},
        FilePlugin{"datev",
                   "setting.beraternummer = 1001\nsetting.mandantennummer = 1\nsetting.wkz = DKK\n"
                   "setting.bu_keys = I25:9,I12:8,I6:8,RC25:94,E0:\n",
                   books::BookFormat::Datev}),
    [](const ::testing::TestParamInfo<FilePlugin>& param) { return param.param.name; });
