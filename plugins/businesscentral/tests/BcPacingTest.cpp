// The plugin's own pacing under BC's published request limit (6,000 per 5-minute sliding window
// per principal), shrunk through requests_per_window/request_window_seconds to 6 per second so
// the test runs in seconds: the double enforces the same window (429 past it) and logs arrival
// times; the plugin never meets its 429 and no 7 requests fall within one second. Without
// pacing the same double does answer 429, so the window check can fail.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "BcEntries.hpp"
#include "BcSettings.hpp"
#include "BcTestSupport.hpp"

namespace ledgerbridge::bctest {
namespace {

using sdk::OutcomeKind;

constexpr int kLimit = 6;
constexpr int kWindowMs = 1000;

class BcPacingTest : public BcPluginFixture {
protected:
    void SetUp() override {
        bc.limitRequests(kLimit, kWindowMs);
        BcPluginFixture::SetUp();
    }
    SettingList settings() override {
        SettingList s = settingsFor(bc);
        s.emplace_back("requests_per_window", perWindow);
        s.emplace_back("request_window_seconds", "1");
        return s;
    }
    int throttled() {
        int n = 0;
        for (const auto& ex : host.exchangesSnapshot()) n += ex.status == 429;
        return n;
    }
    std::vector<sdk::Entry> entries(int count) {
        std::vector<sdk::Entry> out;
        for (int i = 0; i < count; ++i) out.push_back(entry("e-pace-" + std::to_string(i)));
        return out;
    }
    std::string perWindow = std::to_string(kLimit);
};

TEST_F(BcPacingTest, ThePluginNeverExceedsTheWindowSoBcNeverAnswers429) {
    for (const auto& o : client->push(entries(4))) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    const auto times = bc.requestTimesMs();
    ASSERT_GT(times.size(), static_cast<std::size_t>(2 * kLimit)) << "too few requests to fill the window twice";
    EXPECT_EQ(throttled(), 0) << "the double enforces " << kLimit << " per " << kWindowMs << " ms";
    // Any kLimit + 1 consecutive requests span at least the window (a few ms: socket vs. clock).
    for (std::size_t i = kLimit; i < times.size(); ++i)
        EXPECT_GE(times[i] - times[i - kLimit], kWindowMs - 20) << "request " << i;
}

class BcUnpacedTest : public BcPacingTest {
protected:
    void SetUp() override {
        perWindow = "0";  // no pacing of its own: only 429 is honoured
        BcPacingTest::SetUp();
    }
};

TEST_F(BcUnpacedTest, WithoutPacingTheSameDoubleAnswers429AndTheEntriesStillPostAfterRetryAfter) {
    for (const auto& o : client->push(entries(4))) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_GT(throttled(), 0) << "the double's window never bit: the paced test above proves nothing";
}

/// The manifest's defaults with `overrides` on top, as the host hands them to configure().
sdk::Settings withDefaults(const std::map<std::string, std::string>& overrides) {
    std::map<std::string, std::string> values = overrides;
    for (const auto& spec : businesscentral::bcManifest().settings)
        if (spec.defaultValue) values.emplace(spec.key, *spec.defaultValue);
    return sdk::Settings(values);
}

const std::map<std::string, std::string> kRequired = {{"tenant_id", "contoso.onmicrosoft.com"},
                                                      {"environment", "production"},
                                                      {"company_id", BcDouble::kCompany},
                                                      {"journal_id", BcDouble::kJournal},
                                                      {"local_currency", "EUR"}};

TEST(BcPacingSettings, TheDefaultIsMicrosoftsPublishedLimitAndBadValuesAreNamed) {
    const auto c = businesscentral::parseBcConfig(withDefaults(kRequired));
    EXPECT_EQ(c.requestsPerWindow, 6000u);
    EXPECT_EQ(c.requestWindowMs, 300000);

    auto bad = kRequired;
    bad["requests_per_window"] = "-1";
    bad["request_window_seconds"] = "0";
    try {
        businesscentral::parseBcConfig(withDefaults(bad));
        FAIL() << "a negative limit and an empty window were accepted";
    } catch (const sdk::SettingsError& e) {
        std::set<std::string> keys;
        for (const auto& p : e.problems()) keys.insert(p.first);
        EXPECT_EQ(keys, (std::set<std::string>{"requests_per_window", "request_window_seconds"})) << e.what();
    }
}

}  // namespace
}  // namespace ledgerbridge::bctest
