// Fortnox master data: see FortnoxMasterData.hpp and README.md ("Master data").
#include "FortnoxMasterData.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

namespace ledgerbridge::fortnox {

namespace {
using Poco::JSON::Object;

constexpr std::size_t kMaxLimit = 500;  ///< Fortnox's largest page

struct Cursor {
    std::string resource;
    long long page = 1;
    std::size_t limit = 100;
    std::string text() const { return resource + ":" + std::to_string(page) + ":" + std::to_string(limit); }
};

bool digits(const std::string& s) {
    return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

Cursor parseCursor(const std::string& text, const std::vector<std::string>& resources, std::size_t pageSize) {
    if (text.empty()) return {resources.front(), 1, std::clamp<std::size_t>(pageSize, 1, kMaxLimit)};
    const auto a = text.find(':'), b = text.rfind(':');
    Cursor c;
    if (a != std::string::npos && b > a) {
        c.resource = text.substr(0, a);
        const std::string page = text.substr(a + 1, b - a - 1), limit = text.substr(b + 1);
        if (digits(page) && digits(limit) && std::count(resources.begin(), resources.end(), c.resource)) {
            c.page = std::stoll(page);
            c.limit = std::stoul(limit);
            if (c.page >= 1 && c.limit >= 1 && c.limit <= kMaxLimit) return c;
        }
    }
    throw sdk::Error(LB_ERR_INVALID_ARGUMENT, "master-data cursor '" + text + "' is not one this plugin gave");
}

std::string text(const Object::Ptr& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key) ? o->get(key).convert<std::string>() : std::string();
}

bool flag(const Object::Ptr& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key) && o->get(key).convert<bool>();
}

struct Page {
    std::vector<Object::Ptr> items;
    long long totalPages = 1, totalResources = 0;
};

/// One page of GET /3/<resource>?page=&limit=, its items in `member`.
Page fetch(FortnoxApi& api, const Cursor& c, const std::string& member) {
    const sdk::HttpResponse r =
        api.get("/" + c.resource + "?page=" + std::to_string(c.page) + "&limit=" + std::to_string(c.limit));
    FortnoxApi::throwIfUnauthorised(r, "GET " + c.resource);
    if (r.status != 200)
        throw sdk::Error(LB_ERR_TARGET, "GET " + c.resource + ": Fortnox answered " + std::to_string(r.status) + ": " +
                                            parseError(r).message);
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(r.body).extract<Object::Ptr>();
        const auto list = root ? root->getArray(member) : nullptr;
        const auto meta = root ? root->getObject("MetaInformation") : nullptr;
        if (!list || !meta) throw std::runtime_error("no " + member + " or MetaInformation");
        Page p;
        p.totalPages = meta->getValue<long long>("@TotalPages");
        p.totalResources = meta->getValue<long long>("@TotalResources");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto o = list->getObject(static_cast<unsigned>(i));
            if (!o) throw std::runtime_error(member + " item " + std::to_string(i + 1) + " is not an object");
            p.items.push_back(o);
        }
        return p;
    } catch (const Poco::Exception& e) {
        throw sdk::Error(LB_ERR_TARGET, "GET " + c.resource + ": Fortnox's answer could not be read: " + e.displayText());
    } catch (const std::exception& e) {
        throw sdk::Error(LB_ERR_TARGET, "GET " + c.resource + ": Fortnox's answer could not be read: " + e.what());
    }
}

std::string memberOf(const std::string& resource) {
    if (resource == "accounts") return "Accounts";
    if (resource == "costcenters") return "CostCenters";
    if (resource == "projects") return "Projects";
    return "Suppliers";
}

/// A record of `kind` from one Fortnox item; throws naming the item when it lacks its id.
sdk::MasterRecord recordOf(sdk::MasterKind kind, const std::string& resource, const Object::Ptr& o) {
    sdk::MasterRecord r;
    r.kind = kind;
    if (resource == "accounts") {
        r.id = r.code = text(o, "Number");
        r.name = text(o, "Description");
        r.archived = !flag(o, "Active");
        r.type = basAccountType(r.code);
    } else if (resource == "costcenters") {
        r.code = text(o, "Code");
        r.id = "costcenter:" + r.code;
        r.parentId = "costcenter";
        r.name = text(o, "Description");
        r.archived = !flag(o, "Active");
    } else if (resource == "projects") {
        r.code = text(o, "ProjectNumber");
        r.id = "project:" + r.code;
        r.parentId = "project";
        r.name = text(o, "Description");
        r.archived = text(o, "Status") == "COMPLETED";
    } else {
        r.id = r.code = text(o, "SupplierNumber");
        r.name = text(o, "Name");
        r.archived = !flag(o, "Active");
        r.registrationNumber = text(o, "OrganisationNumber");
        r.vatNumber = text(o, "VATNumber");
        r.country = text(o, "CountryCode");
        r.currency = text(o, "Currency");
    }
    if (r.code.empty())
        throw sdk::Error(LB_ERR_TARGET, "GET " + resource + ": an item without its number/code");
    if (r.name.empty()) r.name = r.code;
    return r;
}
}  // namespace

