// Unit tests of the cursor codec and page slicing (pure functions, in-process).

// GCC 12 at -O1+ reports a false -Wmaybe-uninitialized inside <regex> (GCC bug 105562).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <regex>

#include "Cursor.h"

using namespace lbsim;

TEST(Cursor, RoundTripsAndMatchesTheSpecPattern) {
    for (std::uint64_t k : {0ULL, 1ULL, 42ULL, 999999ULL, 18446744073709551ULL}) {
        std::string c = encodeCursor(k);
        EXPECT_TRUE(std::regex_match(c, std::regex("^[A-Z2-7=~]+$"))) << c;
        EXPECT_EQ(decodeCursor(c), k);
    }
}

TEST(Cursor, RejectsForeignCursors) {
    EXPECT_THROW(decodeCursor("abc"), ApiError);
    EXPECT_THROW(decodeCursor("MFRGG==="), ApiError);  // base32 of "abc": not ours
    EXPECT_THROW(decodeCursor(""), ApiError);
}

TEST(Cursor, SlicesForwardAndBackward) {
    PageRequest r;
    r.limit = 10;
    auto key = [](std::size_t i) -> std::uint64_t { return i * 2; };
    PageSlice first = slicePage(r, 25, key);
    EXPECT_EQ(first.begin, 0u);
    EXPECT_EQ(first.end, 10u);
    EXPECT_TRUE(first.hasNext);
    EXPECT_FALSE(first.hasPrevious);
    r.after = key(9);
    PageSlice second = slicePage(r, 25, key);
    EXPECT_EQ(second.begin, 10u);
    EXPECT_EQ(second.end, 20u);
    r.after.reset();
    r.before = key(10);
    PageSlice back = slicePage(r, 25, key);
    EXPECT_EQ(back.begin, 0u);
    EXPECT_EQ(back.end, 10u);
    EXPECT_FALSE(back.hasPrevious);
    EXPECT_TRUE(back.hasNext);
}
