// What the Business Central double's parts share: an HTTP answer, BC's OData error body, the
// double's GUIDs, amounts read back from JSON numbers, and OData `field eq 'value'` filters.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::bctest {

struct Answer {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

inline Answer json(int status, const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return {status, out.str(), {}};
}

/// BC's OData error: {"error":{"code","message"}}.
inline Answer error(int status, const std::string& code, const std::string& message) {
    Poco::JSON::Object e, root;
    e.set("code", code);
    e.set("message", message);
    root.set("error", e);
    return json(status, root);
}

/// A GUID of the double: `kind` tells records apart, `n` counts them.
inline std::string guid(int kind, int n) {
    char id[40];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012d", kind, n);
    return id;
}

/// A JSON number as cents; `exact` is false when it has more than 2 decimals.
inline std::int64_t centsOf(double d, bool& exact) {
    const double scaled = d * 100.0;
    const auto rounded = static_cast<std::int64_t>(std::llround(scaled));
    exact = std::fabs(scaled - static_cast<double>(rounded)) < 1e-6;
    return rounded;
}

/// The JSON object a request body holds; null when it holds none.
inline Poco::JSON::Object::Ptr objectIn(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

/// "field eq 'X'" -> X ("" when the filter is not that, on that field).
inline std::string filterValue(const std::string& filter, const std::string& field) {
    const std::regex re("^" + field + " eq '((?:[^']|'')*)'$");
    std::smatch m;
    if (!std::regex_match(filter, m, re)) return {};
    std::string v = m[1];
    for (auto p = v.find("''"); p != std::string::npos; p = v.find("''", p + 1)) v.erase(p, 1);
    return v;
}

}  // namespace ledgerbridge::bctest
