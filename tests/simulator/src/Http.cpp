// Request helpers, JSON replies and safe JSON parsing for the handlers.
#include "Http.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <sstream>

namespace lbsim {

std::string Request::param(const std::string& name) const {
    for (const auto& kv : query)
        if (kv.first == name) return kv.second;
    return "";
}

bool Request::has(const std::string& name) const {
    for (const auto& kv : query)
        if (kv.first == name) return true;
    return false;
}

std::vector<std::string> Request::params(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& kv : query) {
        if (kv.first != name) continue;
        std::stringstream ss(kv.second);
        std::string part;
        while (std::getline(ss, part, ','))
            if (!part.empty()) out.push_back(part);
    }
    return out;
}

std::string Request::header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? "" : it->second;
}

std::map<std::string, std::string> Request::form() const {
    std::map<std::string, std::string> out;
    for (auto& kv : parseUrlEncoded(body)) out.emplace(kv.first, kv.second);
    return out;
}

std::vector<std::pair<std::string, std::string>> parseUrlEncoded(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, '&')) {
        if (part.empty()) continue;
        auto eq = part.find('=');
        std::string k = part.substr(0, eq), v = eq == std::string::npos ? "" : part.substr(eq + 1);
        for (char& c : k) if (c == '+') c = ' ';
        for (char& c : v) if (c == '+') c = ' ';
        std::string dk, dv;
        try {
            Poco::URI::decode(k, dk);
            Poco::URI::decode(v, dv);
        } catch (const Poco::Exception&) {
            throw ApiError(400, "invalid_request", "The form body is not valid URL encoding.");
        }
        out.emplace_back(dk, dv);
    }
    return out;
}

Reply jsonReply(int status, const Poco::Dynamic::Var& body) {
    Reply r;
    r.status = status;
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(body, os);
    r.body = os.str();
    return r;
}

Reply jsonReply(int status, const Poco::JSON::Object::Ptr& body) { return jsonReply(status, Poco::Dynamic::Var(body)); }

Reply errorReply(int status, const std::string& type, const std::string& message) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("type", type);
    o->set("message", message);
    return jsonReply(status, o);
}

Poco::Dynamic::Var parseJsonBody(const std::string& body) {
    if (body.empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "The request body is empty; send JSON.");
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(64);  // hostile nesting gets 400, not a deep recursion
        return parser.parse(body);
    } catch (const Poco::Exception& e) {
        throw ApiError(400, "INVALID_REQUEST_BODY", "The request body is not valid JSON: " + e.displayText());
    } catch (const std::exception& e) {
        throw ApiError(400, "INVALID_REQUEST_BODY", std::string("The request body is not valid JSON: ") + e.what());
    }
}

std::string stringField(const Poco::JSON::Object::Ptr& o, const std::string& name) {
    if (!o->has(name) || o->isNull(name)) return "";
    Poco::Dynamic::Var v = o->get(name);
    if (!v.isString()) throw ApiError(400, "INVALID_REQUEST_BODY", "The field '" + name + "' must be a string.");
    return v.extract<std::string>();
}

std::string urlEncode(const std::string& s) {
    std::string out;
    Poco::URI::encode(s, "!#$&'()*+,/:;=?@[]", out);
    return out;
}

std::string htmlEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace lbsim
