// OpenApiValidator: walks yaml-cpp schema nodes against Poco JSON values.
#include "ledgerbridge/testsupport/OpenApiValidator.h"

// GCC 12 at -O1 and above reports a false -Wmaybe-uninitialized inside <regex>'s std::function
// (GCC bug 105562); the pragma must precede the include to cover the header's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
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
    return op.first && op.second["responses"] && op.second["responses"][std::to_string(status)];
}

std::vector<std::string> OpenApiValidator::validateResponse(const std::string& path, const std::string& method,
                                                            int status, const Var& body) const {
    std::vector<std::string> errs;
    auto op = impl_->operation(path, method);
    if (!op.first) return {"the spec has no operation " + method + " " + path};
    YAML::Node resp = op.second["responses"][std::to_string(status)];
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

std::vector<std::string> OpenApiValidator::operations() const {
    std::vector<std::string> out;
    for (const auto& d : impl_->docs)
        for (const auto& p : d["paths"])
            for (const auto& m : p.second) out.push_back(m.first.as<std::string>() + " " + p.first.as<std::string>());
    return out;
}

}  // namespace ledgerbridge::testsupport
