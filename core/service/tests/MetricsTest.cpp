// Metrics: the rendered text must parse under a strict reader of the Prometheus text format
// (written here, independent of the renderer), values and escapes must round-trip, misuse must
// throw, and concurrent increments must not be lost.
#include "ledgerbridge/service/Metrics.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace ledgerbridge::service;

namespace {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct Parsed {
    std::map<std::string, std::string> types;
    std::map<std::string, std::string> help;
    std::vector<Sample> samples;
};

bool isName(const std::string& s, bool colon) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!(std::isalpha(c) || c == '_' || (colon && c == ':') || (i > 0 && std::isdigit(c)))) return false;
    }
    return true;
}

/// A strict reader of the text exposition format 0.0.4; throws std::runtime_error on anything off.
Parsed parseExposition(const std::string& text) {
    if (!text.empty() && text.back() != '\n') throw std::runtime_error("the text must end with a newline");
    Parsed p;
    std::set<std::string> seriesSeen;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) throw std::runtime_error("empty line");
        if (line.rfind("# ", 0) == 0) {
            std::istringstream ls(line.substr(2));
            std::string kind, name;
            ls >> kind >> name;
            if (!isName(name, true)) throw std::runtime_error("bad metric name in: " + line);
            std::string rest;
            std::getline(ls, rest);
            if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            if (kind == "HELP") {
                if (p.help.count(name) != 0) throw std::runtime_error("second HELP for " + name);
                for (std::size_t i = 0; i < rest.size(); ++i)
                    if (rest[i] == '\\') {
                        if (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))
                            throw std::runtime_error("bad escape in HELP of " + name);
                        ++i;
                    }
                p.help[name] = rest;
            } else if (kind == "TYPE") {
                if (p.types.count(name) != 0) throw std::runtime_error("second TYPE for " + name);
                static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};
                if (kTypes.count(rest) == 0) throw std::runtime_error("bad TYPE " + rest);
                for (const auto& s : p.samples)
                    if (s.name == name) throw std::runtime_error("TYPE after samples of " + name);
                p.types[name] = rest;
            } else {
                throw std::runtime_error("unknown comment kind " + kind);
            }
            continue;
        }
        Sample s;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        s.name = line.substr(0, i);
        if (!isName(s.name, true)) throw std::runtime_error("bad sample name in: " + line);
        if (p.types.count(s.name) == 0) throw std::runtime_error("sample before its TYPE: " + line);
        std::string seriesKey = s.name + "{";
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (true) {
                if (i < line.size() && line[i] == '}') { ++i; break; }
                std::size_t eq = line.find('=', i);
                if (eq == std::string::npos) throw std::runtime_error("label without '=': " + line);
                const std::string key = line.substr(i, eq - i);
                if (!isName(key, false)) throw std::runtime_error("bad label name " + key);
                i = eq + 1;
                if (i >= line.size() || line[i] != '"') throw std::runtime_error("label value not quoted: " + line);
                ++i;
                std::string value;
                while (true) {
                    if (i >= line.size()) throw std::runtime_error("unterminated label value: " + line);
                    const char c = line[i++];
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= line.size()) throw std::runtime_error("dangling escape");
                        const char e = line[i++];
                        if (e == 'n') value += '\n';
                        else if (e == '\\' || e == '"') value += e;
                        else throw std::runtime_error("bad escape \\" + std::string(1, e));
                    } else {
                        value += c;
                    }
                }
                if (s.labels.count(key) != 0) throw std::runtime_error("duplicate label " + key);
                s.labels[key] = value;
                seriesKey += key + "=" + value + ",";
                if (i < line.size() && line[i] == ',') ++i;
            }
        }
        if (i >= line.size() || line[i] != ' ') throw std::runtime_error("no space before the value: " + line);
        const std::string value = line.substr(i + 1);
        if (value == "+Inf" || value == "-Inf" || value == "NaN") {
            s.value = value == "NaN" ? 0 : (value[0] == '+' ? 1e308 : -1e308);
        } else {
            char* end = nullptr;
            s.value = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0') throw std::runtime_error("bad value '" + value + "'");
        }
        if (!seriesSeen.insert(seriesKey).second) throw std::runtime_error("duplicate series: " + line);
        p.samples.push_back(s);
    }
    return p;
}

}  // namespace

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
