// Conformance: master data (ABI 1.1, LB_CAP_MASTER_DATA). For every kind the plugin reads:
// page sizes 1, 2 and 1000 give the same records in the same order, each id once, the last
// page without a cursor and no cursor twice in one read; a cursor can be used again verbatim
// (also by a new instance); ids are stable across full reads; every record is well formed;
// archived records come back marked (testkit.md.expect_archived); changed_since gives a subset;
// an empty target (testkit.md.empty.<key>=<value>) is LB_OK with no records; reading writes
// nothing. A plugin without the capability answers LB_ERR_UNSUPPORTED or has no slot.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "KitSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;
using sdk::MasterKind;
using sdk::MasterRecord;

namespace {

bool declared() { return hasCapability(LB_CAP_MASTER_DATA); }
const char* const kNotDeclared = "the plugin does not declare LB_CAP_MASTER_DATA";

/// A kind no minor has defined yet (a newer host asking an older plugin).
constexpr auto kFutureKind = static_cast<MasterKind>(99);

/// No plugin needs this many pages for a test fixture; more means the cursors never end.
constexpr std::size_t kMaxPages = 100000;

/// One full read of one kind, page by page from the first.
struct Read {
    bool unsupported = false;          ///< the first page answered LB_ERR_UNSUPPORTED
    std::vector<MasterRecord> records;
    std::vector<std::size_t> pageSizes;  ///< records per page, in order
    std::string problem;               ///< a cursor given twice, a page larger than asked, no end
};

Read readAll(sdk::PluginClient& client, MasterKind kind, std::size_t pageSize, const std::string& changedSince = {}) {
    Read out;
    sdk::MasterDataRequest request;
    request.kind = kind;
    request.pageSize = pageSize;
    request.changedSince = changedSince;
    std::set<std::string> cursors;
    for (std::size_t page = 0;; ++page) {
        if (page == kMaxPages) {
            out.problem = "still a next cursor after " + std::to_string(kMaxPages) + " pages";
            return out;
        }
        sdk::MasterDataPage p;
        try {
            p = client.readMasterData(request);
        } catch (const sdk::CallFailed& e) {
            if (page > 0 || e.status() != LB_ERR_UNSUPPORTED) throw;
            out.unsupported = true;
            return out;
        }
        out.pageSizes.push_back(p.records.size());
        if (p.records.size() > pageSize && out.problem.empty())
            out.problem = "page " + std::to_string(page + 1) + " has " + std::to_string(p.records.size()) +
                          " records, page_size was " + std::to_string(pageSize);
        out.records.insert(out.records.end(), p.records.begin(), p.records.end());
        if (p.nextCursor.empty()) return out;
        if (!cursors.insert(p.nextCursor).second) {
            out.problem = "cursor loop: page " + std::to_string(page + 1) + " gave the next cursor '" + p.nextCursor +
                          "', which an earlier page of the same read gave already (the read would never end)";
            return out;
        }
        request.cursor = p.nextCursor;
    }
}

/// Every kind the plugin reads (those whose first page is not LB_ERR_UNSUPPORTED), read fully.
std::map<MasterKind, Read> readEveryKind(Instance& i, std::size_t pageSize, const std::string& changedSince = {}) {
    std::map<MasterKind, Read> out;
    for (MasterKind kind : sdk::allMasterKinds()) {
        Read r = readAll(*i.client, kind, pageSize, changedSince);
        if (!r.unsupported) out.emplace(kind, std::move(r));
    }
    return out;
}

std::vector<std::string> ids(const std::vector<MasterRecord>& records) {
    std::vector<std::string> out;
    for (const MasterRecord& r : records) out.push_back(r.id);
    return out;
}

/// "" when equal, else where the two lists first differ.
std::string difference(const std::vector<MasterRecord>& got, const std::vector<MasterRecord>& want) {
    for (std::size_t n = 0; n < got.size() && n < want.size(); ++n)
        if (got[n] != want[n])
            return "record " + std::to_string(n + 1) + ": '" + got[n].id + "' (" + got[n].name + ") where '" +
                   want[n].id + "' (" + want[n].name + ") was expected";
    if (got.size() != want.size())
        return std::to_string(got.size()) + " records where " + std::to_string(want.size()) + " were expected";
    return "";
}

/// Ids that occur more than once, with their count.
std::string duplicates(const std::vector<MasterRecord>& records) {
    std::map<std::string, int> seen;
    for (const MasterRecord& r : records) ++seen[r.id];
    std::string out;
    for (const auto& [id, count] : seen)
        if (count > 1) out += (out.empty() ? "" : ", ") + id + " x" + std::to_string(count);
    return out;
}

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        const auto b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

/// An exact decimal: digits, optionally a point and more digits ("25", "12.5", "0").
bool isDecimal(const std::string& s) {
    const auto point = s.find('.');
    const std::string whole = s.substr(0, point), fraction = point == std::string::npos ? "1" : s.substr(point + 1);
    auto digits = [](const std::string& d) { return !d.empty() && d.find_first_not_of("0123456789") == std::string::npos; };
    return digits(whole) && digits(fraction);
}

}  // namespace

