// SIE 4I writer: head records, declarations, verifications, identity markers, quoting,
// amounts, tokenizer and #KSUMMA.
#include "SieFormat.hpp"

#include <array>
#include <cstdint>
#include <sstream>

namespace ledgerbridge::sie {

namespace {
// Characters an entry id or key keeps in the identity marker; every other byte is written
// %XX (so blanks, brackets, quotes and non-ASCII ids survive quoting and CP437 unchanged).
bool plainInMarker(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':' || c == '+' || c == '=' || c == '@' || c == '/';
}

std::string markerWord(const std::string& value) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : value) {
        if (plainInMarker(c)) {
            out += c;
        } else {
            const auto u = static_cast<unsigned char>(c);
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0xF];
        }
    }
    return out;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> unmarkWord(const std::string& word) {
    std::string out;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] != '%') {
            if (!plainInMarker(word[i])) return std::nullopt;
            out += word[i];
            continue;
        }
        if (i + 2 >= word.size()) return std::nullopt;
        const int hi = hexValue(word[i + 1]), lo = hexValue(word[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string objectList(const std::vector<SieObject>& objects) {
    std::string out = "{";
    for (const auto& o : objects) out += (out.size() > 1 ? " " : "") + std::to_string(o.dimension) + " " + quote(o.id);
    return out + "}";
}
}  // namespace

std::string quote(const std::string& text) {
    std::string out = "\"";
    for (char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"') out += "\\\"";
        else if (ch == '\\') out += '/';
        else if (u < 0x20 || u == 0x7F) out += ' ';
        else out += ch;
    }
    return out + "\"";
}

std::string formatCents(std::int64_t cents) {
    const bool negative = cents < 0;
    // The magnitude as unsigned, so INT64_MIN does not overflow.
    const std::uint64_t magnitude =
        negative ? std::uint64_t(0) - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
    std::string digits = std::to_string(magnitude);
    if (digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
    digits.insert(digits.size() - 2, 1, '.');
    return negative ? "-" + digits : digits;
}

std::string headRecords(const SieConfig& c, const std::string& generated) {
    std::string r = "#FLAGGA 0\r\n";
    if (c.checksum) r += "#KSUMMA\r\n";
    r += "#PROGRAM \"ledgerbridge\" 1.0\r\n";
    r += "#FORMAT PC8\r\n";
    r += "#GEN " + generated + "\r\n";
    r += "#SIETYP 4\r\n";
    r += "#ORGNR " + c.orgNr + "\r\n";
    r += "#FNAMN " + quote(c.companyName) + "\r\n";
    r += "#RAR 0 " + c.yearStart + " " + c.yearEnd + "\r\n";
    if (!c.kptyp.empty()) r += "#KPTYP " + c.kptyp + "\r\n";
    r += "#VALUTA " + c.currency + "\r\n";
    return r;
}

std::string dimensionRecord(int number, const std::string& name) {
    return "#DIM " + std::to_string(number) + " " + quote(name) + "\r\n";
}

std::string objectRecord(const SieObject& o) {
    return "#OBJEKT " + std::to_string(o.dimension) + " " + quote(o.id) + " " + quote(o.name.empty() ? o.id : o.name) +
           "\r\n";
}

std::string identityMarker(const std::string& entryId, const std::string& key) {
    std::string marker = "[" + markerWord(entryId);
    if (!key.empty() && key != entryId) marker += " " + markerWord(key);
    return marker + "]";
}

std::optional<Identity> identityOfText(const std::string& text) {
    if (text.empty() || text.back() != ']') return std::nullopt;
    const auto open = text.rfind('[');
    if (open == std::string::npos) return std::nullopt;
    const std::string inside = text.substr(open + 1, text.size() - open - 2);
    const auto blank = inside.find(' ');
    const auto id = unmarkWord(inside.substr(0, blank));
    if (!id || id->empty()) return std::nullopt;
    if (blank == std::string::npos) return Identity{*id, *id};
    const auto key = unmarkWord(inside.substr(blank + 1));
    if (!key || key->empty()) return std::nullopt;
    return Identity{*id, *key};
}

std::string verificationRecords(const SieVoucher& v, const std::string& series) {
    const std::string marker = identityMarker(v.entryId, v.key);
    const std::string text = v.description.empty() ? marker : v.description + " " + marker;
    std::string out = "#VER " + quote(series) + " \"\" " + v.date + " " + quote(text) + "\r\n{\r\n";
    for (const auto& row : v.rows)
        out += "#TRANS " + row.account + " " + objectList(row.objects) + " " + formatCents(row.cents) + "\r\n";
    return out + "}\r\n";
}

std::optional<std::int64_t> transAmount(const std::string& record) {
    const auto close = record.find('}');
    if (record.rfind("#TRANS ", 0) != 0 || close == std::string::npos) return std::nullopt;
    std::size_t i = close + 1;
    while (i < record.size() && (record[i] == ' ' || record[i] == '\t')) ++i;
    std::size_t end = i;
    while (end < record.size() && record[end] != ' ' && record[end] != '\t' && record[end] != '\r') ++end;
    const std::string amount = record.substr(i, end - i);
    const bool negative = !amount.empty() && amount[0] == '-';
    const std::string body = negative ? amount.substr(1) : amount;
    const auto dot = body.find('.');
    const std::string whole = body.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : body.substr(dot + 1);
    if (whole.empty() || whole.size() > 16 || fraction.size() > 2 ||
        (whole + fraction).find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    fraction.append(2 - fraction.size(), '0');
    const std::int64_t cents = std::stoll(whole) * 100 + std::stoll(fraction);
    return negative ? -cents : cents;
}

std::vector<std::string> tokens(const std::string& record) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < record.size()) {
        const char ch = record[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '{' || ch == '}') {
            ++i;
        } else if (ch == '"') {
            std::string field;
            for (++i; i < record.size() && record[i] != '"'; ++i) {
                if (record[i] == '\\' && i + 1 < record.size() && record[i + 1] == '"') ++i;
                field += record[i];
            }
            ++i;  // closing quote
            out.push_back(field);
        } else {
            std::string field;
            while (i < record.size() && record[i] != ' ' && record[i] != '\t' && record[i] != '\r' &&
                   record[i] != '\n' && record[i] != '{' && record[i] != '}' && record[i] != '"')
                field += record[i++];
            out.push_back(field);
        }
    }
    return out;
}

std::uint32_t crc32(const std::string& bytes, std::uint32_t crc) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

std::uint32_t checksum(const std::string& records) {
    std::uint32_t crc = 0;
    std::istringstream in(records);
    std::string line;
    while (std::getline(in, line))
        for (const auto& t : tokens(line)) crc = crc32(t, crc);
    return crc;
}

}  // namespace ledgerbridge::sie
