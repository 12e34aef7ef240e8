// The Xero test double's master data: see XeroDoubleMasterData.hpp. Answers are shaped as
// Xero's OpenAPI declares them (Prism validates them in XeroPrismTest).
#include "XeroDoubleMasterData.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace ledgerbridge::xerotest::doubledetail {

namespace {
using Poco::JSON::Array;
using Poco::JSON::Object;
using Org = XeroDouble::Organisation;

std::string stringify(const Object::Ptr& o) {
    std::ostringstream s;
    o->stringify(s);
    return s.str();
}

std::string derivedId(const std::string& what) {
    return Poco::UUIDGenerator::defaultGenerator().createFromName(Poco::UUID::oid(), "xero-double:" + what).toString();
}

std::string xeroDate(long long ms) { return "/Date(" + std::to_string(ms) + "+0000)/"; }

void setIf(Object::Ptr o, const std::string& key, const std::string& value) {
    if (!value.empty()) o->set(key, value);
}

/// -1 when the header is absent; throws std::runtime_error when it is not a date-time.
long long sinceMs(const std::string& header) {
    if (header.empty()) return -1;
    Poco::DateTime dt;
    int tzd = 0;
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, header, dt, tzd))
        throw std::runtime_error("If-Modified-Since '" + header + "' is not a date-time");
    dt.makeUTC(tzd);
    return dt.timestamp().epochMicroseconds() / 1000;
}

Answer wrap(const std::string& name, const Array::Ptr& list) {
    Object::Ptr answer = new Object;
    answer->set(name, list);
    return {200, stringify(answer)};
}

Answer accounts(const Org& org, const std::map<std::string, std::string>& query, long long since) {
    const auto where = query.find("where");
    const auto terms = parseWhere(where == query.end() ? "" : where->second);
    Array::Ptr list = new Array;
    for (const auto& a : org.chart) {
        if (since >= 0 && a.updatedMs < since) continue;
        Object::Ptr o = new Object;
        o->set("AccountID", a.id);
        setIf(o, "Code", a.code);
        o->set("Name", a.name);
        o->set("Type", a.type);
        o->set("Status", a.status);
        setIf(o, "TaxType", a.taxType);
        if (a.updatedMs) o->set("UpdatedDateUTC", xeroDate(a.updatedMs));
        if (matchesWhere(o, terms)) list->add(o);
    }
    return wrap("Accounts", list);
}

/// Poco writes numbers through a double; Xero's rates go out as the exact text the test gave.
Answer taxRates(const Org& org) {
    std::string body = "{\"TaxRates\":[";
    for (std::size_t i = 0; i < org.taxRates.size(); ++i) {
        const auto& t = org.taxRates[i];
        Object::Ptr o = new Object;
        o->set("Name", t.name);
        o->set("TaxType", t.taxType);
        o->set("Status", t.status);
        setIf(o, "ReportTaxType", t.reportTaxType);
        o->set("CanApplyToExpenses", true);
        std::string json = stringify(o);
        json.pop_back();  // the closing brace: the numbers follow
        body += (i ? "," : "") + json + ",\"DisplayTaxRate\":" + t.displayTaxRate + ",\"EffectiveRate\":" + t.effectiveRate + "}";
    }
    return {200, body + "]}"};
}

/// Xero leaves out deleted categories and options, and archived ones unless includeArchived.
bool listed(const std::string& status, bool includeArchived) {
    return status != "DELETED" && (status != "ARCHIVED" || includeArchived);
}

/// {"<idField>": id, "Name": name, "Status": status}
Object::Ptr named(const char* idField, const std::string& id, const std::string& name, const std::string& status) {
    Object::Ptr o = new Object;
    o->set(idField, id);
    o->set("Name", name);
    o->set("Status", status);
    return o;
}

Answer trackingCategories(const Org& org, bool includeArchived) {
    Array::Ptr list = new Array;
    for (const auto& c : org.trackingCategories) {
        if (!listed(c.status, includeArchived)) continue;
        Object::Ptr o = named("TrackingCategoryID", c.id, c.name, c.status);
        Array::Ptr options = new Array;
        for (const auto& opt : c.options)
            if (listed(opt.status, includeArchived)) options->add(named("TrackingOptionID", opt.id, opt.name, opt.status));
        o->set("Options", options);
        list->add(o);
    }
    return wrap("TrackingCategories", list);
}