TEST(MasterData, WithoutTheCapabilityEveryKindIsUnsupported) {
    if (declared()) GTEST_SKIP() << "the plugin declares LB_CAP_MASTER_DATA (the other MasterData tests check it)";
    EXPECT_FALSE(hasCapability(LB_CAP_MASTER_DATA_CHANGED_SINCE))
        << "LB_CAP_MASTER_DATA_CHANGED_SINCE without LB_CAP_MASTER_DATA";
    Instance i;
    if (!i.client->hasMasterData()) return;  // no slot (a 1.0 table, or NULL): the host never asks
    std::vector<MasterKind> kinds = sdk::allMasterKinds();
    kinds.push_back(kFutureKind);
    for (MasterKind kind : kinds) {
        try {
            const auto page = i.client->readMasterData(sdk::MasterDataRequest{kind, {}, {}, 100});
            ADD_FAILURE() << "read " << page.records.size() << " " << sdk::masterKindName(kind)
                          << " records without declaring LB_CAP_MASTER_DATA; answer LB_ERR_UNSUPPORTED";
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
        }
    }
}

TEST(MasterData, TheCapabilityComesWithTheSlotAndTheKindsItReads) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    ASSERT_TRUE(i.client->hasMasterData()) << "LB_CAP_MASTER_DATA declared, but the table (ABI 1."
                                           << pluginApi()->abi_minor << ") has no read_master_data slot";
    const auto kinds = readEveryKind(i, 1000);
    EXPECT_FALSE(kinds.empty()) << "LB_CAP_MASTER_DATA declared, but every kind answers LB_ERR_UNSUPPORTED";
    const std::string listed = kitOption("md.kinds", "");
    if (listed.empty()) return;
    std::set<std::string> read, expected;
    for (const auto& [kind, r] : kinds) read.insert(sdk::masterKindName(kind));
    for (const std::string& name : split(listed)) expected.insert(name);
    EXPECT_EQ(read, expected) << "testkit.md.kinds names the kinds the plugin reads; every other kind must "
                                 "answer LB_ERR_UNSUPPORTED";
}

TEST(MasterData, AKindFromALaterMinorIsUnsupportedNotAnEmptyPage) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    try {
        const auto page = i.client->readMasterData(sdk::MasterDataRequest{kFutureKind, {}, {}, 100});
        ADD_FAILURE() << "kind 99 answered LB_OK with " << page.records.size()
                      << " records; a kind the plugin does not know is LB_ERR_UNSUPPORTED (an empty page would "
                         "make the host archive everything Pleo holds of that kind)";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED) << e.what();
    }
}

TEST(MasterData, PageSizesOneTwoAndAThousandGiveTheSameRecordsInTheSameOrder) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    for (const auto& [kind, whole] : readEveryKind(i, 1000)) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        EXPECT_EQ(whole.problem, "") << "page_size 1000";
        for (std::size_t size : {1u, 2u}) {
            const Read paged = readAll(*i.client, kind, size);
            ASSERT_FALSE(paged.unsupported) << "page_size " << size << " is unsupported, 1000 is not";
            EXPECT_EQ(paged.problem, "") << "page_size " << size;
            EXPECT_EQ(difference(paged.records, whole.records), "") << "page_size " << size << " against 1000";
        }
    }
}

TEST(MasterData, EveryIdAppearsExactlyOnceAcrossThePages) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    for (std::size_t size : {1u, 2u, 1000u})
        for (const auto& [kind, r] : readEveryKind(i, size))
            EXPECT_EQ(duplicates(r.records), "") << sdk::masterKindName(kind) << ", page_size " << size;
}

