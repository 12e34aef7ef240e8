// Handlers of /v1/subscriptions...
#include "SubscriptionHandlers.h"

#include <Poco/JSON/Array.h>

#include "Auth.h"
#include "Clock.h"
#include "Cursor.h"

namespace lbsim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The event types the simulator publishes; others are accepted but never fire.
Object::Ptr model(const Subscription& sub) {
    Object::Ptr o = new Object;
    o->set("id", sub.id);
    o->set("endpointUrl", sub.url);
    Array::Ptr ev = new Array;
    for (const auto& e : sub.events) ev->add(e);
    o->set("eventTypes", ev);
    o->set("status", sub.status);
    o->set("createdAt", sub.createdAt);
    o->set("updatedAt", sub.updatedAt);
    return o;
}

struct Fields {
    std::string url, status;
    std::vector<std::string> events;
};

Fields parse(const Request& req) {
    if (req.body.empty()) throw ApiError(400, "INVALID_REQUEST_BODY", "A JSON body is required.");
    Poco::Dynamic::Var v = parseJsonBody(req.body);
    if (v.type() != typeid(Object::Ptr)) throw ApiError(400, "INVALID_REQUEST_BODY", "The body must be a JSON object.");
    Object::Ptr b = v.extract<Object::Ptr>();
    Fields f;
    f.url = stringField(b, "endpointUrl");
    if (f.url.empty() || !b->has("eventTypes"))
        throw ApiError(400, "MISSING_REQUIRED_FIELDS", "endpointUrl and eventTypes are required.");
    if (f.url.rfind("https://", 0) != 0 && f.url.rfind("http://", 0) != 0)
        throw ApiError(400, "INVALID_ENDPOINT_URL", "endpointUrl must be an http(s) URL.");
    Array::Ptr ev = b->getArray("eventTypes");
    if (!ev || ev->size() == 0) throw ApiError(400, "INVALID_REQUEST_BODY", "eventTypes must be a non-empty array of strings.");
    for (std::size_t i = 0; i < ev->size(); ++i) {
        Poco::Dynamic::Var e = ev->get(static_cast<unsigned>(i));
        if (!e.isString()) throw ApiError(400, "INVALID_REQUEST_BODY", "eventTypes[" + std::to_string(i) + "] must be a string.");
        f.events.push_back(e.extract<std::string>());
    }
    f.status = stringField(b, "status");
    if (!f.status.empty() && f.status != "ACTIVE" && f.status != "INACTIVE")
        throw ApiError(400, "INVALID_REQUEST_BODY", "status must be ACTIVE or INACTIVE.");
    return f;
}

const Subscription* findSub(const std::vector<Subscription>& subs, const std::string& id) {
    for (const auto& s : subs)
        if (s.id == id) return &s;
    return nullptr;
}

Reply data(const Object::Ptr& o) {
    Object::Ptr out = new Object;
    out->set("data", o);
    return jsonReply(200, out);
}

}  // namespace

Reply routeSubscriptions(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    std::lock_guard<std::mutex> lock(s.mutex);
    const std::string& m = req.method;
    Principal p = authenticate(s, req, m == "GET" ? "subscriptions:read" : "subscriptions:write");
    const std::string company = s.catalog.companies().at(static_cast<std::size_t>(p.company)).id;
    const std::string now = isoTime(s.clock.now());
    if (seg.size() == 2) {
        routeName = m + " /v1/subscriptions";
        if (m == "POST") {
            Fields f = parse(req);
            return data(model(s.webhooks.subscribeCompany(company, f.url, f.events, f.status, now)));
        }
        if (m == "GET") {
            const std::string status = req.param("status");
            auto types = req.params("event_types");
            std::vector<Subscription> rows;
            for (const auto& sub : s.webhooks.ofCompany(company)) {
                if (!status.empty() && sub.status != status) continue;
                bool typed = types.empty();
                for (const auto& t : types)
                    for (const auto& e : sub.events) typed = typed || t == e;
                if (typed) rows.push_back(sub);
            }
            PageRequest pr = parsePageRequest(req, {"status", "event_types"});
            auto key = [](std::size_t i) -> std::uint64_t { return i; };
            PageSlice slice = slicePage(pr, rows.size(), key);
            Array::Ptr arr = new Array;
            for (std::size_t i = slice.begin; i < slice.end; ++i) arr->add(model(rows[i]));
            Object::Ptr out = new Object;
            out->set("data", arr);
            out->set("pagination", pageInfo(pr, slice, rows.size(), key));
            return jsonReply(200, out);
        }
    }
    if (seg.size() >= 3) {
        const std::string& id = seg[2];
        const auto subs = s.webhooks.ofCompany(company);
        const Subscription* sub = findSub(subs, id);
        if (seg.size() == 3) routeName = m + " /v1/subscriptions/{id}";
        if (seg.size() == 4) routeName = m + " /v1/subscriptions/{id}/" + seg[3];
        if (!sub) throw ApiError(404, "SUBSCRIPTION_NOT_FOUND", "Subscription " + id + " not found.");
        if (seg.size() == 3 && m == "GET") return data(model(*sub));
        if (seg.size() == 3 && m == "PUT") {
            Fields f = parse(req);
            s.webhooks.update(company, id, f.url, f.events, f.status, now);
            return data(model(*findSub(s.webhooks.ofCompany(company), id)));
        }
        if (seg.size() == 3 && m == "DELETE") {
            s.webhooks.remove(company, id);
            Reply r;
            r.status = 204;
            r.contentType = "";
            return r;
        }
        if (seg.size() == 4 && seg[3] == "secret" && m == "GET") {
            Object::Ptr o = new Object;
            o->set("secretKey", sub->secret);
            return data(o);
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

}  // namespace lbsim
