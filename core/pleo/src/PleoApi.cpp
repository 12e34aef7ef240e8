// The shared part of every Pleo API client: see PleoApi.h.
#include "ledgerbridge/pleo/PleoApi.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace json {

std::string errorSummary(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        auto obj = parser.parse(body).extract<Object::Ptr>();
        std::string type = obj->optValue<std::string>("type", ""), message = obj->optValue<std::string>("message", "");
        if (!type.empty() || !message.empty())
            return redact(type + (type.empty() || message.empty() ? "" : ": ") + message);
    } catch (...) {
    }
    std::string excerpt = body.substr(0, 200);
    for (char& c : excerpt)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return excerpt.empty() ? "no details" : redact(excerpt) + (body.size() > 200 ? "…" : "");
}

std::string enc(const std::string& v) {
    std::string out;
    Poco::URI::encode(v, "!#$&'()*+,/:;=?@[]", out);
    return out;
}

Object::Ptr parse(const std::string& body, const std::string& what) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var v = parser.parse(body);
        if (v.type() != typeid(Object::Ptr)) throw ProtocolError("Pleo's answer to " + what + " is not a JSON object.");
        return v.extract<Object::Ptr>();
    } catch (const ProtocolError&) {
        throw;
    } catch (const std::exception& e) {
        throw ProtocolError("Pleo's answer to " + what + " is not valid JSON (" + redact(e.what()) + ", " +
                            std::to_string(body.size()) + " bytes); it may have been cut off.");
    }
}

Object::Ptr data(const Object::Ptr& o, const std::string& what) {
    Object::Ptr d = o->has("data") ? o->getObject("data") : nullptr;
    if (!d) throw ProtocolError("Pleo's answer to " + what + " lacks the object 'data'.");
    return d;
}

std::string optStr(const Object::Ptr& o, const std::string& key, const std::string& what) {
    if (!o->has(key) || o->isNull(key)) return {};
    Poco::Dynamic::Var v = o->get(key);
    if (!v.isString()) throw ProtocolError("Pleo's answer to " + what + ": field '" + key + "' is not a string.");
    return v.extract<std::string>();
}

std::string str(const Object::Ptr& o, const std::string& key, const std::string& what) {
    if (!o->has(key) || o->isNull(key))
        throw ProtocolError("Pleo's answer to " + what + " lacks the required field '" + key + "'.");
    return optStr(o, key, what);
}

bool boolean(const Object::Ptr& o, const std::string& key, const std::string& what) {
    if (!o->has(key) || !o->get(key).isBoolean())
        throw ProtocolError("Pleo's answer to " + what + " lacks the boolean '" + key + "'.");
    return o->getValue<bool>(key);
}

std::int64_t integer(const Object::Ptr& o, const std::string& key, const std::string& what) {
    if (!o->has(key) || !o->get(key).isInteger())
        throw ProtocolError("Pleo's answer to " + what + " lacks the integer '" + key + "'.");
    return o->getValue<Poco::Int64>(key);
}

std::string number(const Object::Ptr& o, const std::string& key, const std::string& what) {
    if (!o->has(key) || !o->get(key).isNumeric())
        throw ProtocolError("Pleo's answer to " + what + " lacks the number '" + key + "'.");
    return o->get(key).convert<std::string>();
}

std::vector<Object::Ptr> objects(const Object::Ptr& o, const std::string& key, const std::string& what) {
    Array::Ptr a = o->has(key) ? o->getArray(key) : nullptr;
    if (!a) throw ProtocolError("Pleo's answer to " + what + " lacks the array '" + key + "'.");
    std::vector<Object::Ptr> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
        auto e = a->getObject(static_cast<unsigned>(i));
        if (!e)
            throw ProtocolError("Pleo's answer to " + what + ": '" + key + "' has an element that is not an object (position " +
                                std::to_string(i) + ").");
        out.push_back(e);
    }
    return out;
}

std::string stringify(const Object& o) {
    std::ostringstream os;
    Poco::JSON::Stringifier::stringify(o, os);
    return os.str();
}

}  // namespace json

PleoApi::PleoApi(std::string apiBase, http::ResilientClient& client, oauth::AuthorizationSource& auth)
    : apiBase_(std::move(apiBase)), client_(client), auth_(auth) {
    while (!apiBase_.empty() && apiBase_.back() == '/') apiBase_.pop_back();
}

http::HttpResponse PleoApi::call(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                                 bool idempotent) {
    const std::string endpoint = method + " " + pathAndQuery.substr(0, pathAndQuery.find('?'));
    http::HttpRequest request;
    request.method = method;
    request.url = apiBase_ + pathAndQuery;
    request.headers = {{"Accept", "application/json"}};
    if (method != "GET" && method != "DELETE") {
        request.contentType = "application/json;charset=UTF-8";
        request.body = body;
    }
    std::string header = auth_.authorizationHeader();
    request.headers.emplace_back("Authorization", header);
    http::HttpResponse response = client_.send(request, idempotent);
    if (response.status == 401) {
        // One refresh, one retry: a second 401 is final (see AuthorizationSource).
        request.headers.back().second = auth_.onUnauthorized(header);
        response = client_.send(request, idempotent);
        if (response.status == 401)
            throw AuthError("Pleo refused the connection's credential twice (" + json::errorSummary(response.body) + " on " +
                            endpoint + "); run `ledgerbridge auth login` for this connection.");
    }
    if (response.status == 403)
        throw AuthError("Pleo refused access to " + endpoint + " (" + json::errorSummary(response.body) +
                        "); the credential lacks a scope or belongs to another company. Check the connection's "
                        "company_id and run `ledgerbridge auth login` again with the needed scopes.");
    return response;
}

Object::Ptr PleoApi::expect(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                            std::initializer_list<int> ok, bool idempotent) {
    const std::string what = method + " " + pathAndQuery.substr(0, pathAndQuery.find('?'));
    http::HttpResponse r = call(method, pathAndQuery, body, idempotent);
    bool fine = false;
    for (int s : ok) fine = fine || r.status == s;
    if (!fine)
        throw HttpStatusError("Pleo answered HTTP " + std::to_string(r.status) + " to " + what + ": " +
                                  json::errorSummary(r.body),
                              r.status, redact(r.body.substr(0, 500)));
    if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) return new Object;
    return json::parse(r.body, what);
}

void PleoApi::paginate(const std::string& what, const std::function<Object::Ptr(const std::string&)>& page,
                       const std::function<bool(const Object::Ptr&)>& each) {
    std::string cursor;
    for (int n = 0; n < 100000; ++n) {
        Object::Ptr o = page(cursor);
        for (const auto& item : json::objects(o, "data", what))
            if (!each(item)) return;
        Object::Ptr p = o->has("pagination") ? o->getObject("pagination") : nullptr;
        if (!p) throw ProtocolError("Pleo's answer to " + what + " lacks 'pagination'.");
        if (!json::boolean(p, "hasNextPage", what + " (pagination)")) return;
        std::string next = json::optStr(p, "endCursor", what);
        if (next.empty()) throw ProtocolError("Pleo's answer to " + what + " says there is a next page but gives no endCursor.");
        if (next == cursor) throw ProtocolError("Pleo's answer to " + what + " repeats the same cursor.");
        cursor = next;
    }
    throw ProtocolError("Pleo's answer to " + what + " never ends (100000 pages).");
}

}  // namespace ledgerbridge::pleo
