// Pleo export item -> canonical entry: see ItemMapper.h. Field names follow ExportItemV3 in
// Pleo's export-items-v3.yml. Items are read with simdjson's DOM: an export run parses every
// item at least twice (staging, mapping), and with Poco::JSON that parsing was the largest part
// of a run's CPU time (scripts/bench-export).
#include "ledgerbridge/export/ItemMapper.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/Currency.h"

namespace ledgerbridge::exporter {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

/// A mapping problem: which field, what is wrong.
struct Invalid {
    std::string message;
};

/// Not JSON at all (cut off, not UTF-8, nested too deep...): simdjson's own words.
struct Malformed {
    std::string message;
};

/// One parser per thread: it keeps its buffers between items instead of allocating per item.
simdjson::dom::parser& parser() {
    thread_local simdjson::dom::parser p;
    return p;
}

object parseObject(const std::string& json) {
    element root;
    if (auto error = parser().parse(json).get(root)) throw Malformed{simdjson::error_message(error)};
    object o;
    if (root.get(o)) throw Invalid{"the export item is not a JSON object"};
    return o;
}

/// The member `key` unless it is absent or null.
std::optional<element> member(const object& o, std::string_view key) {
    element v;
    if (o.at_key(key).get(v) || v.is_null()) return std::nullopt;
    return v;
}

std::optional<object> child(const std::optional<object>& o, const std::string& key, const std::string& path,
                            bool required) {
    std::optional<element> v = o ? member(*o, key) : std::nullopt;
    if (!v) {
        if (required) throw Invalid{path + key + " is missing"};
        return std::nullopt;
    }
    object c;
    if (v->get(c)) throw Invalid{path + key + " is not an object"};
    return c;
}

std::optional<array> list(const object& o, const std::string& key, const std::string& path) {
    std::optional<element> v = member(o, key);
    if (!v) return std::nullopt;
    array a;
    if (v->get(a)) throw Invalid{path + key + " is not an array"};
    return a;
}

std::string text(const std::optional<object>& o, const std::string& key, const std::string& path, bool required) {
    std::optional<element> v = o ? member(*o, key) : std::nullopt;
    if (!v) {
        if (required) throw Invalid{path + key + " is missing"};
        return {};
    }
    std::string_view s;
    if (v->get(s)) throw Invalid{path + key + " is not a string"};
    return std::string(s);
}

std::int64_t wholeNumber(const element& v, const std::string& where) {
    switch (v.type()) {
        case element_type::INT64: return v.get_int64().value_unsafe();
        case element_type::UINT64: throw Invalid{where + " is out of range"};  // only above INT64_MAX
        case element_type::DOUBLE:
            // Pleo sends minor units; a fraction of a cent cannot be booked exactly.
            throw Invalid{where + " is " + std::to_string(v.get_double().value_unsafe()) +
                          ", not a whole number of minor units"};
        default: throw Invalid{where + " is not a number"};
    }
}

double number(const element& v, const std::string& where) {
    switch (v.type()) {
        case element_type::INT64: return static_cast<double>(v.get_int64().value_unsafe());
        case element_type::UINT64: return static_cast<double>(v.get_uint64().value_unsafe());
        case element_type::DOUBLE: return v.get_double().value_unsafe();
        default: throw Invalid{where + " is not a number"};
    }
}

sdk::Money money(const std::optional<object>& o, const std::string& key, const std::string& path, bool required) {
    std::optional<object> m = child(o, key, path, required);
    if (!m) return {};
    std::string where = path + key;
    std::string currency = text(m, "currency", where + ".", true);
    if (!isCurrencyCode(currency) || currency == "UNDEFINED")
        throw Invalid{where + ".currency '" + currency + "' is not an ISO 4217 currency code"};
    std::optional<element> value = member(*m, "value");
    if (!value) throw Invalid{where + ".value is missing"};
    sdk::Money out;
    out.minor = wholeNumber(*value, where + ".value");
    out.currency = currency;
    out.exponent = currencyExponent(currency);
    return out;
}

// {inSupplierCurrency, inWalletCurrency} pairs.
void moneyPair(const std::optional<object>& o, const std::string& key, const std::string& path, bool required,
               sdk::Money& supplier, sdk::Money& wallet) {
    std::optional<object> pair = child(o, key, path, required);
    if (!pair) return;
    supplier = money(pair, "inSupplierCurrency", path + key + ".", true);
    wallet = money(pair, "inWalletCurrency", path + key + ".", true);
}

sdk::Party party(const std::optional<object>& o, const std::string& path) {
    sdk::Party p;
    if (!o) return p;
    p.id = text(o, "id", path, false);
    p.code = text(o, "code", path, false);
    p.name = text(o, "name", path, false);
    return p;
}

std::string dateOnly(const std::string& dateTime, const std::string& where) {
    // ISO-8601 date-time: the first ten characters are the calendar date.
    if (dateTime.size() < 10 || dateTime[4] != '-' || dateTime[7] != '-')
        throw Invalid{where + " '" + dateTime + "' is not an ISO-8601 date"};
    return dateTime.substr(0, 10);
}

std::string taxType(const std::string& pleo) {
    if (pleo.empty()) return {};
    if (pleo == "reverse") return "reverse";
    if (pleo == "none") return "none";
    return "normal";  // inclusive/exclusive: tax is part of the line, on the normal tax account
}

sdk::Line line(const object& l, const std::string& path) {
    sdk::Line out;
    out.lineId = text(l, "accountingEntryLineId", path, true);
    moneyPair(l, "lineAmount", path, true, out.supplierAmount, out.walletAmount);
    sdk::Money netSupplier;
    moneyPair(l, "netAmount", path, true, netSupplier, out.netAmount);
    if (std::optional<object> account = child(l, "account", path, false)) {
        out.accountCode = text(account, "code", path + "account.", false);
        out.accountId = text(account, "identifier", path + "account.", false);
        if (out.description.empty()) out.description = text(account, "name", path + "account.", false);
    }
    if (std::optional<object> tax = child(l, "tax", path, false)) {
        out.taxCode = text(tax, "code", path + "tax.", false);
        out.taxType = taxType(text(tax, "type", path + "tax.", false));
        if (std::optional<element> rate = member(*tax, "rate"))
            out.taxRate = percentFromFraction(number(*rate, path + "tax.rate"));
        sdk::Money taxSupplier;
        moneyPair(tax, "amount", path + "tax.", false, taxSupplier, out.taxAmount);
    }
    if (out.taxAmount.currency.empty()) {
        out.taxAmount.currency = out.walletAmount.currency;
        out.taxAmount.exponent = out.walletAmount.exponent;
    }
    if (std::optional<array> tags = list(l, "tags", path)) {
        std::size_t i = 0;
        for (element tag : *tags) {
            std::string tp = path + "tags[" + std::to_string(i++) + "].";
            object t;
            if (tag.get(t)) throw Invalid{tp.substr(0, tp.size() - 1) + " is not an object"};
            out.tags.push_back(sdk::Tag{text(t, "groupCode", tp, true), text(t, "code", tp, true), text(t, "name", tp, false)});
        }
    }
    return out;
}

}  // namespace