std::string basAccountType(const std::string& n) {
    if (n.size() != 4 || n.find_first_not_of("0123456789") != std::string::npos) return "other";
    switch (n[0]) {
    case '1': return "asset";
    case '2': return n[1] == '0' ? "equity" : "liability";
    case '3': return "revenue";
    case '4': case '5': case '6': case '7': return "expense";
    default: return "other";
    }
}

sdk::MasterDataPage FortnoxMasterData::read(const sdk::MasterDataRequest& request) {
    sdk::MasterDataPage out;
    switch (request.kind) {
    case sdk::MasterKind::TaxCode:
        throw sdk::Error(LB_ERR_UNSUPPORTED, "Fortnox's API documents no list of VAT codes; tax codes are not read");
    case sdk::MasterKind::Dimension: {
        // Fortnox has two fixed dimensions; each is listed when it has values (one GET each).
        // Cursor "dimensions:<offset>" into that list of at most two.
        std::size_t offset = 0;
        if (!request.cursor.empty()) {
            if (request.cursor != "dimensions:1")
                throw sdk::Error(LB_ERR_INVALID_ARGUMENT,
                                 "master-data cursor '" + request.cursor + "' is not one this plugin gave");
            offset = 1;
        }
        std::vector<sdk::MasterRecord> all;
        for (const auto& [resource, id, name] :
             {std::tuple<std::string, std::string, std::string>{"costcenters", "costcenter", "Kostnadsställe"},
              {"projects", "project", "Projekt"}})
            if (fetch(api_, Cursor{resource, 1, 1}, memberOf(resource)).totalResources > 0) {
                sdk::MasterRecord r;
                r.kind = sdk::MasterKind::Dimension;
                r.id = r.code = id;
                r.name = name;
                all.push_back(r);
            }
        const std::size_t size = std::max<std::size_t>(1, request.pageSize);
        for (std::size_t i = offset; i < all.size() && i < offset + size; ++i) out.records.push_back(all[i]);
        if (offset + size < all.size()) out.nextCursor = "dimensions:" + std::to_string(offset + size);
        return out;
    }
    default: break;
    }
    std::vector<std::string> resources;
    if (request.kind == sdk::MasterKind::Account) resources = {"accounts"};
    else if (request.kind == sdk::MasterKind::Supplier) resources = {"suppliers"};
    else if (request.kind == sdk::MasterKind::DimensionValue) resources = {"costcenters", "projects"};
    else throw sdk::Error(LB_ERR_UNSUPPORTED, "this plugin reads no " + sdk::masterKindName(request.kind) + " master data");

    Cursor c = parseCursor(request.cursor, resources, request.pageSize);
    for (;;) {
        const Page page = fetch(api_, c, memberOf(c.resource));
        for (const auto& o : page.items) out.records.push_back(recordOf(request.kind, c.resource, o));
        if (c.page < page.totalPages) {
            out.nextCursor = Cursor{c.resource, c.page + 1, c.limit}.text();
            return out;
        }
        // The last page of this resource: go on with the next one (dimension values: projects
        // after cost centres) in this call when nothing was read yet, so no page is empty
        // before the last; else only when it has something (one GET with limit 1).
        const auto next = std::find(resources.begin(), resources.end(), c.resource) + 1;
        if (next == resources.end()) return out;
        const Cursor following{*next, 1, c.limit};
        if (out.records.empty()) {
            c = following;
            continue;
        }
        if (fetch(api_, Cursor{*next, 1, 1}, memberOf(*next)).totalResources > 0) out.nextCursor = following.text();
        return out;
    }
}

}  // namespace ledgerbridge::fortnox