TEST(MasterData, TheLastPageHasNoCursorAndNoPageBeforeItIsEmpty) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    for (const auto& [kind, r] : readEveryKind(i, 1)) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        ASSERT_EQ(r.problem, "");
        // page_size 1: one page per record, plus at most one empty last page.
        EXPECT_LE(r.pageSizes.size(), r.records.size() + 1) << "pages for " << r.records.size() << " records";
        for (std::size_t p = 0; p + 1 < r.pageSizes.size(); ++p)
            EXPECT_EQ(r.pageSizes[p], 1u) << "page " << p + 1 << " of " << r.pageSizes.size();
    }
}

TEST(MasterData, ACursorCanBeUsedAgainVerbatimAlsoByANewInstance) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    bool paged = false;
    for (const auto& [kind, whole] : readEveryKind(i, 1000)) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        if (whole.records.size() < 3) continue;
        paged = true;
        const auto first = i.client->readMasterData(sdk::MasterDataRequest{kind, {}, {}, 1});
        ASSERT_FALSE(first.nextCursor.empty()) << whole.records.size() << " records, page_size 1, and no next cursor";
        const sdk::MasterDataRequest second{kind, first.nextCursor, {}, 1};
        const auto a = i.client->readMasterData(second), b = i.client->readMasterData(second);
        Instance other(SameTargetAs{i});
        const auto c = other.client->readMasterData(second);
        EXPECT_EQ(difference(a.records, {whole.records[1]}), "") << "the page at cursor '" << first.nextCursor << "'";
        EXPECT_EQ(difference(b.records, a.records), "") << "the same cursor again";
        EXPECT_EQ(b.nextCursor, a.nextCursor) << "the same cursor again";
        EXPECT_EQ(difference(c.records, a.records), "") << "the same cursor in a new instance";
        EXPECT_EQ(c.nextCursor, a.nextCursor) << "the same cursor in a new instance";
    }
    if (!paged) GTEST_SKIP() << "no kind has 3 or more records: the fixture cannot show its cursors";
}

TEST(MasterData, IdsAreStableAcrossFullReadsAndInstances) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    const auto first = readEveryKind(i, 2), again = readEveryKind(i, 2);
    Instance other(SameTargetAs{i});
    const auto elsewhere = readEveryKind(other, 2);
    for (const auto& [kind, r] : first) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        ASSERT_TRUE(again.count(kind) && elsewhere.count(kind)) << "supported once, unsupported the next time";
        EXPECT_EQ(ids(again.at(kind).records), ids(r.records)) << "a second read by the same instance";
        EXPECT_EQ(ids(elsewhere.at(kind).records), ids(r.records)) << "a read by a new instance";
    }
}

TEST(MasterData, EveryRecordHasAnIdANameItsKindAndWellFormedFields) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    const auto kinds = readEveryKind(i, 1000);  // the client refuses records without id, name or their kind
    const std::set<std::string> accountTypes{"expense", "asset", "liability", "equity", "revenue", "other"};
    const std::set<std::string> taxTypes{"normal", "reverse", "exempt"};
    std::set<std::string> dimensions;
    if (kinds.count(MasterKind::Dimension))
        for (const MasterRecord& d : kinds.at(MasterKind::Dimension).records) dimensions.insert(d.id);
    for (const auto& [kind, r] : kinds) {
        for (const MasterRecord& rec : r.records) {
            const std::string where = sdk::masterKindName(kind) + " '" + rec.id + "'";
            EXPECT_EQ(rec.kind, kind) << where;
            EXPECT_FALSE(rec.id.empty()) << where;
            EXPECT_FALSE(rec.name.empty()) << where;
            const std::set<std::string>* types = kind == MasterKind::Account   ? &accountTypes
                                                 : kind == MasterKind::TaxCode ? &taxTypes
                                                                               : nullptr;
            EXPECT_TRUE(!types || rec.type.empty() || types->count(rec.type)) << where << ": type '" << rec.type << "'";
            EXPECT_TRUE(rec.taxRate.empty() || isDecimal(rec.taxRate)) << where << ": tax_rate '" << rec.taxRate << "'";
            EXPECT_TRUE(kind != MasterKind::DimensionValue || dimensions.empty() || dimensions.count(rec.parentId))
                << where << ": parent_id '" << rec.parentId << "' is no dimension's id";
        }
    }
}

