// Handlers of /v1/companies and /v2/employees.
#include "DirectoryHandlers.h"

#include <Poco/JSON/Array.h>

#include "Auth.h"
#include "Cursor.h"
#include "Ids.h"

namespace lbsim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr companyJson(const Company& c) {
    Object::Ptr o = new Object;
    o->set("id", c.id);
    o->set("name", c.name);
    Object::Ptr address = new Object;
    address->set("addressLine1", "Ravnsborggade " + std::to_string(2 + c.index));
    address->set("locality", "Copenhagen");
    address->set("postalCode", "2200");
    address->set("country", "DK");
    o->set("address", address);
    return o;
}

// "Ada Lovelace" -> first "Ada", last "Lovelace"; the username is the email's local part.
Object::Ptr employeeJson(const Company& c, const Employee& e) {
    Object::Ptr o = new Object;
    o->set("id", e.id);
    o->set("companyId", c.id);
    o->set("code", e.code);
    const auto space = e.name.find(' ');
    o->set("firstName", e.name.substr(0, space));
    o->set("lastName", space == std::string::npos ? std::string() : e.name.substr(space + 1));
    o->set("email", e.username + "@" + "company" + std::to_string(c.index) + ".example");
    return o;
}

Reply paged(const Request& req, const std::vector<Object::Ptr>& rows, const std::vector<std::string>& filters) {
    PageRequest pr = parsePageRequest(req, filters);
    auto key = [](std::size_t i) -> std::uint64_t { return i; };
    PageSlice slice = slicePage(pr, rows.size(), key);
    Array::Ptr arr = new Array;
    for (std::size_t i = slice.begin; i < slice.end; ++i) arr->add(rows[i]);
    Object::Ptr out = new Object;
    out->set("data", arr);
    out->set("pagination", pageInfo(pr, slice, rows.size(), key));
    return jsonReply(200, out);
}

Reply data(const Object::Ptr& o) {
    Object::Ptr out = new Object;
    out->set("data", o);
    return jsonReply(200, out);
}

}  // namespace

Reply routeDirectory(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    std::lock_guard<std::mutex> lock(s.mutex);
    const std::string& m = req.method;
    if (m == "GET" && seg[0] == "v1" && seg[1] == "companies") {
        Principal p = authenticate(s, req, "companies:read");
        const Company& own = s.catalog.companies().at(static_cast<std::size_t>(p.company));
        if (seg.size() == 2) {
            routeName = "GET /v1/companies";
            if (req.has("organization_id"))
                throw ApiError(403, "FORBIDDEN", "The credential belongs to one company, not to an organization.");
            return paged(req, {companyJson(own)}, {});
        }
        routeName = "GET /v1/companies/{companyId}";
        if (!isUuid(seg[2])) throw ApiError(400, "INVALID_COMPANY_ID", "companyId must be a UUID.");
        const Company* c = s.catalog.byId(seg[2]);
        if (!c) throw ApiError(404, "COMPANY_NOT_FOUND", "Company " + seg[2] + " not found.");
        if (c->index != p.company) throw ApiError(403, "FORBIDDEN", "The credential is not valid for this company.");
        return data(companyJson(*c));
    }
    if (m == "GET" && seg[0] == "v2" && seg[1] == "employees") {
        Principal p = authenticate(s, req, "employees:read");
        const Company& own = s.catalog.companies().at(static_cast<std::size_t>(p.company));
        if (seg.size() == 2) {
            routeName = "GET /v2/employees";
            checkCompanyParam(s, p, req.param("companyId"));
            std::vector<Object::Ptr> rows;
            for (const auto& e : own.employees) {
                Object::Ptr o = employeeJson(own, e);
                if (req.has("email") && o->getValue<std::string>("email") != req.param("email")) continue;
                if (req.has("code") && e.code != req.param("code")) continue;
                rows.push_back(o);
            }
            return paged(req, rows, {"companyId", "email", "code"});
        }
        routeName = "GET /v2/employees/{employeeId}";
        for (const auto& e : own.employees)
            if (e.id == seg[2]) return data(employeeJson(own, e));
        throw ApiError(404, "EMPLOYEE_NOT_FOUND", "Employee " + seg[2] + " not found.");
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

}  // namespace lbsim
