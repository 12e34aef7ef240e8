// Independent SIE 4 reader: written from the format's rules (SIE filformat 4B, as summarised in
// plugins/sie/README.md), sharing nothing with the plugin's writer. Strict on purpose: a file
// this reader accepts is one an importing program can read without guessing.
#include "SieReader.hpp"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace ledgerbridge::readers {

namespace {

enum class Kind { Word, Quoted, Open, Close };

struct Token {
    Kind kind;
    std::string text;
};

struct Record {
    int line = 0;
    std::vector<Token> tokens;
};

class Failure {
public:
    explicit Failure(std::string path) : path_(std::move(path)) {}
    [[noreturn]] void at(int line, const std::string& rule) const {
        throw std::runtime_error(path_ + ":" + std::to_string(line) + ": " + rule);
    }

private:
    std::string path_;
};

// The record's label and fields: blanks (space, tab) separate; "..." is one field in which \"
// stands for a quote; { and } outside quotes are tokens of their own.
std::vector<Token> tokenize(const std::string& text, int line, const Failure& fail) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t') {
            ++i;
        } else if (c == '{' || c == '}') {
            out.push_back({c == '{' ? Kind::Open : Kind::Close, std::string(1, c)});
            ++i;
        } else if (c == '"') {
            std::string field;
            bool closed = false;
            for (++i; i < text.size(); ++i) {
                if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else if (text[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    field += text[i];
                }
            }
            if (!closed) fail.at(line, "a quoted field is not closed");
            if (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '}')
                fail.at(line, "a quoted field is followed by '" + std::string(1, text[i]) + "' without a blank");
            out.push_back({Kind::Quoted, field});
        } else {
            std::string word;
            while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '{' && text[i] != '}') {
                if (text[i] == '"') fail.at(line, "a quote inside an unquoted field");
                word += text[i++];
            }
            out.push_back({Kind::Word, word});
        }
    }
    return out;
}

