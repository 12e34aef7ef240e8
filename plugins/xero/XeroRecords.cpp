// Xero master-data objects -> sdk::MasterRecord: see XeroRecords.hpp.
#include "XeroRecords.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <ctime>
#include <initializer_list>

#include "Countries.hpp"

namespace ledgerbridge::xero {

namespace {
using Poco::JSON::Object;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool allDigits(const std::string& s, std::size_t from, std::size_t count) {
    if (from + count > s.size()) return false;
    for (std::size_t i = from; i < from + count; ++i)
        if (!isDigit(s[i])) return false;
    return true;
}

/// Every number token outside strings wrapped in quotes; strings are copied with their escapes.
std::string quoteNumbers(const std::string& json) {
    std::string out;
    out.reserve(json.size() + json.size() / 8);
    for (std::size_t i = 0; i < json.size();) {
        const char c = json[i];
        if (c == '"') {
            const std::size_t start = i++;
            while (i < json.size() && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
            i = std::min(i + 1, json.size());
            out.append(json, start, i - start);
        } else if (c == '-' || isDigit(c)) {
            const std::size_t start = i;
            while (i < json.size() && (isDigit(json[i]) || json[i] == '-' || json[i] == '+' || json[i] == '.' ||
                                       json[i] == 'e' || json[i] == 'E'))
                ++i;
            out += '"';
            out.append(json, start, i - start);
            out += '"';
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

std::string text(const Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    try {
        return o->get(key).convert<std::string>();
    } catch (const Poco::Exception&) {
        return {};
    }
}

/// A field the record cannot be without; `what` names the record for the error.
std::string required(const Object::Ptr& o, const std::string& key, const std::string& what) {
    std::string v = text(o, key);
    if (v.empty()) throw BadRecord("Xero sent " + what + " without " + key);
    return v;
}

/// Archived in the model: any status but ACTIVE (ARCHIVED, DELETED, PENDING); none sent: active.
bool inactive(const Object::Ptr& o) {
    const std::string status = text(o, "Status");
    return !status.empty() && status != "ACTIVE";
}

std::string updatedAt(const Object::Ptr& o, const std::string& what) {
    try {
        return isoFromXeroDate(text(o, "UpdatedDateUTC"));
    } catch (const BadRecord& e) {
        throw BadRecord(what + ": UpdatedDateUTC " + e.what());
    }
}

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool oneOf(const std::string& v, std::initializer_list<const char*> values) {
    for (const char* x : values)
        if (v == x) return true;
    return false;
}

}  // namespace

Poco::JSON::Object::Ptr parseKeepingNumbers(const std::string& json) {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(quoteNumbers(json)).extract<Object::Ptr>();
    if (!root) throw Poco::JSON::JSONException("the answer is not a JSON object");
    return root;
}

std::string exactDecimal(const std::string& number) {
    // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    std::size_t i = 0;
    const bool negative = i < number.size() && number[i] == '-';
    if (negative) ++i;
    const std::size_t intStart = i;
    while (i < number.size() && isDigit(number[i])) ++i;
    std::string digits = number.substr(intStart, i - intStart);
    const bool intOk = !digits.empty() && (digits.size() == 1 || digits[0] != '0');
    long point = static_cast<long>(digits.size());  // digits before the decimal point
    bool fracOk = true;
    if (i < number.size() && number[i] == '.') {
        const std::size_t fracStart = ++i;
        while (i < number.size() && isDigit(number[i])) ++i;
        fracOk = i > fracStart;
        digits += number.substr(fracStart, i - fracStart);
    }
    bool expOk = true;
    if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
        ++i;
        const bool expNegative = i < number.size() && number[i] == '-';
        if (i < number.size() && (number[i] == '-' || number[i] == '+')) ++i;
        const std::size_t expStart = i;
        while (i < number.size() && isDigit(number[i])) ++i;
        expOk = i > expStart && i - expStart <= 3;  // |exponent| < 1000 keeps the text bounded
        if (expOk) point += (expNegative ? -1 : 1) * std::stol(number.substr(expStart, i - expStart));
    }
    if (!intOk || !fracOk || !expOk || i != number.size()) throw BadRecord("'" + number + "' is not a JSON number");

    // digits with the decimal point after `point` of them; strip zeros that carry nothing.
    while (!digits.empty() && digits[0] == '0') digits.erase(0, 1), --point;
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (digits.empty()) return "0";
    std::string out;
    if (point <= 0) out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    else if (static_cast<std::size_t>(point) >= digits.size())
        out = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    else out = digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
    return negative ? "-" + out : out;
}

std::string isoFromXeroDate(const std::string& d) {
    if (d.empty()) return {};
    const std::string open = "/Date(";
    std::size_t i = open.size();
    if (d.rfind(open, 0) != 0 || d.size() < open.size() + 3 || d.compare(d.size() - 2, 2, ")/") != 0)
        throw BadRecord("'" + d + "' is not a Xero date (/Date(milliseconds+0000)/)");
    const bool negative = d[i] == '-';
    if (negative) ++i;
    const std::size_t start = i;
    while (i < d.size() && isDigit(d[i])) ++i;
    const std::size_t end = d.size() - 2;
    // The milliseconds are UTC; an offset (+0000) only says which zone the value was entered in.
    const bool offsetOk = i == end || (i + 5 == end && (d[i] == '+' || d[i] == '-') && allDigits(d, i + 1, 4));
    if (i == start || i - start > 15 || !offsetOk) throw BadRecord("'" + d + "' is not a Xero date (/Date(milliseconds+0000)/)");
    long long ms = std::stoll(d.substr(start, i - start));
    if (negative) ms = -ms;
    long long seconds = ms / 1000, millis = ms % 1000;
    if (millis < 0) millis += 1000, seconds -= 1;
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (!gmtime_r(&t, &tm)) throw BadRecord("'" + d + "' is out of range");
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (millis) {
        const std::string m = std::to_string(1000 + millis);
        out += "." + m.substr(1);
    }
    return out + "Z";
}

std::string ifModifiedSince(const std::string& v) {
    auto bad = [&] {
        return std::invalid_argument("changed_since '" + v +
                                     "' is not an ISO-8601 date or UTC date-time (2026-03-01 or 2026-03-01T12:00:00Z)");
    };
    // YYYY-MM-DD
    if (!(allDigits(v, 0, 4) && v.size() >= 10 && v[4] == '-' && allDigits(v, 5, 2) && v[7] == '-' && allDigits(v, 8, 2)))
        throw bad();
    const int month = std::stoi(v.substr(5, 2)), day = std::stoi(v.substr(8, 2));
    if (month < 1 || month > 12 || day < 1 || day > 31) throw bad();
    if (v.size() == 10) return v + "T00:00:00Z";
    // THH:MM:SS
    if (!(v.size() >= 19 && (v[10] == 'T' || v[10] == 't') && allDigits(v, 11, 2) && v[13] == ':' && allDigits(v, 14, 2) && v[16] == ':' &&
          allDigits(v, 17, 2)))
        throw bad();
    if (std::stoi(v.substr(11, 2)) > 23 || std::stoi(v.substr(14, 2)) > 59 || std::stoi(v.substr(17, 2)) > 60) throw bad();
    std::size_t i = 19;
    if (i < v.size() && v[i] == '.') {
        const std::size_t start = ++i;
        while (i < v.size() && isDigit(v[i])) ++i;
        if (i == start) throw bad();
    }
    std::string out = v.substr(0, 10) + "T" + v.substr(11, i - 11);
    const std::string zone = v.substr(i);
    if (zone.empty() || zone == "Z" || zone == "z") return out + "Z";
    if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && allDigits(zone, 1, 2) && zone[3] == ':' &&
        allDigits(zone, 4, 2))
        return out + zone;
    throw bad();
}

std::string accountType(const std::string& type, const std::string& xeroClass) {
    if (oneOf(type, {"EXPENSE", "DIRECTCOSTS", "OVERHEADS", "DEPRECIATN"})) return "expense";
    if (oneOf(type, {"BANK", "CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT"})) return "asset";
    if (oneOf(type, {"CURRLIAB", "LIABILITY", "TERMLIAB", "PAYG"})) return "liability";
    if (type == "EQUITY") return "equity";
    if (oneOf(type, {"REVENUE", "SALES", "OTHERINCOME"})) return "revenue";
    if (oneOf(xeroClass, {"ASSET", "EQUITY", "EXPENSE", "LIABILITY", "REVENUE"})) {
        std::string lower;
        for (char c : xeroClass) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return lower;
    }
    return "other";
}

std::string taxCodeType(const std::string& taxType, const std::string& reportTaxType) {
    const std::string& t = reportTaxType.empty() ? taxType : reportTaxType;
    const bool reverse = oneOf(t, {"REVERSECHARGES", "ECACQUISITIONS", "TXRCN33", "TXRCRE", "TXRCESS", "TXRCTS"}) ||
                         (startsWith(t, "DRCHARGE") && !startsWith(t, "DRCHARGESUPPLY"));
    if (reverse) return "reverse";
    if (startsWith(t, "EXEMPT") || oneOf(t, {"NONE", "BASEXCLUDED"})) return "exempt";
    return "normal";
}

sdk::MasterRecord accountRecord(const Object::Ptr& a) {
    sdk::MasterRecord r;
    r.kind = sdk::MasterKind::Account;
    r.id = required(a, "AccountID", "an account");
    const std::string what = "account " + r.id;
    r.code = text(a, "Code");
    r.name = required(a, "Name", what);
    r.archived = inactive(a);
    r.type = accountType(text(a, "Type"), text(a, "Class"));
    r.defaultTaxCodeId = text(a, "TaxType");
    r.updatedAt = updatedAt(a, what);
    return r;
}

sdk::MasterRecord taxCodeRecord(const Object::Ptr& t) {
    sdk::MasterRecord r;
    r.kind = sdk::MasterKind::TaxCode;
    r.id = r.code = required(t, "TaxType", "a tax rate");
    const std::string what = "tax rate " + r.id;
    r.name = required(t, "Name", what);
    r.archived = inactive(t);
    r.type = taxCodeType(r.id, text(t, "ReportTaxType"));
    // A reverse charge's EffectiveRate is what lands on the document (0: the buyer self-assesses);
    // the rate the buyer self-assesses is the DisplayTaxRate. Others: the rate Xero computes with.
    const char* first = r.type == "reverse" ? "DisplayTaxRate" : "EffectiveRate";
    const char* second = r.type == "reverse" ? "EffectiveRate" : "DisplayTaxRate";
    const std::string rate = text(t, first).empty() ? text(t, second) : text(t, first);
    if (rate.empty()) throw BadRecord("Xero sent " + what + " without EffectiveRate or DisplayTaxRate");
    try {
        r.taxRate = exactDecimal(rate);
    } catch (const BadRecord& e) {
        throw BadRecord(what + ": " + e.what());
    }
    return r;
}

sdk::MasterRecord dimensionRecord(const Object::Ptr& c) {
    sdk::MasterRecord r;
    r.kind = sdk::MasterKind::Dimension;
    r.id = required(c, "TrackingCategoryID", "a tracking category");
    r.code = r.name = required(c, "Name", "tracking category " + r.id);
    r.archived = inactive(c);
    return r;
}

std::vector<sdk::MasterRecord> dimensionValueRecords(const Object::Ptr& c) {
    const std::string parent = required(c, "TrackingCategoryID", "a tracking category");
    std::vector<sdk::MasterRecord> out;
    const auto options = c->getArray("Options");
    for (std::size_t i = 0; options && i < options->size(); ++i) {
        const auto o = options->getObject(static_cast<unsigned>(i));
        if (!o) throw BadRecord("tracking category " + parent + ": option " + std::to_string(i + 1) + " is not an object");
        sdk::MasterRecord r;
        r.kind = sdk::MasterKind::DimensionValue;
        r.id = required(o, "TrackingOptionID", "an option of tracking category " + parent);
        r.code = r.name = required(o, "Name", "tracking option " + r.id);
        r.parentId = parent;
        r.archived = inactive(o);
        out.push_back(std::move(r));
    }
    return out;
}

sdk::MasterRecord supplierRecord(const Object::Ptr& c, std::string& countryProblem) {
    sdk::MasterRecord r;
    r.kind = sdk::MasterKind::Supplier;
    r.id = required(c, "ContactID", "a contact");
    const std::string what = "contact " + r.id;
    r.code = text(c, "ContactNumber");
    if (r.code.empty()) r.code = text(c, "AccountNumber");
    r.name = required(c, "Name", what);
    const std::string status = text(c, "ContactStatus");
    r.archived = status == "ARCHIVED" || status == "GDPRREQUEST";
    r.registrationNumber = text(c, "CompanyNumber");
    r.vatNumber = text(c, "TaxNumber");
    r.currency = text(c, "DefaultCurrency");
    r.defaultAccountCode = text(c, "PurchasesDefaultAccountCode");
    // The street address says where the supplier is; the postal (POBOX) one is the fallback.
    std::string country;
    if (const auto addresses = c->getArray("Addresses"))
        for (const char* type : {"STREET", "POBOX"})
            for (std::size_t i = 0; country.empty() && i < addresses->size(); ++i) {
                const auto a = addresses->getObject(static_cast<unsigned>(i));
                if (a && text(a, "AddressType") == type) country = text(a, "Country");
            }
    if (!country.empty()) {
        r.country = countryCode(country);
        if (r.country.empty())
            countryProblem = what + " (" + r.name + "): the address country '" + country +
                             "' is not a country this plugin knows; sent without a country";
    }
    r.updatedAt = updatedAt(c, what);
    return r;
}

}  // namespace ledgerbridge::xero
