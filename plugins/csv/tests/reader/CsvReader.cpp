// The independent reader of the CSV plugin's files: see CsvReader.hpp. Written from RFC 4180
// and the plugin's README only; nothing here includes or calls the plugin's code.
#include "CsvReader.hpp"

#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ledgerbridge::readers {

namespace {

struct Record {
    std::size_t line = 0;  ///< physical line the record starts on (1-based)
    std::vector<std::string> fields;
};

[[noreturn]] void broken(const std::string& path, std::size_t line, const std::string& rule) {
    throw std::runtime_error(path + ":" + std::to_string(line) + ": " + rule);
}

/// Checks that `text` is UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
void checkUtf8(const std::string& path, const std::string& text) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') ++line;
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) n = 1, cp = c;
        else if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
        else broken(path, line, "invalid UTF-8 lead byte");
        if (i + n > text.size()) broken(path, line, "UTF-8 sequence cut off at the end of the file");
        for (std::size_t k = 1; k < n; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) broken(path, line, "invalid UTF-8 continuation byte");
            cp = cp << 6 | (cc & 0x3F);
        }
        static const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < minimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            broken(path, line, "invalid UTF-8 (overlong, surrogate or beyond U+10FFFF)");
        i += n;
    }
}

/// RFC 4180 with a chosen delimiter: fields quoted with '"' (inner quotes doubled) may hold
/// anything; unquoted fields hold no quote, CR or LF; every record ends with CRLF.
std::vector<Record> parseRecords(const std::string& path, const std::string& text, char delimiter) {
    std::vector<Record> records;
    std::size_t line = 1, i = 0;
    while (i < text.size()) {
        Record rec;
        rec.line = line;
        for (;;) {  // one field per iteration
            std::string field;
            if (i < text.size() && text[i] == '"') {
                ++i;
                for (;;) {
                    if (i >= text.size()) broken(path, rec.line, "quoted field not closed before the end of the file");
                    if (text[i] == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') field += '"', i += 2;
                        else { ++i; break; }
                    } else {
                        if (text[i] == '\n') ++line;
                        field += text[i++];
                    }
                }
                if (i < text.size() && text[i] != delimiter && text[i] != '\r')
                    broken(path, line, "character after a closing quote (a quote inside a field must be doubled)");
            } else {
                while (i < text.size() && text[i] != delimiter && text[i] != '\r' && text[i] != '\n') {
                    if (text[i] == '"') broken(path, line, "quote inside an unquoted field");
                    field += text[i++];
                }
            }
            rec.fields.push_back(field);
            if (i >= text.size()) broken(path, line, "the last record does not end with CRLF");
            if (text[i] == delimiter) { ++i; continue; }
            if (text[i] == '\n') broken(path, line, "record ends with a bare LF, not CRLF");
            if (i + 1 >= text.size() || text[i + 1] != '\n') broken(path, line, "bare CR outside a quoted field");
            i += 2;
            ++line;
            break;
        }
        records.push_back(std::move(rec));
    }
    return records;
}

/// The delimiter that splits the header into names including entry_id: ',', ';' or TAB.
char detectDelimiter(const std::string& path, const std::string& text) {
    const std::string first = text.substr(0, text.find("\r\n"));
    for (char d : {',', ';', '\t'}) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t end = first.find(d, start);
            if (first.substr(start, end == std::string::npos ? std::string::npos : end - start) == "entry_id") return d;
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    broken(path, 1, "the header has no entry_id column with ',', ';' or TAB as delimiter");
}

struct Amount {
    std::int64_t minor = 0;
    int decimals = 0;
    char separator = 0;  ///< 0 when the amount has no decimals
};

/// "-1234.56" -> {-123456, 2, '.'}: optional '-', digits, optionally one separator ('.' or
/// ',') and digits. Nothing else (no '+', spaces, exponents, thousands separators).
Amount parseAmount(const std::string& path, std::size_t line, const std::string& column, const std::string& text) {
    Amount a;
    std::size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (negative) ++i;
    std::size_t intDigits = 0;
    bool afterSeparator = false;
    std::uint64_t magnitude = 0;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            if (magnitude > (UINT64_C(9223372036854775807) - static_cast<unsigned>(c - '0')) / 10)
                broken(path, line, column + " '" + text + "' is out of range");
            magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
            if (afterSeparator) ++a.decimals;
            else ++intDigits;
        } else if ((c == '.' || c == ',') && !afterSeparator && intDigits > 0) {
            afterSeparator = true;
            a.separator = c;
        } else {
            broken(path, line, column + " '" + text + "' is not a decimal amount (-?digits[.,]digits)");
        }
    }
    if (intDigits == 0 || (afterSeparator && a.decimals == 0))
        broken(path, line, column + " '" + text + "' is not a decimal amount (-?digits[.,]digits)");
    a.minor = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    return a;
}

