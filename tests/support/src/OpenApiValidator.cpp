// OpenApiValidator: walks yaml-cpp schema nodes against Poco JSON values.
#include "ledgerbridge/testsupport/OpenApiValidator.h"

// GCC 12 at -O1 and above reports a false -Wmaybe-uninitialized inside <regex>'s std::function
// (GCC bug 105562); the pragma must precede the include to cover the header's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <stdexcept>

namespace ledgerbridge::testsupport {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

struct OpenApiValidator::Impl {
    std::vector<YAML::Node> docs;

    static std::string kind(const Var& v) {
        if (v.isEmpty()) return "null";
        if (v.type() == typeid(Object::Ptr)) return "object";
        if (v.type() == typeid(Array::Ptr)) return "array";
        if (v.isBoolean()) return "boolean";
        if (v.isString()) return "string";
        if (v.isInteger()) return "integer";
        if (v.isNumeric()) return "number";
        return "unknown";
    }

    static bool typeMatches(const std::string& want, const std::string& have) {
        return want == have || (want == "number" && have == "integer");
    }

    YAML::Node resolve(const YAML::Node& doc, const std::string& ref) const {
        const std::string prefix = "#/components/schemas/";
        if (ref.rfind(prefix, 0) != 0) throw std::runtime_error("Unsupported $ref " + ref);
        YAML::Node n = doc["components"]["schemas"][ref.substr(prefix.size())];
        if (!n) throw std::runtime_error("Dangling $ref " + ref);
        return n;
    }

    void check(const YAML::Node& doc, YAML::Node schema, const Var& v, const std::string& at,
               std::vector<std::string>& errs, int depth) const {
        if (depth > 64) return;
        if (schema["$ref"]) schema = resolve(doc, schema["$ref"].as<std::string>());
        const std::string have = kind(v);
        // OpenAPI 3.0's `nullable: true` (the 3.1 files spell it type: [x, 'null']).
        if (have == "null" && schema["nullable"] && schema["nullable"].as<bool>()) return;
        if (schema["allOf"])
            for (const auto& part : schema["allOf"]) check(doc, part, v, at, errs, depth + 1);
        if (schema["type"]) {
            bool ok = false;
            std::string wanted;
            if (schema["type"].IsSequence()) {
                for (const auto& t : schema["type"]) {
                    ok = ok || typeMatches(t.as<std::string>(), have);
                    wanted += (wanted.empty() ? "" : "|") + t.as<std::string>();
                }
            } else {
                wanted = schema["type"].as<std::string>();
                ok = typeMatches(wanted, have);
            }
            if (!ok) {
                errs.push_back(at + ": expected " + wanted + ", got " + have);
                return;
            }
        }
        if (have == "null") return;
        if (schema["enum"]) {
            bool found = false;
            std::string sv = v.convert<std::string>();
            for (const auto& e : schema["enum"]) found = found || (e.IsScalar() && e.as<std::string>() == sv);
            if (!found) errs.push_back(at + ": '" + sv + "' is not in the enum");
        }
        if (have == "string") {
            const std::string s = v.extract<std::string>();
            if (schema["format"]) {
                const std::string f = schema["format"].as<std::string>();
                static const std::regex uuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
                static const std::regex dateTime(
                    "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$");
                if (f == "uuid" && !std::regex_match(s, uuid)) errs.push_back(at + ": '" + s + "' is not a uuid");
                if (f == "date-time" && !std::regex_match(s, dateTime))
                    errs.push_back(at + ": '" + s + "' is not an ISO-8601 date-time");
            }
            // Only anchored patterns are regexes; `YYYY-MM-DDTHH:mi:ssZ` and friends are placeholders.
            if (schema["pattern"]) {
                const std::string p = schema["pattern"].as<std::string>();
                if (!p.empty() && p[0] == '^' && !std::regex_search(s, std::regex(p)))
                    errs.push_back(at + ": '" + s + "' does not match " + p);
            }
            if (schema["minLength"] && s.size() < schema["minLength"].as<std::size_t>())
                errs.push_back(at + ": shorter than minLength");
            if (schema["maxLength"] && s.size() > schema["maxLength"].as<std::size_t>())
                errs.push_back(at + ": longer than maxLength");
        }
        if ((have == "integer" || have == "number") && schema["minimum"] &&
            v.convert<double>() < schema["minimum"].as<double>())
            errs.push_back(at + ": below minimum");
        if ((have == "integer" || have == "number") && schema["maximum"] &&
            v.convert<double>() > schema["maximum"].as<double>())
            errs.push_back(at + ": above maximum");
        if (have == "object") {
            Object::Ptr o = v.extract<Object::Ptr>();
            if (schema["required"])
                for (const auto& r : schema["required"])
                    if (!o->has(r.as<std::string>())) errs.push_back(at + ": missing required '" + r.as<std::string>() + "'");
            YAML::Node props = schema["properties"];
            YAML::Node extra = schema["additionalProperties"];
            for (const auto& key : o->getNames()) {
                if (props && props[key]) {
                    check(doc, props[key], o->get(key), at + "." + key, errs, depth + 1);
                } else if (extra && extra.IsMap()) {
                    check(doc, extra, o->get(key), at + "." + key, errs, depth + 1);
                } else if (extra && extra.IsScalar() && !extra.as<bool>()) {
                    errs.push_back(at + ": unexpected property '" + key + "'");
                }
            }
        }
        if (have == "array") {
            Array::Ptr a = v.extract<Array::Ptr>();
            if (schema["minItems"] && a->size() < schema["minItems"].as<std::size_t>())
                errs.push_back(at + ": fewer than minItems (" + schema["minItems"].as<std::string>() + ")");
            if (schema["maxItems"] && a->size() > schema["maxItems"].as<std::size_t>())
                errs.push_back(at + ": more than maxItems (" + schema["maxItems"].as<std::string>() + ")");
            std::set<std::string> seen;
            for (std::size_t i = 0; i < a->size(); ++i) {
                Var item = a->get(static_cast<unsigned>(i));
                if (schema["items"]) check(doc, schema["items"], item, at + "[" + std::to_string(i) + "]", errs, depth + 1);
                if (schema["uniqueItems"] && schema["uniqueItems"].as<bool>() && kind(item) == "string" &&
                    !seen.insert(item.extract<std::string>()).second)
                    errs.push_back(at + ": duplicate items");
            }
        }
    }