// CRC-32 as in ISO 3309 (reflected polynomial 0xEDB88320), bit by bit.
std::uint32_t crcUpdate(std::uint32_t crc, const std::string& bytes) {
    crc = ~crc;
    for (unsigned char b : bytes) {
        crc ^= b;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

bool allDigits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool validDate(const std::string& s) {
    if (s.size() != 8 || !allDigits(s)) return false;
    const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(4, 2)), d = std::stoi(s.substr(6, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// "-1234.5" -> -123450 (hundredths); nullopt unless digits, optional minus, optional point
// with one or two decimals.
std::optional<std::int64_t> hundredths(const std::string& s) {
    std::size_t i = 0;
    const bool minus = !s.empty() && s[0] == '-';
    if (minus) i = 1;
    const auto point = s.find('.', i);
    const std::string units = s.substr(i, point == std::string::npos ? std::string::npos : point - i);
    const std::string decimals = point == std::string::npos ? "" : s.substr(point + 1);
    if (!allDigits(units) || units.size() > 16) return std::nullopt;
    if (point != std::string::npos && (decimals.empty() || decimals.size() > 2 || !allDigits(decimals)))
        return std::nullopt;
    std::int64_t value = std::stoll(units) * 100;
    if (decimals.size() == 1) value += (decimals[0] - '0') * 10;
    if (decimals.size() == 2) value += std::stoll(decimals);
    return minus ? -value : value;
}

bool markerCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string("-_.:+=@/").find(c) != std::string::npos;
}

std::optional<std::string> unescapeMarkerWord(const std::string& w) {
    std::string out;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (w[i] == '%') {
            if (i + 2 >= w.size()) return std::nullopt;
            const std::string hex = w.substr(i + 1, 2);
            if (hex.find_first_not_of("0123456789ABCDEF") != std::string::npos) return std::nullopt;
            out += static_cast<char>(std::stoi(hex, nullptr, 16));
            i += 2;
        } else if (markerCharacter(w[i])) {
            out += w[i];
        } else {
            return std::nullopt;
        }
    }
    if (out.empty()) return std::nullopt;
    return out;
}

// Splits the file into CR LF terminated records, checking the bytes of each.
std::vector<Record> records(const std::string& bytes, const Failure& fail) {
    std::vector<Record> out;
    if (bytes.empty()) fail.at(1, "the file is empty");
    std::size_t start = 0;
    int line = 1;
    while (start < bytes.size()) {
        const auto lf = bytes.find('\n', start);
        if (lf == std::string::npos) fail.at(line, "the last record does not end in CR LF");
        if (lf == start || bytes[lf - 1] != '\r') fail.at(line, "a record ends in a bare LF, not CR LF");
        const std::string text = bytes.substr(start, lf - 1 - start);
        for (std::size_t k = 0; k < text.size(); ++k) {
            const auto b = static_cast<unsigned char>(text[k]);
            if (b == '\r') fail.at(line, "a bare CR inside a record");
            if (b < 0x20 && b != '\t') fail.at(line, "control byte " + std::to_string(b) + " at column " + std::to_string(k + 1));
            if (b == 0x7F) fail.at(line, "DEL byte at column " + std::to_string(k + 1));
            const auto next = k + 1 < text.size() ? static_cast<unsigned char>(text[k + 1]) : 0;
            if (b >= 0xC2 && b <= 0xF4 && next >= 0x80 && next <= 0xBF)
                fail.at(line, "bytes at column " + std::to_string(k + 1) +
                                  " look like UTF-8; a #FORMAT PC8 file is code page 437");
        }
        if (text.empty()) fail.at(line, "an empty record");
        out.push_back({line, tokenize(text, line, fail)});
        start = lf + 1;
        ++line;
    }
    return out;
}

const std::set<std::string>& headLabels() {
    static const std::set<std::string> labels = {
        "#FLAGGA", "#PROGRAM", "#FORMAT", "#GEN",  "#SIETYP", "#PROSA", "#FTYP",     "#FNR",
        "#ORGNR",  "#BKOD",    "#ADRESS", "#FNAMN", "#RAR",   "#TAXAR", "#OMFATTN",  "#KPTYP",
        "#VALUTA", "#KONTO",   "#KTYP",   "#ENHET", "#SRU",   "#DIM",   "#UNDERDIM", "#OBJEKT"};
    return labels;
}

class Reader {
public:
    Reader(std::string path, const Failure& fail) : path_(std::move(path)), fail_(fail) {}

    std::vector<testkit::WrittenDocument> read(const std::vector<Record>& all) {
        std::size_t end = all.size();
        checkFirstRecords(all, end);
        std::size_t i = checksumOn_ ? 2 : 1;
        while (i < end) {
            const Record& r = all[i];
            const std::string label = labelOf(r);
            if (label == "#VER") {
                i = voucher(all, i, end);
                continue;
            }
            if (label == "#TRANS") fail_.at(r.line, "#TRANS outside a #VER block");
            if (label == "#KSUMMA") fail_.at(r.line, "#KSUMMA is only allowed second (opening) and last (closing)");
            if (!headLabels().count(label)) fail_.at(r.line, "unknown record " + label);
            if (!documents_.empty()) fail_.at(r.line, label + " after the first #VER (head records and declarations come first)");
            head(r, label);
            ++i;
        }
        for (const char* required : {"#FORMAT", "#SIETYP", "#GEN", "#FNAMN"})
            if (!seen_.count(required)) fail_.at(all.back().line, "required record " + std::string(required) + " is missing");
        return documents_;
    }

private:
    std::string labelOf(const Record& r) const {
        if (r.tokens.empty() || r.tokens[0].kind != Kind::Word || r.tokens[0].text.size() < 2 ||
            r.tokens[0].text[0] != '#')
            fail_.at(r.line, "a record must start with a #LABEL");
        for (std::size_t k = 1; k < r.tokens[0].text.size(); ++k)
            if (r.tokens[0].text[k] < 'A' || r.tokens[0].text[k] > 'Z') fail_.at(r.line, "malformed label " + r.tokens[0].text);
        return r.tokens[0].text;
    }

    // Fields of a head record: every token after the label, none of them a brace.
    std::vector<std::string> fields(const Record& r, std::size_t min, std::size_t max) const {
        std::vector<std::string> out;
        for (std::size_t k = 1; k < r.tokens.size(); ++k) {
            if (r.tokens[k].kind == Kind::Open || r.tokens[k].kind == Kind::Close)
                fail_.at(r.line, "unexpected brace in " + r.tokens[0].text);
            out.push_back(r.tokens[k].text);
        }
        if (out.size() < min || out.size() > max)
            fail_.at(r.line, r.tokens[0].text + " has " + std::to_string(out.size()) + " fields, expected " +
                                 std::to_string(min) + (max != min ? "-" + std::to_string(max) : ""));
        return out;
    }

    void checkFirstRecords(const std::vector<Record>& all, std::size_t& end) {
        if (labelOf(all[0]) != "#FLAGGA") fail_.at(all[0].line, "the first record must be #FLAGGA");
        const auto flag = fields(all[0], 1, 1);
        if (flag[0] != "0" && flag[0] != "1") fail_.at(all[0].line, "#FLAGGA must be 0 or 1");
        checksumOn_ = all.size() > 1 && labelOf(all[1]) == "#KSUMMA";
        if (!checksumOn_) return;
        if (all[1].tokens.size() != 1) fail_.at(all[1].line, "the opening #KSUMMA has no fields");
        const Record& last = all.back();
        if (all.size() < 3 || last.tokens.empty() || last.tokens[0].text != "#KSUMMA")
            fail_.at(last.line, "an opening #KSUMMA needs a closing #KSUMMA as the last record");
        const auto sum = fields(last, 1, 1);
        if (!allDigits(sum[0]) || sum[0].size() > 10 || std::stoull(sum[0]) > 0xFFFFFFFFull)
            fail_.at(last.line, "#KSUMMA must be an unsigned 32-bit number");
        std::uint32_t crc = 0;
        for (std::size_t k = 2; k + 1 < all.size(); ++k)
            for (const Token& t : all[k].tokens)
                if (t.kind == Kind::Word || t.kind == Kind::Quoted) crc = crcUpdate(crc, t.text);
        if (std::to_string(crc) != sum[0])
            fail_.at(last.line, "#KSUMMA " + sum[0] + " does not match the records (CRC-32 " + std::to_string(crc) + ")");
        end = all.size() - 1;
    }

    void head(const Record& r, const std::string& label) {
        if (seen_.count(label) && label != "#DIM" && label != "#OBJEKT" && label != "#RAR" && label != "#KONTO" &&
            label != "#KTYP" && label != "#SRU" && label != "#ENHET" && label != "#PROSA")
            fail_.at(r.line, label + " appears twice");
        seen_.insert(label);
        if (label == "#FLAGGA") fail_.at(r.line, "#FLAGGA must be the first record only");
        if (label == "#FORMAT" && fields(r, 1, 1)[0] != "PC8") fail_.at(r.line, "#FORMAT must be PC8");
        if (label == "#SIETYP" && fields(r, 1, 1)[0] != "4") fail_.at(r.line, "#SIETYP must be 4 for vouchers");
        if (label == "#GEN" && !validDate(fields(r, 1, 2)[0])) fail_.at(r.line, "#GEN date is not a valid YYYYMMDD");
        if (label == "#FNAMN") fields(r, 1, 1);
        if (label == "#PROGRAM") fields(r, 2, 2);
        if (label == "#ORGNR") {
            const auto f = fields(r, 1, 3);
            if (f[0].empty() || f[0].find_first_not_of("0123456789-") != std::string::npos)
                fail_.at(r.line, "#ORGNR must be digits and '-'");
        }
        if (label == "#VALUTA") {
            const auto f = fields(r, 1, 1);
            if (f[0].size() != 3 || f[0].find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
                fail_.at(r.line, "#VALUTA must be an ISO 4217 code");
            currency_ = f[0];
        }
        if (label == "#RAR") {
            const auto f = fields(r, 3, 3);
            if (!validDate(f[1]) || !validDate(f[2]) || f[1] > f[2]) fail_.at(r.line, "#RAR needs two valid dates, start first");
            if (f[0] == "0") year_ = {f[1], f[2]};
        }
        if (label == "#DIM") {
            const auto f = fields(r, 2, 2);
            if (!allDigits(f[0]) || f[0].size() > 4) fail_.at(r.line, "#DIM number must be a number");
            if (!dimensions_.insert(std::stoi(f[0])).second) fail_.at(r.line, "dimension " + f[0] + " declared twice");
        }
        if (label == "#OBJEKT") {
            const auto f = fields(r, 3, 3);
            if (!allDigits(f[0]) || !dimensions_.count(std::stoi(f[0])))
                fail_.at(r.line, "#OBJEKT of dimension " + f[0] + ", which no #DIM declares before it");
            if (f[1].empty()) fail_.at(r.line, "#OBJEKT with an empty object id");
            if (!objects_.insert({std::stoi(f[0]), f[1]}).second)
                fail_.at(r.line, "object " + f[1] + " of dimension " + f[0] + " declared twice");
        }
    }

    std::size_t voucher(const std::vector<Record>& all, std::size_t i, std::size_t end) {
        for (const char* required : {"#FORMAT", "#SIETYP", "#GEN", "#FNAMN"})
            if (!seen_.count(required)) fail_.at(all[i].line, "#VER before the required " + std::string(required));
        const Record& ver = all[i];
        const auto f = fields(ver, 4, 6);
        if (f[0].empty()) fail_.at(ver.line, "#VER needs a series");
        if (!f[1].empty() && !allDigits(f[1])) fail_.at(ver.line, "#VER number must be a number or \"\"");
        if (!validDate(f[2])) fail_.at(ver.line, "#VER date '" + f[2] + "' is not a valid YYYYMMDD");
        if (year_ && (f[2] < year_->first || f[2] > year_->second))
            fail_.at(ver.line, "#VER date " + f[2] + " is outside #RAR 0 " + year_->first + "-" + year_->second);
        if (f.size() > 4 && !f[4].empty() && !validDate(f[4])) fail_.at(ver.line, "#VER registration date is not valid");
        testkit::WrittenDocument doc;
        doc.where = path_ + ":" + std::to_string(ver.line);
        identity(f[3], ver.line, doc);
        if (i + 1 >= end || all[i + 1].tokens.size() != 1 || all[i + 1].tokens[0].kind != Kind::Open)
            fail_.at(ver.line, "#VER must be followed by a record '{'");
        std::size_t k = i + 2;
        for (; k < end; ++k) {
            const Record& r = all[k];
            if (r.tokens.size() == 1 && r.tokens[0].kind == Kind::Close) break;
            if (labelOf(r) != "#TRANS") fail_.at(r.line, labelOf(r) + " inside a #VER block (expected #TRANS or '}')");
            doc.postings.push_back(trans(r));
        }
        if (k >= end) fail_.at(ver.line, "the #VER block is not closed by '}'");
        if (doc.postings.empty()) fail_.at(ver.line, "a #VER without #TRANS records");
        documents_.push_back(std::move(doc));
        return k + 1;
    }

    void identity(const std::string& text, int line, testkit::WrittenDocument& doc) const {
        const auto open = text.rfind('[');
        if (text.empty() || text.back() != ']' || open == std::string::npos)
            fail_.at(line, "the #VER text does not end in the entry marker [<entry id> <key>]");
        const std::string inside = text.substr(open + 1, text.size() - open - 2);
        const auto blank = inside.find(' ');
        const auto id = unescapeMarkerWord(inside.substr(0, blank));
        const auto key = blank == std::string::npos ? id : unescapeMarkerWord(inside.substr(blank + 1));
        if (!id || !key) fail_.at(line, "malformed entry marker [" + inside + "]");
        doc.accountingEntryId = *id;
        doc.idempotencyKey = *key;
    }

    testkit::Posting trans(const Record& r) const {
        const auto& t = r.tokens;
        if (t.size() < 2 || t[1].kind != Kind::Word || !allDigits(t[1].text))
            fail_.at(r.line, "#TRANS needs a numeric account");
        if (t.size() < 3 || t[2].kind != Kind::Open) fail_.at(r.line, "#TRANS needs an object list {…} after the account");
        std::size_t k = 3;
        std::set<int> dims;
        while (k < t.size() && t[k].kind != Kind::Close) {
            if (k + 1 >= t.size() || t[k].kind != Kind::Word || !allDigits(t[k].text) || t[k + 1].kind == Kind::Open ||
                t[k + 1].kind == Kind::Close)
                fail_.at(r.line, "an object list holds pairs of dimension number and object id");
            const int dim = std::stoi(t[k].text);
            if (!dims.insert(dim).second) fail_.at(r.line, "dimension " + t[k].text + " twice in one object list");
            if (!objects_.count({dim, t[k + 1].text}))
                fail_.at(r.line, "object \"" + t[k + 1].text + "\" of dimension " + t[k].text + " is not declared by #OBJEKT");
            k += 2;
        }
        if (k >= t.size()) fail_.at(r.line, "the object list is not closed");
        ++k;
        if (k >= t.size() || t[k].kind != Kind::Word) fail_.at(r.line, "#TRANS needs an amount after the object list");
        const auto amount = hundredths(t[k].text);
        if (!amount) fail_.at(r.line, "amount '" + t[k].text + "' is not digits with a point and at most two decimals");
        for (std::size_t extra = k + 1; extra < t.size(); ++extra)
            if (t[extra].kind == Kind::Open || t[extra].kind == Kind::Close) fail_.at(r.line, "a brace after the amount");
        if (k + 1 < t.size() && !t[k + 1].text.empty() && !validDate(t[k + 1].text))
            fail_.at(r.line, "#TRANS date '" + t[k + 1].text + "' is not a valid YYYYMMDD");
        testkit::Posting p;
        p.account = t[1].text;
        p.minor = *amount;
        p.currency = currency_;
        p.exponent = 2;
        return p;
    }

    std::string path_;
    const Failure& fail_;
    bool checksumOn_ = false;
    std::set<std::string> seen_;
    std::string currency_ = "SEK";  // the format's default when #VALUTA is absent
    std::optional<std::pair<std::string, std::string>> year_;
    std::set<int> dimensions_;
    std::set<std::pair<int, std::string>> objects_;
    std::vector<testkit::WrittenDocument> documents_;
};

}  // namespace

std::vector<testkit::WrittenDocument> readSieFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ":0: cannot open the file");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Failure fail(path);
    const std::vector<Record> all = records(bytes, fail);
    return Reader(path, fail).read(all);
}

}  // namespace ledgerbridge::readers