Object::Ptr contactJson(const XeroDouble::Contact& c) {
    Object::Ptr o = new Object;
    o->set("ContactID", c.id);
    setIf(o, "ContactNumber", c.contactNumber);
    setIf(o, "AccountNumber", c.accountNumber);
    o->set("ContactStatus", c.status);
    o->set("Name", c.name);
    setIf(o, "CompanyNumber", c.companyNumber);
    setIf(o, "TaxNumber", c.taxNumber);
    Array::Ptr addresses = new Array;
    for (const auto& a : c.addresses) {
        Object::Ptr p = new Object;
        p->set("AddressType", a.type);
        p->set("City", "");
        p->set("Country", a.country);
        addresses->add(p);
    }
    o->set("Addresses", addresses);
    o->set("IsSupplier", c.supplier);
    o->set("IsCustomer", !c.supplier);
    setIf(o, "DefaultCurrency", c.defaultCurrency);
    setIf(o, "PurchasesDefaultAccountCode", c.purchasesAccountCode);
    if (c.updatedMs) o->set("UpdatedDateUTC", xeroDate(c.updatedMs));
    o->set("HasAttachments", false);
    return o;
}

Answer contacts(const Org& org, const std::map<std::string, std::string>& query, long long since) {
    auto param = [&](const std::string& k) {
        const auto it = query.find(k);
        return it == query.end() ? std::string() : it->second;
    };
    const auto terms = parseWhere(param("where"));
    std::vector<const XeroDouble::Contact*> selected;
    for (const auto& c : org.contacts) {
        if (c.status == "ARCHIVED" && param("includeArchived") != "true") continue;
        if (since >= 0 && c.updatedMs < since) continue;
        if (matchesWhere(contactJson(c), terms)) selected.push_back(&c);
    }
    const std::string order = param("order");
    if (order == "ContactID ASC" || order == "ContactID")
        std::sort(selected.begin(), selected.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    else if (!order.empty())
        throw std::runtime_error("the double orders contacts by ContactID only, not '" + order + "'");

    Object::Ptr answer = new Object;
    std::size_t from = 0, to = selected.size();
    if (!param("page").empty()) {
        const long page = std::stol(param("page"));
        const long size = param("pageSize").empty() ? 100 : std::min(1000L, std::stol(param("pageSize")));
        if (page < 1 || size < 1) throw std::runtime_error("page and pageSize start at 1");
        from = std::min(selected.size(), static_cast<std::size_t>((page - 1) * size));
        to = std::min(selected.size(), from + static_cast<std::size_t>(size));
        Object::Ptr pagination = new Object;
        pagination->set("page", static_cast<int>(page));
        pagination->set("pageSize", static_cast<int>(size));
        pagination->set("pageCount", static_cast<int>((selected.size() + static_cast<std::size_t>(size) - 1) /
                                                      static_cast<std::size_t>(size)));
        pagination->set("itemCount", static_cast<int>(selected.size()));
        answer->set("pagination", pagination);
    }
    Array::Ptr list = new Array;
    for (std::size_t i = from; i < to; ++i) list->add(contactJson(*selected[i]));
    answer->set("Contacts", list);
    return {200, stringify(answer)};
}
}  // namespace

void completeOrganisation(Org& org) {
    if (org.chart.empty()) {
        for (const auto& [code, type] : org.accounts)
            org.chart.push_back({"0c1a2b3c-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, code.size()), '0') + code,
                                 code, "Account " + code, type, "ACTIVE", "", 0});
    } else {
        org.accounts.clear();
        for (const auto& a : org.chart)
            if (a.status == "ACTIVE" && !a.code.empty()) org.accounts[a.code] = a.type;
    }
    if (org.taxRates.empty()) {
        for (const auto& t : org.taxTypes) org.taxRates.push_back({t, t, "ACTIVE", "", "0.0000", "0.0000"});
    } else {
        org.taxTypes.clear();
        for (const auto& t : org.taxRates)
            if (t.status == "ACTIVE") org.taxTypes.insert(t.taxType);
    }
    if (org.trackingCategories.empty()) {
        for (const auto& [name, options] : org.tracking) {
            XeroDouble::TrackingCategory c{derivedId("category:" + name), name, "ACTIVE", {}};
            for (const auto& option : options)
                c.options.push_back({derivedId("option:" + name + ":" + option), option, "ACTIVE"});
            org.trackingCategories.push_back(c);
        }
    } else {
        org.tracking.clear();
        for (const auto& c : org.trackingCategories) {
            if (c.status != "ACTIVE") continue;
            auto& options = org.tracking[c.name];
            for (const auto& o : c.options)
                if (o.status == "ACTIVE") options.insert(o.name);
        }
    }
}

std::optional<Answer> serveMasterData(const Org& org, const std::vector<std::string>& segments,
                                      const std::map<std::string, std::string>& query, const std::string& ifModifiedSince) {
    if (segments.size() != 1) return std::nullopt;
    const std::string& what = segments[0];
    if (what == "Accounts") return accounts(org, query, sinceMs(ifModifiedSince));
    if (what == "TaxRates") return taxRates(org);
    if (what == "TrackingCategories") {
        const auto it = query.find("includeArchived");
        return trackingCategories(org, it != query.end() && it->second == "true");
    }
    if (what == "Contacts") return contacts(org, query, sinceMs(ifModifiedSince));
    return std::nullopt;
}

}  // namespace ledgerbridge::xerotest::doubledetail