bool isDate(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string readWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ":0: cannot open the file");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The committed length from `.<name>.committed` next to `path`, or the whole text.
std::size_t committedLength(const std::string& path, std::size_t size) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    std::ifstream in(dir + "/." + name + ".committed");
    if (!in) return size;
    std::string digits;
    std::getline(in, digits);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error(dir + "/." + name + ".committed:1: not a byte count");
    const unsigned long long n = std::stoull(digits);
    if (n > size) throw std::runtime_error(path + ":0: the sidecar commits " + digits + " bytes, the file has " +
                                           std::to_string(size));
    return static_cast<std::size_t>(n);
}

}  // namespace

std::vector<testkit::WrittenDocument> readCsvFile(const std::string& path) {
    std::string text = readWhole(path);
    text.resize(committedLength(path, text.size()));
    if (text.empty()) broken(path, 1, "empty file: the header record is missing");
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) broken(path, 1, "UTF-8 byte order mark (the format has none)");
    checkUtf8(path, text);
    const std::vector<Record> records = parseRecords(path, text, detectDelimiter(path, text));

    const std::vector<std::string>& header = records.front().fields;
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (!col.emplace(header[i], i).second) broken(path, 1, "column '" + header[i] + "' appears twice in the header");
    for (const char* required : {"entry_id", "account", "net", "tax", "gross", "currency", "contra_account",
                                 "reverse_charge_input_vat", "reverse_charge_output_vat"})
        if (!col.count(required)) broken(path, 1, std::string("the header lacks the booking column ") + required);
    auto get = [&](const Record& r, const std::string& name) -> std::string {
        const auto it = col.find(name);
        return it == col.end() ? std::string() : r.fields[it->second];
    };

    std::vector<testkit::WrittenDocument> docs;
    std::set<std::string> lineIds;
    char fileSeparator = 0;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const Record& rec = records[r];
        if (rec.fields.size() != header.size())
            broken(path, rec.line, "record has " + std::to_string(rec.fields.size()) + " fields, the header " +
                                       std::to_string(header.size()));
        const std::string entryId = get(rec, "entry_id");
        if (entryId.empty()) broken(path, rec.line, "entry_id is empty");
        const std::string currency = get(rec, "currency");
        if (currency.size() != 3 || currency.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
            broken(path, rec.line, "currency '" + currency + "' is not an ISO 4217 code (three capital letters)");
        for (const char* dateColumn : {"date", "booking_date"}) {
            const std::string d = get(rec, dateColumn);
            if (col.count(dateColumn) && !d.empty() && !isDate(d))
                broken(path, rec.line, std::string(dateColumn) + " '" + d + "' is not YYYY-MM-DD");
        }
        std::map<std::string, Amount> amounts;
        int decimals = -1;
        for (const char* name : {"net", "tax", "gross", "reverse_charge_input_vat", "reverse_charge_output_vat"}) {
            const Amount a = parseAmount(path, rec.line, name, get(rec, name));
            if (decimals >= 0 && a.decimals != decimals)
                broken(path, rec.line, std::string(name) + " has " + std::to_string(a.decimals) +
                                           " decimals, other amounts of the record " + std::to_string(decimals));
            decimals = a.decimals;
            if (a.separator && fileSeparator && a.separator != fileSeparator)
                broken(path, rec.line, std::string(name) + " uses '" + a.separator + "' as decimal separator, earlier records '" +
                                           fileSeparator + "'");
            if (a.separator) fileSeparator = a.separator;
            amounts[name] = a;
        }

        if (docs.empty() || docs.back().accountingEntryId != entryId) {
            testkit::WrittenDocument d;
            d.accountingEntryId = entryId;
            d.idempotencyKey = get(rec, "idempotency_key");
            d.where = path + ":" + std::to_string(rec.line);
            docs.push_back(std::move(d));
            lineIds.clear();
        } else if (get(rec, "idempotency_key") != docs.back().idempotencyKey) {
            broken(path, rec.line, "idempotency_key differs between rows of entry " + entryId);
        }
        if (col.count("line_id") && !lineIds.insert(get(rec, "line_id")).second)
            broken(path, rec.line, "line_id '" + get(rec, "line_id") + "' appears twice in entry " + entryId);

        auto post = [&](const std::string& account, std::int64_t minor, bool always) {
            if (minor == 0 && !always) return;
            testkit::Posting p;
            p.account = account;
            p.minor = minor;
            p.currency = currency;
            p.exponent = decimals;
            docs.back().postings.push_back(p);
        };
        post(get(rec, "account"), amounts["net"].minor, true);
        post(get(rec, "tax_account"), amounts["tax"].minor, false);
        post(get(rec, "reverse_charge_input_account"), amounts["reverse_charge_input_vat"].minor, false);
        post(get(rec, "reverse_charge_output_account"), -amounts["reverse_charge_output_vat"].minor, false);
        post(get(rec, "contra_account"), -amounts["gross"].minor, true);
    }
    return docs;
}

}  // namespace ledgerbridge::readers
