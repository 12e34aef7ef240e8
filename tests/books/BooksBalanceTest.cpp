// The property test of issue 13: every first-party file plugin (CSV, SIE 4, DATEV), over the
// simulator's generated data for many seeds and all its companies, writes books that an
// independent reader finds balanced, with every posted entry exactly once and its amounts.
//
// Per seed and company: the simulator's own generator makes the export items (3 % deliberately
// invalid), the host's ItemMapper maps them and sdk::validateEntry checks them as the engine
// does, the real plugin .so (loaded by the host's loader) receives them in batches of 100, the
// first batch is pushed again (nothing may change), and every file in the output folder is read
// back with the format's reader (plugins/<name>/tests/reader, no code shared with the writer).
// Then BookAudit (src/BookAudit.hpp) holds the books against the entries, and:
//  - every entry the simulator made valid is posted (a plugin may not dodge a hard entry by
//    rejecting it); every rejection names a reason and says what is wrong;
//  - every entry the simulator made invalid is rejected, by the host or the plugin.
//
// LEDGERBRIDGE_BOOKS_SEEDS (default 10) and LEDGERBRIDGE_BOOKS_ITEMS (items per company, default
// 120) raise the load; LEDGERBRIDGE_BOOKS_FIRST_SEED (default 1) moves the window;
// LEDGERBRIDGE_BOOKS_SHOW (default 25) is how many problems a failure lists in full.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include <unistd.h>

#include "BookAudit.hpp"
#include "BookFiles.hpp"
#include "Catalog.h"
#include "ItemGenerator.h"
#include "PluginHarness.hpp"
#include "ledgerbridge/export/IdempotencyKey.h"
#include "ledgerbridge/export/ItemMapper.h"
#include "ledgerbridge/testkit/BookChecks.hpp"
#include "ledgerbridge/validation.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using books::BookFormat;
using books::Problem;
using books::ProblemKind;

namespace {

constexpr int kCompanies = 3;          // wallet currencies DKK, SEK, EUR: every one the simulator has
constexpr double kInvalidRate = 0.03;  // some entries each plugin must reject, with a reason
constexpr std::size_t kBatch = 100;    // the engine's default batch size

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0' || n == 0) throw std::runtime_error(std::string(name) + "='" + v + "' is not a positive whole number");
    return n;
}

/// The idempotency key the engine gives the item (core/export).
std::string keyOf(const std::string& accountingEntryId, const std::string& itemJson) {
    return exporter::itemIdempotencyKey(itemJson, accountingEntryId, exporter::contentHash(itemJson));
}

struct PluginCase {
    std::string plugin;
    BookFormat format;
    /// Settings for a company booking in `currency`, writing into `dir`. Odd seeds also use
    /// the plugin's other formatting options (delimiter and decimal comma, dimensions, cost
    /// centres), so the readers see both ways of writing.
    std::function<books::Settings(const std::string& dir, const std::string& currency, bool variant)> settings;
};
void PrintTo(const PluginCase& c, std::ostream* os) { *os << c.plugin; }

const char* const kTaxCodes = "I25,I12,I6,RC25,E0";  // the simulator's tax codes, as a connection configures them

std::vector<PluginCase> cases() {
    return {
        {"csv", BookFormat::Csv,
         [](const std::string& dir, const std::string&, bool variant) {
             books::Settings s{{"output_dir", dir}, {"tax_codes", kTaxCodes}};
             if (variant) s.insert(s.end(), {{"delimiter", ";"}, {"decimal_separator", ","}});
             return s;
         }},
        {"sie", BookFormat::Sie,
         [](const std::string& dir, const std::string& currency, bool variant) {
             books::Settings s{{"output_dir", dir},          {"company_name", "Books Test AB"},
                               {"org_nr", "556000-0001"},    {"fiscal_year_start", "20260101"},
                               {"fiscal_year_end", "20261231"}, {"currency", currency},
                               {"tax_codes", kTaxCodes}};
             if (variant) s.insert(s.end(), {{"dimensions", "DEPT:1,PROJECT:6"}, {"kptyp", "BAS2014"}});
             return s;
         }},
        {"datev", BookFormat::Datev,
         [](const std::string& dir, const std::string& currency, bool variant) {
             books::Settings s{{"output_dir", dir},       {"beraternummer", "1001"}, {"mandantennummer", "1"},
                               {"wkz", currency},         {"bu_keys", "I25:9,I12:8,I6:8,RC25:94,E0:"}};
             if (variant) s.insert(s.end(), {{"kost1_tag_group", "DEPT"}, {"kost2_tag_group", "PROJECT"}});
             return s;
         }},
    };
}

/// Totals over a plugin's whole run, and the problems found (the first ones kept in full).
struct Tally {
    std::size_t runs = 0, entries = 0, posted = 0, rejectedByPlugin = 0, rejectedByHost = 0, documents = 0, files = 0;
    std::map<std::string, std::size_t> problemsByKind;
    std::vector<std::string> firstProblems;
    std::size_t problems = 0;
    std::size_t shown = envNumber("LEDGERBRIDGE_BOOKS_SHOW", 25);  // problems printed in full