std::string percentFromFraction(double fraction) {
    if (!std::isfinite(fraction)) return {};
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, fraction);  // shortest form that round-trips
    std::string s(buf, res.ptr);
    if (s.find('e') != std::string::npos || s.find('E') != std::string::npos) {
        res = std::to_chars(buf, buf + sizeof buf, fraction, std::chars_format::fixed);
        s.assign(buf, res.ptr);
    }
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.erase(0, 1);
    auto dot = s.find('.');
    std::string intPart = dot == std::string::npos ? s : s.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    frac.append(frac.size() < 2 ? 2 - frac.size() : 0, '0');
    std::string digits = intPart + frac.substr(0, 2);  // move the point two places right
    std::string rest = frac.substr(2);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
    while (!rest.empty() && rest.back() == '0') rest.pop_back();
    return (negative ? "-" : "") + digits + (rest.empty() ? "" : "." + rest);
}

ItemSummary summarizeItem(const std::string& itemJson) {
    try {
        object o = parseObject(itemJson);
        ItemSummary s;
        s.accountingEntryId = text(o, "accountingEntryId", "", true);
        if (s.accountingEntryId.empty()) throw Invalid{"accountingEntryId is empty"};
        try {
            sdk::Money supplier, wallet;
            moneyPair(o, "amount", "", true, supplier, wallet);
            s.walletAmountMinor = wallet.minor;
            s.walletCurrency = wallet.currency;
        } catch (const Invalid&) {
            // The amount is checked again (and reported) when the item is mapped.
        }
        return s;
    } catch (const Invalid& e) {
        throw ProtocolError("an export item from Pleo cannot be identified: " + e.message);
    } catch (const Malformed& e) {
        throw ProtocolError("an export item from Pleo is not valid JSON: " + e.message);
    }
}