    // Matches one template segment ("{id}:activate", "me", "{jobId}") against a concrete one.
    static bool segmentMatches(const std::string& t, const std::string& c, std::string& name, std::string& value) {
        auto open = t.find('{');
        if (open == std::string::npos) return t == c;
        auto close = t.find('}', open);
        const std::string prefix = t.substr(0, open), suffix = t.substr(close + 1);
        if (c.size() <= prefix.size() + suffix.size() || c.compare(0, prefix.size(), prefix) != 0 ||
            c.compare(c.size() - suffix.size(), suffix.size(), suffix) != 0)
            return false;
        name = t.substr(open + 1, close - open - 1);
        value = c.substr(prefix.size(), c.size() - prefix.size() - suffix.size());
        return true;
    }

    static std::vector<std::string> split(const std::string& path) {
        std::vector<std::string> out;
        std::string cur;
        for (char ch : path) {
            if (ch == '/') {
                if (!cur.empty()) out.push_back(cur);
                cur.clear();
            } else {
                cur += ch;
            }
        }
        if (!cur.empty()) out.push_back(cur);
        return out;
    }

    // A query/path value as the JSON value its schema wants, so check() can judge it.
    Var typed(const YAML::Node& doc, YAML::Node schema, const std::string& text) const {
        if (schema["$ref"]) schema = resolve(doc, schema["$ref"].as<std::string>());
        const std::string t = schema["type"] && schema["type"].IsScalar() ? schema["type"].as<std::string>() : "string";
        try {
            if (t == "integer") {
                std::size_t used = 0;
                long long n = std::stoll(text, &used);
                if (used == text.size()) return Var(static_cast<Poco::Int64>(n));
            } else if (t == "number") {
                std::size_t used = 0;
                double d = std::stod(text, &used);
                if (used == text.size()) return Var(d);
            } else if (t == "boolean") {
                if (text == "true") return Var(true);
                if (text == "false") return Var(false);
            } else {
                return Var(text);
            }
        } catch (const std::exception&) {
        }
        return Var(text);  // the wrong type: check() reports it
    }