TEST(MasterData, ArchivedRecordsAreReturnedMarkedNotLeftOut) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    const std::string listed = kitOption("md.expect_archived", "");
    if (listed.empty())
        GTEST_SKIP() << "no testkit.md.expect_archived=<kind>,...: name the kinds whose test target holds an archived "
                        "record, so the kit can check it comes back with archived set instead of being left out";
    Instance i;
    for (const std::string& name : split(listed)) {
        std::optional<MasterKind> kind;
        for (MasterKind k : sdk::allMasterKinds())
            if (sdk::masterKindName(k) == name) kind = k;
        if (!kind) {
            ADD_FAILURE() << "testkit.md.expect_archived: '" << name
                          << "' is no kind (account, tax_code, dimension, dimension_value, supplier)";
            continue;
        }
        const Read r = readAll(*i.client, *kind, 1000);
        ASSERT_FALSE(r.unsupported) << name << " is unsupported";
        std::size_t archived = 0;
        for (const MasterRecord& rec : r.records) archived += rec.archived ? 1 : 0;
        EXPECT_GT(archived, 0u) << name << ": none of its " << r.records.size() << " records is archived";
    }
}

TEST(MasterData, ChangedSinceGivesASubsetWhenDeclaredAndEverythingWhenNot) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    const bool honoured = hasCapability(LB_CAP_MASTER_DATA_CHANGED_SINCE);
    Instance i;
    const auto whole = readEveryKind(i, 1000);
    for (const char* since : {"1970-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2999-01-01T00:00:00Z"}) {
        const auto part = readEveryKind(i, 1000, since);
        for (const auto& [kind, all] : whole) {
            SCOPED_TRACE(sdk::masterKindName(kind) + " changed since " + since);
            ASSERT_TRUE(part.count(kind)) << "unsupported with changed_since, supported without";
            const std::vector<MasterRecord>& got = part.at(kind).records;
            EXPECT_EQ(part.at(kind).problem, "");
            if (!honoured) {
                EXPECT_EQ(difference(got, all.records), "") << "without LB_CAP_MASTER_DATA_CHANGED_SINCE the plugin "
                                                               "ignores changed_since and returns every record";
                continue;
            }
            std::map<std::string, const MasterRecord*> byId;
            for (const MasterRecord& r : all.records) byId[r.id] = &r;
            for (const MasterRecord& r : got) {
                const auto it = byId.find(r.id);
                if (it == byId.end()) ADD_FAILURE() << "'" << r.id << "' is not in the full read";
                else EXPECT_TRUE(*it->second == r) << "'" << r.id << "' differs from the full read";
            }
        }
    }
}

TEST(MasterData, AnEmptyTargetGivesOkWithZeroRecords) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    const SettingList empty = kitOptionsUnder("md.empty.");
    if (empty.empty())
        GTEST_SKIP() << "no testkit.md.empty.<key>=<value> settings: give the settings that point the plugin at a "
                        "target without master data, so the kit can check it answers LB_OK with no records";
    Instance full;
    const auto kinds = readEveryKind(full, 1000);
    Instance e(empty);
    for (const auto& [kind, r] : kinds) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        const Read none = readAll(*e.client, kind, 1000);
        ASSERT_FALSE(none.unsupported) << "an empty target still has the kind: LB_OK with no records, not "
                                          "LB_ERR_UNSUPPORTED (that would leave Pleo's records of it alone)";
        EXPECT_EQ(none.records.size(), 0u) << "records from the empty target, e.g. '" << none.records[0].id << "'";
        EXPECT_EQ(none.pageSizes.size(), 1u) << "an empty target needs one page, without a next cursor";
    }
}

TEST(MasterData, ReadingWritesNothing) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    Instance i;
    const auto files = snapshot(i.tmp);
    const int writes = i.host.writes;
    readEveryKind(i, 2);
    readEveryKind(i, 1000, "1970-01-01T00:00:00Z");
    EXPECT_EQ(snapshot(i.tmp), files) << "read_master_data changed files";
    EXPECT_EQ(i.host.writes, writes) << "read_master_data wrote host state";
}

TEST(MasterData, ACallBeforeConfigureIsWrongCallOrder) {
    if (!declared()) GTEST_SKIP() << kNotDeclared;
    MemoryHost host;
    sdk::PluginClient c(pluginApi(), host, "kit");
    try {
        c.readMasterData(sdk::MasterDataRequest{MasterKind::Account, {}, {}, 10});
        ADD_FAILURE() << "read_master_data succeeded before configure";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_STATE) << e.what();
    }
}
