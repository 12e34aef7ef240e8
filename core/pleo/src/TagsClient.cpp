// Pleo's tag groups and tags: see TagsClient.h.
#include "ledgerbridge/pleo/TagsClient.h"

#include <Poco/JSON/Array.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ExportsClient.h"

namespace ledgerbridge::pleo {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

TagGroup readGroup(const Object::Ptr& o, const std::string& what) {
    return {json::str(o, "id", what), json::str(o, "companyId", what), json::str(o, "code", what), json::str(o, "name", what),
            json::boolean(o, "archived", what)};
}

Tag readTag(const Object::Ptr& o, const std::string& what) {
    return {json::str(o, "id", what), json::str(o, "groupId", what), json::str(o, "code", what), json::optStr(o, "name", what),
            json::boolean(o, "archived", what)};
}

std::string tagBody(const std::string& code, const std::string& name, bool archived) {
    if (code.empty()) throw UsageError("A Pleo tag needs a code (name '" + name + "').");
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("archived", archived);
    body.set("code", code);
    if (!name.empty()) body.set("name", name);
    return json::stringify(body);
}

}  // namespace

std::vector<TagGroup> TagsClient::groups(const std::string& companyId, bool includeArchived) {
    const std::string what = "GET /v0/tag-groups";
    auto o = api_.expect("GET", "/v0/tag-groups?company_id=" + json::enc(companyUuid(companyId)) +
                                    "&include_archived=" + (includeArchived ? "true" : "false"),
                         "", {200});
    std::vector<TagGroup> out;
    for (const auto& g : json::objects(o, "data", what)) out.push_back(readGroup(g, what));
    return out;
}

TagGroup TagsClient::createGroup(const std::string& companyId, const std::string& code, const std::string& name) {
    const std::string what = "POST /v0/tag-groups";
    if (code.empty() || name.empty()) throw UsageError("A Pleo tag group needs a code and a name ('" + code + "', '" + name + "').");
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("archived", false);
    body.set("code", code);
    body.set("name", name);
    auto o = api_.expect("POST", "/v0/tag-groups?company_id=" + json::enc(companyUuid(companyId)), json::stringify(body), {200, 201},
                         false);
    return readGroup(json::data(o, what), what);
}

TagGroup TagsClient::updateGroup(const TagGroup& g) {
    const std::string what = "PUT /v0/tag-groups/" + g.id;
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("archived", g.archived);
    body.set("code", g.code);
    body.set("metadata", Object());
    body.set("name", g.name);
    return readGroup(json::data(api_.expect("PUT", "/v0/tag-groups/" + json::enc(g.id), json::stringify(body), {200}), what), what);
}

std::vector<Tag> TagsClient::tags(const std::string& groupId, bool includeArchived) {
    const std::string what = "GET /v0/tag-groups/" + groupId + "/tags";
    std::vector<Tag> out;
    PleoApi::paginate(
        what,
        [&](const std::string& cursor) {
            std::string q = "/v0/tag-groups/" + json::enc(groupId) + "/tags?limit=100&include_archived=" +
                            (includeArchived ? "true" : "false");
            if (!cursor.empty()) q += "&after=" + json::enc(cursor);
            return api_.expect("GET", q, "", {200});
        },
        [&](const Object::Ptr& item) {
            out.push_back(readTag(item, what));
            return true;
        });
    return out;
}

Tag TagsClient::createTag(const std::string& groupId, const std::string& code, const std::string& name) {
    const std::string what = "POST /v0/tag-groups/" + groupId + "/tags";
    auto o = api_.expect("POST", "/v0/tag-groups/" + json::enc(groupId) + "/tags", tagBody(code, name, false), {200, 201}, false);
    return readTag(json::data(o, what), what);
}

Tag TagsClient::updateTag(const Tag& t) {
    const std::string what = "PUT /v0/tags/" + t.id;
    return readTag(json::data(api_.expect("PUT", "/v0/tags/" + json::enc(t.id), tagBody(t.code, t.name, t.archived), {200}), what),
                   what);
}

std::vector<Tag> TagsClient::archiveTags(const std::string& companyId, const std::vector<std::string>& tagIds) {
    const std::string what = "POST /v0/tags/archive";
    if (tagIds.empty()) return {};
    Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("archived", true);
    body.set("companyId", companyUuid(companyId));
    Array ids;
    for (const auto& id : tagIds) ids.add(id);
    body.set("tagIds", ids);
    auto o = api_.expect("POST", "/v0/tags/archive", json::stringify(body), {200}, true);
    std::vector<Tag> out;
    for (const auto& t : json::objects(o, "data", what)) out.push_back(readTag(t, what));
    return out;
}

}  // namespace ledgerbridge::pleo