    YAML::Node parameterNode(const YAML::Node& doc, const YAML::Node& p) const {
        if (!p["$ref"]) return p;
        const std::string ref = p["$ref"].as<std::string>(), prefix = "#/components/parameters/";
        if (ref.rfind(prefix, 0) != 0) throw std::runtime_error("Unsupported parameter $ref " + ref);
        return doc["components"]["parameters"][ref.substr(prefix.size())];
    }

    // (doc, operation node) for a path and method, or (null, null).
    std::pair<const YAML::Node*, YAML::Node> operation(const std::string& path, const std::string& method) const {
        for (const auto& d : docs)
            if (d["paths"] && d["paths"][path] && d["paths"][path][method]) return {&d, d["paths"][path][method]};
        return {nullptr, YAML::Node()};
    }
};

OpenApiValidator::OpenApiValidator(const std::vector<std::string>& yamlFiles) : impl_(std::make_unique<Impl>()) {
    for (const auto& f : yamlFiles) {
        try {
            impl_->docs.push_back(YAML::LoadFile(f));
        } catch (const std::exception& e) {
            throw std::runtime_error("Cannot read the OpenAPI file " + f + ": " + e.what());
        }
    }
}

OpenApiValidator::~OpenApiValidator() = default;

bool OpenApiValidator::declaresResponse(const std::string& path, const std::string& method, int status) const {
    auto op = impl_->operation(path, method);
    return op.first && op.second["responses"] &&
           (op.second["responses"][std::to_string(status)] || op.second["responses"]["default"]);
}

std::vector<std::string> OpenApiValidator::validateResponse(const std::string& path, const std::string& method,
                                                            int status, const Var& body) const {
    std::vector<std::string> errs;
    auto op = impl_->operation(path, method);
    if (!op.first) return {"the spec has no operation " + method + " " + path};
    YAML::Node resp = op.second["responses"][std::to_string(status)];
    if (!resp) resp = op.second["responses"]["default"];  // `default` covers every undeclared status
    if (!resp) return {"the spec declares no " + std::to_string(status) + " response for " + method + " " + path};
    YAML::Node content = resp["content"];
    if (!content) {
        if (!body.isEmpty()) errs.push_back("the spec declares no body for this response, but one was sent");
        return errs;
    }
    YAML::Node schema;
    for (const auto& c : content) {
        if (c.first.as<std::string>().rfind("application/json", 0) == 0) schema = c.second["schema"];
    }
    if (!schema) return {"no JSON schema for this response"};
    impl_->check(*op.first, schema, body, "$", errs, 0);
    return errs;
}

std::vector<std::string> OpenApiValidator::validateSchema(const std::string& name, const Var& value) const {
    for (const auto& d : impl_->docs) {
        if (d["components"]["schemas"][name]) {
            std::vector<std::string> errs;
            impl_->check(d, d["components"]["schemas"][name], value, "$", errs, 0);
            return errs;
        }
    }
    return {"no schema named " + name};
}

OpenApiValidator::RequestCheck OpenApiValidator::validateRequest(
    const std::string& methodAnyCase, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& query, const std::string& body) const {
    RequestCheck out;
    std::string method = methodAnyCase;
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto segs = Impl::split(path);
    // The matching template with the most literal segments wins ("/me" over "/{id}").
    const YAML::Node* bestDoc = nullptr;
    YAML::Node bestItem;
    std::string bestPath;
    std::vector<std::pair<std::string, std::string>> bestParams;
    int bestLiterals = -1;
    for (const auto& d : impl_->docs) {
        if (!d["paths"]) continue;
        for (const auto& p : d["paths"]) {
            const std::string tmpl = p.first.as<std::string>();
            if (!p.second[method]) continue;
            const auto tsegs = Impl::split(tmpl);
            if (tsegs.size() != segs.size()) continue;
            std::vector<std::pair<std::string, std::string>> params;
            int literals = 0;
            bool ok = true;
            for (std::size_t i = 0; ok && i < segs.size(); ++i) {
                std::string name, value;
                ok = Impl::segmentMatches(tsegs[i], segs[i], name, value);
                if (ok && name.empty()) ++literals;
                if (ok && !name.empty()) params.emplace_back(name, value);
            }
            if (ok && literals > bestLiterals) {
                bestDoc = &d;
                bestItem = p.second;
                bestPath = tmpl;
                bestParams = params;
                bestLiterals = literals;
            }
        }
    }
    if (!bestDoc) {
        out.problems.push_back("no operation " + method + " " + path + " in the reference files");
        return out;
    }
    out.operation = method + " " + bestPath;
    const YAML::Node& doc = *bestDoc;
    YAML::Node op = bestItem[method];
    std::vector<YAML::Node> params;
    for (const YAML::Node& list : {bestItem["parameters"], op["parameters"]})
        if (list)
            for (const auto& p : list) params.push_back(impl_->parameterNode(doc, p));
    std::set<std::string> knownQuery;
    for (const auto& p : params) {
        const std::string name = p["name"].as<std::string>(), in = p["in"].as<std::string>();
        YAML::Node schema = p["schema"];
        if (in == "path") {
            for (const auto& pv : bestParams)
                if (pv.first == name && schema) impl_->check(doc, schema, impl_->typed(doc, schema, pv.second), "path." + name, out.problems, 0);
        } else if (in == "query") {
            knownQuery.insert(name);
            std::vector<std::string> values;
            for (const auto& q : query)
                if (q.first == name) values.push_back(q.second);
            if (values.empty()) {
                if (p["required"] && p["required"].as<bool>())
                    out.problems.push_back("query." + name + ": required parameter missing");
                continue;
            }
            if (!schema) continue;
            YAML::Node s = schema["$ref"] ? impl_->resolve(doc, schema["$ref"].as<std::string>()) : schema;
            const bool isArray = s["type"] && s["type"].IsScalar() && s["type"].as<std::string>() == "array";
            if (isArray) {
                Array::Ptr arr = new Array;
                for (const auto& v : values) {
                    std::size_t start = 0;
                    for (;;) {  // form style: repeated names and comma-separated values
                        auto comma = v.find(',', start);
                        arr->add(impl_->typed(doc, s["items"], v.substr(start, comma - start)));
                        if (comma == std::string::npos) break;
                        start = comma + 1;
                    }
                }
                impl_->check(doc, s, Var(arr), "query." + name, out.problems, 0);
            } else {
                if (values.size() > 1) out.problems.push_back("query." + name + ": repeated, but the parameter takes one value");
                impl_->check(doc, s, impl_->typed(doc, s, values.front()), "query." + name, out.problems, 0);
            }
        }
    }
    for (const auto& q : query)
        if (!knownQuery.count(q.first)) out.problems.push_back("query." + q.first + ": not a parameter of " + out.operation);
    YAML::Node rb = op["requestBody"];
    if (!rb) {
        if (!body.empty()) out.problems.push_back("body: the operation takes no request body, but one was sent");
        return out;
    }
    if (body.empty()) {
        if (rb["required"] && rb["required"].as<bool>()) out.problems.push_back("body: required request body missing");
        return out;
    }
    YAML::Node schema;
    if (rb["content"])
        for (const auto& c : rb["content"])
            if (c.first.as<std::string>().rfind("application/json", 0) == 0) schema = c.second["schema"];
    if (!schema) {
        out.problems.push_back("body: the operation declares no JSON request body");
        return out;
    }
    Var parsed;
    try {
        parsed = Poco::JSON::Parser().parse(body);
    } catch (const std::exception& e) {
        out.problems.push_back(std::string("body: not JSON (") + e.what() + ")");
        return out;
    }
    impl_->check(doc, schema, parsed, "body", out.problems, 0);
    return out;
}

std::vector<std::string> OpenApiValidator::operations() const {
    std::vector<std::string> out;
    for (const auto& d : impl_->docs)
        for (const auto& p : d["paths"])
            for (const auto& m : p.second) out.push_back(m.first.as<std::string>() + " " + p.first.as<std::string>());
    return out;
}

}  // namespace ledgerbridge::testsupport
