// Metrics: the rendered text must parse under a strict reader of the Prometheus text format
// (written here, independent of the renderer), values and escapes must round-trip, misuse must
// throw, and concurrent increments must not be lost.
#include "ledgerbridge/service/Metrics.h"

#include "PrometheusReader.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace ledgerbridge::service;

using lbtest::parseExposition;
using lbtest::Parsed;

TEST(Metrics, RendersParseableTextWithEscapedLabels) {
    Metrics m;
    defineStandardMetrics(m);
    m.increment(metric::kRuns, {{"connection", "acme"}, {"outcome", "ok"}});
    m.increment(metric::kRuns, {{"outcome", "ok"}, {"connection", "acme"}}, 2);  // label order does not matter
    m.increment(metric::kEntries, {{"connection", "we\"ird\\name\nx"}, {"outcome", "posted"}}, 41);
    m.set(metric::kLastSuccess, {{"connection", "acme"}}, 1748779200);
    m.set(metric::kQuarantined, {{"plugin", "csv"}}, 0);
    m.define("ledgerbridge_test_ratio", Metrics::Type::Gauge, "A help text with a \\ backslash\nand a newline.");
    m.set("ledgerbridge_test_ratio", {}, 0.25);

    const std::string text = m.render();
    Parsed p;
    ASSERT_NO_THROW(p = parseExposition(text)) << text;
    EXPECT_EQ(p.types.at(metric::kRuns), "counter");
    EXPECT_EQ(p.types.at(metric::kLastSuccess), "gauge");
    EXPECT_EQ(p.types.size(), p.help.size());
    std::map<std::string, double> byConnection;
    for (const auto& s : p.samples)
        if (s.name == metric::kEntries) byConnection[s.labels.at("connection")] = s.value;
    EXPECT_EQ(byConnection.at("we\"ird\\name\nx"), 41);
    bool sawRuns = false, sawRatio = false;
    for (const auto& s : p.samples) {
        if (s.name == metric::kRuns) { sawRuns = true; EXPECT_EQ(s.value, 3); }
        if (s.name == "ledgerbridge_test_ratio") { sawRatio = true; EXPECT_EQ(s.value, 0.25); EXPECT_TRUE(s.labels.empty()); }
    }
    EXPECT_TRUE(sawRuns);
    EXPECT_TRUE(sawRatio);
    EXPECT_NE(text.find("ledgerbridge_last_successful_run_timestamp_seconds{connection=\"acme\"} 1748779200\n"),
              std::string::npos);
}

TEST(Metrics, TheStrictParserRejectsBrokenText) {
    EXPECT_THROW(parseExposition("x 1\n"), std::runtime_error);                     // no TYPE
    EXPECT_THROW(parseExposition("# TYPE x counter\nx{a=\"b} 1\n"), std::runtime_error);
    EXPECT_THROW(parseExposition("# TYPE x counter\nx{a=\"\\q\"} 1\n"), std::runtime_error);
    EXPECT_THROW(parseExposition("# TYPE x counter\nx 1\nx 2\n"), std::runtime_error);
    EXPECT_THROW(parseExposition("# TYPE x counter\nx one\n"), std::runtime_error);
    EXPECT_NO_THROW(parseExposition("# HELP x h\n# TYPE x counter\nx{a=\"b\"} 1\n"));
}

TEST(Metrics, MisuseThrows) {
    Metrics m;
    EXPECT_THROW(m.define("bad name", Metrics::Type::Counter, "h"), std::invalid_argument);
    EXPECT_THROW(m.increment("undefined_total"), std::logic_error);
    m.define("c_total", Metrics::Type::Counter, "h");
    EXPECT_THROW(m.set("c_total", {}, 1), std::logic_error);
    EXPECT_THROW(m.increment("c_total", {}, -1), std::invalid_argument);
    EXPECT_THROW(m.increment("c_total", {{"bad-label", "v"}}), std::invalid_argument);
    EXPECT_THROW(m.define("c_total", Metrics::Type::Gauge, "h"), std::invalid_argument);
}

TEST(Metrics, CollectorsRefreshGaugesAtRenderTime) {
    Metrics m;
    defineStandardMetrics(m);
    int calls = 0;
    m.addCollector([&](Metrics& self) { self.set(metric::kQuarantined, {{"plugin", "xero"}}, ++calls); });
    m.addCollector([](Metrics&) { throw std::runtime_error("broken collector"); });
    EXPECT_NE(m.render().find("ledgerbridge_plugin_quarantined{plugin=\"xero\"} 1\n"), std::string::npos);
    EXPECT_NE(m.render().find("ledgerbridge_plugin_quarantined{plugin=\"xero\"} 2\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
    Metrics m;
    defineStandardMetrics(m);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                m.increment(metric::kPleoRequests, {{"status", "200"}});
                if (i % 100 == 0) (void)m.render();
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(m.value(metric::kPleoRequests, {{"status", "200"}}), 4000);
}
