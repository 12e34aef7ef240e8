// Pleo export item -> canonical entry: see ItemMapper.h. Field names follow ExportItemV3 in
// Pleo's export-items-v3.yml.
#include "ledgerbridge/export/ItemMapper.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/Currency.h"

namespace ledgerbridge::exporter {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

/// A mapping problem: which field, what is wrong.
struct Invalid {
    std::string message;
};

Object::Ptr parseObject(const std::string& json) {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(json);
    if (v.type() != typeid(Object::Ptr)) throw Invalid{"the export item is not a JSON object"};
    return v.extract<Object::Ptr>();
}

Object::Ptr object(const Object::Ptr& o, const std::string& key, const std::string& path, bool required) {
    if (!o->has(key) || o->isNull(key)) {
        if (required) throw Invalid{path + key + " is missing"};
        return nullptr;
    }
    Object::Ptr child = o->getObject(key);
    if (!child) throw Invalid{path + key + " is not an object"};
    return child;
}

std::string text(const Object::Ptr& o, const std::string& key, const std::string& path, bool required) {
    if (!o || !o->has(key) || o->isNull(key)) {
        if (required) throw Invalid{path + key + " is missing"};
        return {};
    }
    Poco::Dynamic::Var v = o->get(key);
    if (!v.isString()) throw Invalid{path + key + " is not a string"};
    return v.extract<std::string>();
}

std::int64_t wholeNumber(const Poco::Dynamic::Var& v, const std::string& where) {
    if (v.isInteger()) {
        if (v.type() == typeid(Poco::UInt64) && v.extract<Poco::UInt64>() >
                                                    static_cast<Poco::UInt64>(std::numeric_limits<std::int64_t>::max()))
            throw Invalid{where + " is out of range"};
        return v.convert<std::int64_t>();
    }
    if (v.isNumeric()) {
        // Pleo sends minor units; a fraction of a cent cannot be booked exactly.
        double d = v.convert<double>();
        throw Invalid{where + " is " + std::to_string(d) + ", not a whole number of minor units"};
    }
    throw Invalid{where + " is not a number"};
}

sdk::Money money(const Object::Ptr& o, const std::string& key, const std::string& path, bool required) {
    Object::Ptr m = object(o, key, path, required);
    if (!m) return {};
    std::string where = path + key;
    std::string currency = text(m, "currency", where + ".", true);
    if (!isCurrencyCode(currency) || currency == "UNDEFINED")
        throw Invalid{where + ".currency '" + currency + "' is not an ISO 4217 currency code"};
    if (!m->has("value") || m->isNull("value")) throw Invalid{where + ".value is missing"};
    sdk::Money out;
    out.minor = wholeNumber(m->get("value"), where + ".value");
    out.currency = currency;
    out.exponent = currencyExponent(currency);
    return out;
}

// {inSupplierCurrency, inWalletCurrency} pairs.
void moneyPair(const Object::Ptr& o, const std::string& key, const std::string& path, bool required,
               sdk::Money& supplier, sdk::Money& wallet) {
    Object::Ptr pair = object(o, key, path, required);
    if (!pair) return;
    supplier = money(pair, "inSupplierCurrency", path + key + ".", true);
    wallet = money(pair, "inWalletCurrency", path + key + ".", true);
}

sdk::Party party(const Object::Ptr& o, const std::string& path) {
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

sdk::Line line(const Object::Ptr& l, const std::string& path) {
    sdk::Line out;
    out.lineId = text(l, "accountingEntryLineId", path, true);
    moneyPair(l, "lineAmount", path, true, out.supplierAmount, out.walletAmount);
    sdk::Money netSupplier;
    moneyPair(l, "netAmount", path, true, netSupplier, out.netAmount);
    if (Object::Ptr account = object(l, "account", path, false)) {
        out.accountCode = text(account, "code", path + "account.", false);
        out.accountId = text(account, "identifier", path + "account.", false);
        if (out.description.empty()) out.description = text(account, "name", path + "account.", false);
    }
    if (Object::Ptr tax = object(l, "tax", path, false)) {
        out.taxCode = text(tax, "code", path + "tax.", false);
        out.taxType = taxType(text(tax, "type", path + "tax.", false));
        if (tax->has("rate") && !tax->isNull("rate")) {
            Poco::Dynamic::Var rate = tax->get("rate");
            if (!rate.isNumeric()) throw Invalid{path + "tax.rate is not a number"};
            out.taxRate = percentFromFraction(rate.convert<double>());
        }
        sdk::Money taxSupplier;
        moneyPair(tax, "amount", path + "tax.", false, taxSupplier, out.taxAmount);
    }
    if (out.taxAmount.currency.empty()) {
        out.taxAmount.currency = out.walletAmount.currency;
        out.taxAmount.exponent = out.walletAmount.exponent;
    }
    if (l->has("tags") && !l->isNull("tags")) {
        Array::Ptr tags = l->getArray("tags");
        if (!tags) throw Invalid{path + "tags is not an array"};
        for (std::size_t i = 0; i < tags->size(); ++i) {
            Object::Ptr t = tags->getObject(static_cast<unsigned>(i));
            std::string tp = path + "tags[" + std::to_string(i) + "].";
            if (!t) throw Invalid{tp.substr(0, tp.size() - 1) + " is not an object"};
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
        return summarizeItem(parseObject(itemJson));
    } catch (const Invalid& e) {
        throw ProtocolError("an export item from Pleo cannot be identified: " + e.message);
    } catch (const Poco::Exception& e) {
        throw ProtocolError("an export item from Pleo is not valid JSON: " + e.displayText());
    }
}

ItemSummary summarizeItem(const Object::Ptr& o) {
    try {
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
    } catch (const Poco::Exception& e) {
        throw ProtocolError("an export item from Pleo is not valid JSON: " + e.displayText());
    }
}

MappingResult mapItem(const std::string& itemJson, const std::string& jobId, const std::string& idempotencyKey) {
    MappingResult result;
    try {
        Object::Ptr o = parseObject(itemJson);
        sdk::Entry e;
        e.accountingEntryId = text(o, "accountingEntryId", "", true);
        e.exportJobId = jobId;
        e.idempotencyKey = idempotencyKey;
        e.type = text(o, "type", "", true);
        e.subType = text(o, "subType", "", false);
        e.date = dateOnly(text(o, "date", "", true), "date");
        e.bookingDate = e.date;
        e.note = text(o, "note", "", false);
        Object::Ptr vendor = object(o, "vendor", "", false);
        Object::Ptr supplier = object(o, "supplier", "", false);
        e.supplier = party(vendor ? vendor : supplier, vendor ? "vendor." : "supplier.");
        if (!vendor && supplier && e.supplier.code.empty()) e.supplier.code = text(supplier, "account", "supplier.", false);
        e.employee = party(object(o, "user", "", false), "user.");
        e.team = party(object(o, "team", "", false), "team.");
        moneyPair(o, "amount", "", true, e.totalSupplier, e.totalWallet);
        if (!o->has("accountingEntryLines") || o->isNull("accountingEntryLines"))
            throw Invalid{"accountingEntryLines is missing"};
        Array::Ptr lines = o->getArray("accountingEntryLines");
        if (!lines) throw Invalid{"accountingEntryLines is not an array"};
        for (std::size_t i = 0; i < lines->size(); ++i) {
            Object::Ptr l = lines->getObject(static_cast<unsigned>(i));
            std::string path = "accountingEntryLines[" + std::to_string(i) + "].";
            if (!l) throw Invalid{path.substr(0, path.size() - 1) + " is not an object"};
            e.lines.push_back(line(l, path));
        }
        if (Object::Ptr contra = object(o, "contraAccount", "", false)) {
            e.contraAccountCode = text(contra, "code", "contraAccount.", false);
            e.contraAccountId = text(contra, "identifier", "contraAccount.", false);
        }
        if (o->has("files") && !o->isNull("files")) {
            Array::Ptr files = o->getArray("files");
            if (!files) throw Invalid{"files is not an array"};
            for (std::size_t i = 0; i < files->size(); ++i) {
                Object::Ptr f = files->getObject(static_cast<unsigned>(i));
                std::string path = "files[" + std::to_string(i) + "].";
                if (!f) throw Invalid{path.substr(0, path.size() - 1) + " is not an object"};
                FileRef ref;
                ref.url = text(f, "url", path, true);
                ref.type = text(f, "type", path, false);
                if (f->has("size") && !f->isNull("size")) ref.size = wholeNumber(f->get("size"), path + "size");
                result.files.push_back(std::move(ref));
            }
        }
        result.entry = std::move(e);
    } catch (const Invalid& bad) {
        result.failureReason = "validation_failure";
        result.message = "the export item cannot be mapped: " + bad.message;
    } catch (const Poco::Exception& bad) {
        result.failureReason = "validation_failure";
        result.message = "the export item is malformed: " + bad.displayText();
    }
    return result;
}

}  // namespace ledgerbridge::exporter
