// SIE 4I writer: head records, verifications, quoting, tokenizer and #KSUMMA.
#include "SieFormat.hpp"

#include <array>
#include <cstdint>
#include <sstream>

#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::sie {

namespace {
bool digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// "YYYY-MM-DD" -> "YYYYMMDD", or "" when malformed.
std::string compactDate(const std::string& date) {
    if (date.size() < 10 || date[4] != '-' || date[7] != '-') return {};
    const std::string d = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
    return digits(d) ? d : std::string();
}

std::string amount(const sdk::Money& m) { return sdk::formatDecimal(m.minor, m.exponent, '.'); }

std::string objects(const sdk::Line& l, const SieConfig& c) {
    std::map<int, std::string> byDim;
    for (const auto& t : l.tags) {
        const auto it = c.dimensions.find(t.groupCode);
        if (it != c.dimensions.end() && byDim.count(it->second) == 0) byDim[it->second] = t.code;
    }
    std::string out = "{";
    for (const auto& [dim, code] : byDim) out += (out.size() > 1 ? " " : "") + std::to_string(dim) + " " + quote(code);
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

std::string entryKey(const sdk::Entry& e) { return e.idempotencyKey.empty() ? e.accountingEntryId : e.idempotencyKey; }

std::string verificationText(const sdk::Entry& e) {
    std::string text = !e.supplier.name.empty() ? e.supplier.name : e.note;
    if (text.empty() && !e.lines.empty()) text = e.lines.front().description;
    return (text.empty() ? std::string() : text + " ") + "[" + entryKey(e) + "]";
}

std::string keyOfText(const std::string& text) {
    if (text.empty() || text.back() != ']') return {};
    const auto open = text.rfind('[');
    return open == std::string::npos ? std::string() : text.substr(open + 1, text.size() - open - 2);
}

std::optional<sdk::Outcome> checkEntry(const sdk::Entry& e, const SieConfig& c) {
    if (auto r = sdk::validateEntry(e, c.taxCodes)) return r;
    const std::string id = e.accountingEntryId;
    auto invalid = [&](const std::string& why) { return sdk::Outcome::rejected("validation_failure", "entry " + id + ": " + why); };
    const std::string date = compactDate(e.date);
    if (date.empty()) return invalid("date '" + e.date + "' is not YYYY-MM-DD");
    if (date < c.yearStart || date > c.yearEnd)
        return invalid("date " + e.date + " is outside the fiscal year " + c.yearStart + "-" + c.yearEnd + " (#RAR 0)");
    if (e.totalWallet.currency != c.currency)
        return invalid("booked in " + e.totalWallet.currency + " but the SIE file's currency is " + c.currency);
    if (e.totalWallet.minor == INT64_MIN) return invalid("the total cannot be negated");
    if (e.contraAccountCode.empty())
        return sdk::Outcome::rejected("account_unknown", "entry " + id + " has no contra account");
    for (const auto& account : {e.contraAccountCode, c.inputVatAccount})
        if (!digits(account)) return sdk::Outcome::rejected("account_unknown", "account '" + account + "' is not a number");
    for (const auto& l : e.lines)
        if (!digits(l.accountCode))
            return sdk::Outcome::rejected("account_unknown", "line " + l.lineId + " of entry " + id + ": account '" +
                                                                 l.accountCode + "' is not a number");
    return std::nullopt;
}

std::string verification(const sdk::Entry& e, const SieConfig& c) {
    std::string v = "#VER " + quote(c.series) + " \"\" " + compactDate(e.date) + " " + quote(verificationText(e)) + "\r\n{\r\n";
    for (const auto& l : e.lines) {
        v += "#TRANS " + l.accountCode + " " + objects(l, c) + " " + amount(l.netAmount) + "\r\n";
        if (l.taxAmount.minor != 0) v += "#TRANS " + c.inputVatAccount + " {} " + amount(l.taxAmount) + "\r\n";
    }
    sdk::Money contra = e.totalWallet;
    contra.minor = -contra.minor;  // checkEntry refused INT64_MIN
    v += "#TRANS " + e.contraAccountCode + " {} " + amount(contra) + "\r\n}\r\n";
    return v;
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