MappingResult mapItem(const std::string& itemJson, const std::string& jobId, const std::string& idempotencyKey) {
    MappingResult result;
    try {
        object o = parseObject(itemJson);
        sdk::Entry e;
        e.accountingEntryId = text(o, "accountingEntryId", "", true);
        e.exportJobId = jobId;
        e.idempotencyKey = idempotencyKey;
        e.type = text(o, "type", "", true);
        e.subType = text(o, "subType", "", false);
        e.date = dateOnly(text(o, "date", "", true), "date");
        e.bookingDate = e.date;
        e.note = text(o, "note", "", false);
        std::optional<object> vendor = child(o, "vendor", "", false);
        std::optional<object> supplier = child(o, "supplier", "", false);
        e.supplier = party(vendor ? vendor : supplier, vendor ? "vendor." : "supplier.");
        if (!vendor && supplier && e.supplier.code.empty()) e.supplier.code = text(supplier, "account", "supplier.", false);
        e.employee = party(child(o, "user", "", false), "user.");
        e.team = party(child(o, "team", "", false), "team.");
        moneyPair(o, "amount", "", true, e.totalSupplier, e.totalWallet);
        if (!member(o, "accountingEntryLines")) throw Invalid{"accountingEntryLines is missing"};
        std::size_t i = 0;
        // A named copy: `for (... : *list(...))` ranges over the inside of a temporary optional
        // that dies before the first iteration (use after scope; GCC -Wdangling-pointer at -O1).
        const array entryLines = *list(o, "accountingEntryLines", "");
        for (element item : entryLines) {
            std::string path = "accountingEntryLines[" + std::to_string(i++) + "].";
            object l;
            if (item.get(l)) throw Invalid{path.substr(0, path.size() - 1) + " is not an object"};
            e.lines.push_back(line(l, path));
        }
        if (std::optional<object> contra = child(o, "contraAccount", "", false)) {
            e.contraAccountCode = text(contra, "code", "contraAccount.", false);
            e.contraAccountId = text(contra, "identifier", "contraAccount.", false);
        }
        if (std::optional<array> files = list(o, "files", "")) {
            std::size_t n = 0;
            for (element file : *files) {
                std::string path = "files[" + std::to_string(n++) + "].";
                object f;
                if (file.get(f)) throw Invalid{path.substr(0, path.size() - 1) + " is not an object"};
                FileRef ref;
                ref.url = text(f, "url", path, true);
                ref.type = text(f, "type", path, false);
                if (std::optional<element> size = member(f, "size")) ref.size = wholeNumber(*size, path + "size");
                result.files.push_back(std::move(ref));
            }
        }
        result.entry = std::move(e);
    } catch (const Invalid& bad) {
        result.failureReason = "validation_failure";
        result.message = "the export item cannot be mapped: " + bad.message;
    } catch (const Malformed& bad) {
        result.failureReason = "validation_failure";
        result.message = "the export item is malformed: " + bad.message;
    }
    return result;
}

}  // namespace ledgerbridge::exporter