    void add(const std::string& kind, const std::string& message) {
        ++problems;
        ++problemsByKind[kind];
        if (firstProblems.size() < shown) firstProblems.push_back("[" + kind + "] " + message);
    }
};

std::map<std::string, std::string> readTree(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        out[e.path().string()] = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

class BooksBalance : public ::testing::TestWithParam<PluginCase> {};

}  // namespace

TEST_P(BooksBalance, EveryDocumentBalancesAndEveryEntryIsWrittenOnceWithItsAmounts) {
    const PluginCase& pc = GetParam();
    if (!books::readerAvailable(pc.format))
        GTEST_SKIP() << "this build has no independent " << books::formatName(pc.format)
                     << " reader (plugins/" << pc.plugin << "/tests/reader): nothing to read the files back with";
    const std::uint64_t firstSeed = envNumber("LEDGERBRIDGE_BOOKS_FIRST_SEED", 1);
    const std::uint64_t seeds = envNumber("LEDGERBRIDGE_BOOKS_SEEDS", 10);
    const std::uint64_t items = envNumber("LEDGERBRIDGE_BOOKS_ITEMS", 120);

    books::PluginHarness plugin(pc.plugin);
    const fs::path root = fs::path(books::scratchDirectory()) / ("lb-books-" + pc.plugin + "-" + std::to_string(::getpid()));
    fs::remove_all(root);
    struct RemoveOnExit {  // also when an assertion ends the test early: /dev/shm is memory
        fs::path dir;
        ~RemoveOnExit() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{root};
    Tally t;
    const auto started = std::chrono::steady_clock::now();

    for (std::uint64_t seed = firstSeed; seed < firstSeed + seeds; ++seed) {
        lbsim::Catalog catalog(seed, kCompanies);
        lbsim::ItemGenerator generator(catalog, items, kInvalidRate);
        for (const lbsim::Company& company : catalog.companies()) {
            const std::string run = "seed " + std::to_string(seed) + ", company " + std::to_string(company.index + 1) +
                                    " (" + company.walletCurrency + ")";
            const std::string jobId = "books-" + std::to_string(seed) + "-" + std::to_string(company.index + 1);
            const fs::path dir = root / jobId;
            fs::create_directories(dir);
            ++t.runs;
            auto session = plugin.open(pc.settings(dir.string(), company.walletCurrency, seed % 2 == 1));
            books::BookAudit audit;

            // Generate, map and validate like the engine; what the host rejects never reaches the plugin.
            std::vector<sdk::Entry> entries;
            std::map<std::string, bool> invalid;  // entry id -> the simulator made it invalid
            for (std::uint64_t i = 0; i < items; ++i) {
                const lbsim::ItemRef ref{company.index, i};
                std::ostringstream json;
                generator.item(ref, "https://sim.invalid", [](const lbsim::ItemRef&, const std::string& kind) {
                    return "https://sim.invalid/files/" + kind;
                })->stringify(json);
                const std::string id = generator.accountingEntryId(ref);
                invalid[id] = generator.isInvalid(ref);
                ++t.entries;
                exporter::MappingResult m = exporter::mapItem(json.str(), jobId, keyOf(id, json.str()));
                std::optional<sdk::Outcome> rejected =
                    m.entry ? sdk::validateEntry(*m.entry) : sdk::Outcome::rejected(m.failureReason, m.message);
                if (rejected) {
                    ++t.rejectedByHost;
                    if (!invalid[id]) t.add("host rejected a valid entry", run + ": entry " + id + ": " + rejected->message);
                    audit.expectAbsent(id, "rejected by the host: " + rejected->message);
                    continue;
                }
                entries.push_back(std::move(*m.entry));
            }

            // Push in batches, as the engine does; every entry gets exactly one outcome.
            std::map<std::string, sdk::Outcome> outcomes;
            std::vector<sdk::Entry> postedEntries, rejectedEntries;  // for the kit's checks
            std::vector<std::vector<sdk::Entry>> batches;
            for (std::size_t b = 0; b < entries.size(); b += kBatch)
                batches.emplace_back(entries.begin() + static_cast<std::ptrdiff_t>(b),
                                     entries.begin() + static_cast<std::ptrdiff_t>(std::min(entries.size(), b + kBatch)));
            for (const auto& batch : batches) {
                loader::PushResult r = session->push(batch);
                ASSERT_TRUE(r.ok()) << run << ": " << r.message;
                ASSERT_EQ(r.outcomes.size(), batch.size()) << run << ": one outcome per entry";
                for (const sdk::Outcome& o : r.outcomes) {
                    ASSERT_LT(o.entryIndex, batch.size());
                    const sdk::Entry& e = batch[o.entryIndex];
                    ASSERT_TRUE(outcomes.emplace(e.accountingEntryId, o).second) << run << ": two outcomes for " << e.accountingEntryId;
                    if (o.kind == sdk::OutcomeKind::Posted) {
                        ++t.posted;
                        audit.expectPosted(e);
                        postedEntries.push_back(e);
                        if (invalid[e.accountingEntryId])
                            t.add("posted an invalid entry", run + ": entry " + e.accountingEntryId + " [" + books::describeEntry(e) + "]");
                        if (o.externalId.empty()) t.add("no external id", run + ": entry " + e.accountingEntryId);
                    } else if (o.kind == sdk::OutcomeKind::Rejected) {
                        ++t.rejectedByPlugin;
                        rejectedEntries.push_back(e);
                        audit.expectAbsent(e.accountingEntryId, "rejected by the plugin: " + o.failureReason + ": " + o.message);
                        if (o.failureReason.empty() || o.message.empty())
                            t.add("rejection without a reason", run + ": entry " + e.accountingEntryId + " ('" + o.failureReason + "', '" + o.message + "')");
                        if (!invalid[e.accountingEntryId])
                            t.add("rejected a valid entry", run + ": entry " + e.accountingEntryId + ": " + o.failureReason + ": " +
                                                                o.message + " [" + books::describeEntry(e) + "]");
                    } else {
                        t.add("neither posted nor rejected", run + ": entry " + e.accountingEntryId + ": " + o.message);
                    }
                }
            }

            // The first batch again: the same outcomes and not one byte more in the books.
            if (!batches.empty()) {
                const auto before = readTree(dir.string());
                loader::PushResult again = session->push(batches.front());
                ASSERT_TRUE(again.ok()) << run << ": " << again.message;
                for (const sdk::Outcome& o : again.outcomes) {
                    const sdk::Outcome& first = outcomes.at(batches.front().at(o.entryIndex).accountingEntryId);
                    if (o.kind != first.kind || o.externalId != first.externalId)
                        t.add("not idempotent", run + ": entry " + batches.front()[o.entryIndex].accountingEntryId +
                                                    " pushed again gave another outcome");
                }
                if (readTree(dir.string()) != before) t.add("not idempotent", run + ": pushing the first batch again changed the files");
            }
            session.reset();
            plugin.host().logLines.clear();

            // Read everything back and hold it against the entries.
            std::vector<testkit::WrittenDocument> documents;
            for (const std::string& file : books::bookFilesBelow(dir.string())) {
                const BookFormat f = books::formatOf(file);
                if (f != pc.format) t.add("unexpected", run + ": " + file + " is " + books::formatName(f) + ", not " + books::formatName(pc.format));
                auto read = audit.readFile(f, file);
                documents.insert(documents.end(), read.begin(), read.end());
            }
            for (const Problem& p : audit.check()) t.add(books::kindName(p.kind), run + ": " + p.message);
            // A second opinion: the conformance kit's own read-back checks (sdk/testkit), which
            // third parties rely on, must agree on the same documents.
            if (audit.allFilesRead()) {
                for (const auto& m : testkit::unbalancedDocuments(documents)) t.add("kit: unbalanced", run + ": " + m);
                for (const auto& m : testkit::entriesNotExactlyOnce(documents, postedEntries, rejectedEntries))
                    t.add("kit: not exactly once", run + ": " + m);
                for (const auto& m : testkit::amountsNotCarried(documents, postedEntries)) t.add("kit: amounts", run + ": " + m);
            }
            t.documents += audit.documents();
            t.files += audit.files();
            fs::remove_all(dir);
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::ostringstream summary;
    summary << "[books] " << pc.plugin << ": seeds " << firstSeed << ".." << firstSeed + seeds - 1 << " (" << seeds
            << "), companies " << kCompanies << ", entries " << t.entries << " (posted " << t.posted
            << ", rejected by the plugin " << t.rejectedByPlugin << ", by the host " << t.rejectedByHost << "), documents "
            << t.documents << " in " << t.files << " files, problems " << t.problems << " (" << static_cast<int>(seconds) << " s)";
    std::cout << summary.str() << std::endl;
    RecordProperty("summary", summary.str());

    std::string detail;
    for (const auto& [kind, n] : t.problemsByKind) detail += "  " + kind + ": " + std::to_string(n) + "\n";
    for (const auto& p : t.firstProblems) detail += "  " + p + "\n";
    EXPECT_EQ(t.problems, 0u) << pc.plugin << " wrote books that do not hold:\n" << detail;
    EXPECT_GT(t.posted, 0u);
    EXPECT_GT(t.rejectedByPlugin + t.rejectedByHost, 0u) << "the invalid entries were meant to exercise rejection";
    EXPECT_EQ(t.posted + t.rejectedByPlugin + t.rejectedByHost, t.entries) << "every entry accounted for";
}

INSTANTIATE_TEST_SUITE_P(FilePlugins, BooksBalance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<PluginCase>& p) { return p.param.plugin; });
