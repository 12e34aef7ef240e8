// A strict reader of the Prometheus text exposition format (0.0.4), written for the tests and
// sharing no code with the renderer (Metrics.cpp): MetricsTest and HealthEndpointsTest check
// what /metrics serves with it. NaN samples are kept as NaN.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace lbtest {

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

inline bool isName(const std::string& s, bool colon) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!(std::isalpha(c) || c == '_' || (colon && c == ':') || (i > 0 && std::isdigit(c)))) return false;
    }
    return true;
}

/// A strict reader of the text exposition format 0.0.4; throws std::runtime_error on anything off.
inline Parsed parseExposition(const std::string& text) {
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
            s.value = value == "NaN" ? std::numeric_limits<double>::quiet_NaN() : (value[0] == '+' ? 1e308 : -1e308);
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


/// The samples of `name` whose labels include every pair of `labels`.
inline std::vector<Sample> samplesOf(const Parsed& p, const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    std::vector<Sample> out;
    for (const auto& s : p.samples) {
        if (s.name != name) continue;
        bool match = true;
        for (const auto& [k, v] : labels) match = match && s.labels.count(k) && s.labels.at(k) == v;
        if (match) out.push_back(s);
    }
    return out;
}

}  // namespace lbtest
