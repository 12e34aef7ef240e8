// The CSV file's entry-id set: exact for UUIDs (packed) and for any other id, across merges.
#include <gtest/gtest.h>

#include <cstdio>

#include "EntryIdSet.hpp"

using ledgerbridge::csv::EntryIdSet;

namespace {

std::string uuid(unsigned n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n * 2654435761u, n);
    return buf;
}

}  // namespace

TEST(EntryIdSet, HoldsExactlyWhatWasInsertedAcrossManyMerges) {
    EntryIdSet ids;
    const unsigned n = 5000;  // several merges of the unsorted tail
    for (unsigned i = 0; i < n; i += 2) ids.insert(uuid(i));
    for (unsigned i = 0; i < n; i += 2) ids.insert(uuid(i));  // again: no duplicates
    EXPECT_EQ(ids.size(), n / 2);
    for (unsigned i = 0; i < n; ++i) EXPECT_EQ(ids.contains(uuid(i)), i % 2 == 0) << uuid(i);
}

TEST(EntryIdSet, IdsThatAreNotLowerCaseUuidsAreKeptAsTheyAre) {
    EntryIdSet ids;
    const std::string lower = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const std::string upper = "0F8FAD5B-D9CB-469F-A165-70867728950E";
    ids.insert(upper);
    ids.insert("entry-17");
    ids.insert("");
    EXPECT_TRUE(ids.contains(upper));
    EXPECT_FALSE(ids.contains(lower)) << "another text, another id";
    EXPECT_TRUE(ids.contains("entry-17"));
    EXPECT_TRUE(ids.contains(""));
    EXPECT_FALSE(ids.contains("entry-1"));
    ids.insert(lower);
    EXPECT_TRUE(ids.contains(lower));
    EXPECT_EQ(ids.size(), 4u);
    ids.clear();
    EXPECT_FALSE(ids.contains(lower));
    EXPECT_EQ(ids.size(), 0u);
}
