// The independent Buchungsstapel reader: its own byte checks, field splitter, column table and
// field expressions (from DATEV's published format description), no writer code.
#include "DatevReader.hpp"

// GCC 12 at -O1 and above (the Asan build) reports a false -Wmaybe-uninitialized inside
// <regex>'s std::function (GCC bug 105562); the pragma must precede the include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ledgerbridge::readers {

namespace {

// ---- one field as read: raw text (quotes included) and its value ---------------------------

struct Field {
    std::string raw;    ///< as in the file, quotes included
    std::string value;  ///< quotes removed, doubled quotes undone
    bool quoted = false;
};

class Failure {
public:
    Failure(std::string path, std::size_t line) : where_(std::move(path) + ":" + std::to_string(line)) {}
    [[noreturn]] void operator()(const std::string& rule) const { throw std::runtime_error(where_ + ": " + rule); }
    const std::string& where() const { return where_; }

private:
    std::string where_;
};

// Splits one line on ';'. A field is either bare (no quote in it) or entirely quoted, with
// inner quotes doubled; anything else breaks DATEV's quoting.
std::vector<Field> split(const std::string& line, const Failure& fail) {
    std::vector<Field> out;
    std::size_t i = 0;
    while (true) {
        Field f;
        if (i < line.size() && line[i] == '"') {
            f.quoted = true;
            std::size_t j = i + 1;
            for (;; ++j) {
                if (j >= line.size()) fail("field " + std::to_string(out.size() + 1) + ": quote not closed");
                if (line[j] == '"') {
                    if (j + 1 < line.size() && line[j + 1] == '"') {
                        f.value += '"';
                        ++j;
                        continue;
                    }
                    break;
                }
                f.value += line[j];
            }
            f.raw = line.substr(i, j + 1 - i);
            i = j + 1;
            if (i < line.size() && line[i] != ';')
                fail("field " + std::to_string(out.size() + 1) + ": text after the closing quote");
        } else {
            const std::size_t end = line.find(';', i);
            f.raw = line.substr(i, end == std::string::npos ? std::string::npos : end - i);
            if (f.raw.find('"') != std::string::npos)
                fail("field " + std::to_string(out.size() + 1) + ": a quote inside an unquoted field");
            f.value = f.raw;
            i = end == std::string::npos ? line.size() : end;
        }
        out.push_back(std::move(f));
        if (i >= line.size()) break;
        ++i;  // the ';'
        if (i == line.size()) {
            out.push_back(Field{});
            break;
        }
    }
    return out;
}

// ---- bytes ------------------------------------------------------------------------------------

// Splits the file into CRLF-terminated lines, checking the bytes are Windows-1252 text.
std::vector<std::string> lines(const std::string& bytes, const std::string& path) {
    if (bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) Failure(path, 1)("a UTF-8 byte order mark; DATEV expects Windows-1252");
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        const Failure fail(path, out.size() + 1);
        if (b == '\n') fail("a line feed without carriage return (DATEV lines end in CRLF)");
        if (b == '\r') {
            if (i + 1 >= bytes.size() || bytes[i + 1] != '\n') fail("a carriage return without line feed");
            out.push_back(bytes.substr(start, i - start));
            start = i + 2;
            ++i;
            continue;
        }
        if (b < 0x20 && b != '\t') fail("control character " + std::to_string(b) + " in the text");
        if (b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D)
            fail("byte " + std::to_string(b) + " is not defined in Windows-1252");
        if (b >= 0xC2 && b <= 0xDF && i + 1 < bytes.size()) {
            const auto next = static_cast<unsigned char>(bytes[i + 1]);
            if (next >= 0x80 && next <= 0xBF) fail("a UTF-8 sequence; DATEV expects Windows-1252");
        }
    }
    if (start != bytes.size()) Failure(path, out.size() + 1)("the last line does not end in CRLF");
    return out;
}

// ---- field rules ------------------------------------------------------------------------------

// Each expression is compiled once per thread: compiling a std::regex for every field of every
// row made reading a file mostly regex construction (fuzz_datev_reader ran 9 inputs a second).
bool matches(const std::string& s, const char* expression) {
    thread_local std::map<std::string, std::regex> compiled;
    auto it = compiled.find(expression);
    if (it == compiled.end()) it = compiled.emplace(expression, std::regex(expression)).first;
    return std::regex_match(s, it->second);
}

// A text field: quoted, at most `max` characters (one byte each in Windows-1252).
void text(const Field& f, std::size_t max, const std::string& name, const Failure& fail) {
    if (f.raw.empty()) return;
    if (!f.quoted) fail(name + ": text must be quoted, got " + f.raw);
    if (f.value.size() > max) fail(name + ": at most " + std::to_string(max) + " characters, got " + std::to_string(f.value.size()));
}

// A field that is empty or matches `expression` (applied to the raw field, quotes included,
// as DATEV states its expressions).
void rule(const Field& f, const char* expression, const std::string& name, const Failure& fail) {
    if (f.raw.empty() || f.raw == "\"\"") return;
    if (!matches(f.raw, expression)) fail(name + ": '" + f.raw + "' does not match " + expression);
}

bool validDate(int y, int m, int d) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && leap ? 29 : days[m - 1]);
}

// "YYYYMMDD" -> number, after checking it is a date.
int yyyymmdd(const Field& f, const std::string& name, const Failure& fail) {
    if (!matches(f.raw, "^\\d{8}$")) fail(name + ": expected YYYYMMDD, got '" + f.raw + "'");
    const int v = std::stoi(f.raw);
    if (!validDate(v / 10000, v / 100 % 100, v % 100)) fail(name + ": " + f.raw + " is not a date");
    return v;
}

// "1234,56" -> 123456.
std::int64_t hundredths(const std::string& s) {
    std::int64_t v = 0;
    for (char c : s)
        if (c != ',') v = v * 10 + (c - '0');
    return v;
}

struct Header {
    std::string wkz;
    int sachkontenlaenge = 0;
    int from = 0, to = 0;  // YYYYMMDD
};

Header readHeader(const std::string& line, const Failure& fail) {
    const auto f = split(line, fail);
    if (f.size() != 31) fail("header: 31 fields expected, found " + std::to_string(f.size()));
    auto is = [&](std::size_t n, const char* expression, const char* name) {
        if (!matches(f[n - 1].raw, expression))
            fail(std::string("header field ") + std::to_string(n) + " (" + name + "): '" + f[n - 1].raw +
                 "' does not match " + expression);
    };
    is(1, "^\"(EXTF|DTVF)\"$", "Kennzeichen");
    is(2, "^700$", "Versionsnummer");
    is(3, "^21$", "Datenkategorie");
    is(4, "^\"Buchungsstapel\"$", "Formatname");
    is(5, "^13$", "Formatversion (this reader knows the 125 columns of version 13)");
    is(6, "^\\d{17}$", "erzeugt am");
    is(7, "^$", "importiert");
    is(8, "^(\"[A-Za-z0-9_]{0,2}\")?$", "Herkunft");
    is(9, "^(\".{0,25}\")?$", "exportiert von");
    is(10, "^(\".{0,25}\")?$", "importiert von");
    is(11, "^\\d{4,7}$", "Beraternummer");
    is(12, "^\\d{1,5}$", "Mandantennummer");
    const long berater = std::stol(f[10].raw), mandant = std::stol(f[11].raw);
    if (berater < 1001 || berater > 9999999) fail("header field 11 (Beraternummer): 1001..9999999, got " + f[10].raw);
    if (mandant < 1 || mandant > 99999) fail("header field 12 (Mandantennummer): 1..99999, got " + f[11].raw);
    yyyymmdd(f[12], "header field 13 (WJ-Beginn)", fail);
    is(14, "^[4-9]$", "Sachkontenlänge");
    Header h;
    h.sachkontenlaenge = std::stoi(f[13].raw);
    h.from = yyyymmdd(f[14], "header field 15 (Datum vom)", fail);
    h.to = yyyymmdd(f[15], "header field 16 (Datum bis)", fail);
    if (h.to < h.from) fail("header: Datum bis before Datum vom");
    if (h.from / 10000 != h.to / 10000) fail("header: Datum vom and Datum bis in different years");
    text(f[16], 30, "header field 17 (Bezeichnung)", fail);
    is(18, "^(\"([A-Z]{2})?\")?$", "Diktatkürzel");
    is(19, "^[12]$", "Buchungstyp (1 Finanzbuchführung, 2 Jahresabschluss)");
    is(20, "^(0|30|40|50|64)?$", "Rechnungslegungszweck");
    is(21, "^[01]?$", "Festschreibung");
    is(22, "^\"[A-Z]{3}\"$", "WKZ");
    h.wkz = f[21].value;
    is(23, "^$", "reserviert");
    is(24, "^(\"[^\"]{0,20}\")?$", "Derivatskennzeichen");
    is(25, "^$", "reserviert");
    is(26, "^$", "reserviert");
    is(27, "^(\"(\\d{2})?\")?$", "SKR");
    is(28, "^\\d{0,5}$", "Branchenlösungs-ID");
    is(29, "^$", "reserviert");
    is(30, "^(\"\")?$", "reserviert");
    is(31, "^(\".{0,16}\")?$", "Anwendungsinformation");
    return h;
}

// The 125 column names of Formatversion 13, in Windows-1252 bytes.
std::vector<std::string> columnNames() {
    std::vector<std::string> c = {"Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs",
                                  "Basis-Umsatz", "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schl\xFCssel)",
                                  "BU-Schl\xFCssel", "Belegdatum", "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext",
                                  "Postensperre", "Diverse Adressnummer", "Gesch\xE4" "ftspartnerbank", "Sachverhalt",
                                  "Zinssperre", "Beleglink"};
    for (int i = 1; i <= 8; ++i) {
        c.push_back("Beleginfo - Art " + std::to_string(i));
        c.push_back("Beleginfo - Inhalt " + std::to_string(i));
    }
    const char* middle[] = {"KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge",
                            "EU-Mitgliedstaat u. UStID (Bestimmung)", "EU-Steuersatz (Bestimmung)",
                            "Abw. Versteuerungsart", "Sachverhalt L+L", "Funktionserg\xE4nzung L+L",
                            "BU 49 Hauptfunktionstyp", "BU 49 Hauptfunktionsnummer", "BU 49 Funktionserg\xE4nzung"};
    for (const char* n : middle) c.push_back(n);
    for (int i = 1; i <= 20; ++i) {
        c.push_back("Zusatzinformation - Art " + std::to_string(i));
        c.push_back("Zusatzinformation - Inhalt " + std::to_string(i));
    }
    const char* tail[] = {("St\xFC" "ck"),  // parenthesised: one literal split so "ck" is not read as hex digits
                          "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr",
                          "Zugeordnete F\xE4lligkeit", "Skontotyp", "Auftragsnummer", "Buchungstyp",
                          "USt-Schl\xFCssel (Anzahlungen)", "EU-Mitgliedstaat (Anzahlungen)",
                          "Sachverhalt L+L (Anzahlungen)", "EU-Steuersatz (Anzahlungen)", "Erl\xF6skonto (Anzahlungen)",
                          "Herkunft-Kz", "Leerfeld", "KOST-Datum", "SEPA-Mandatsreferenz", "Skontosperre",
                          "Gesellschaftername", "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer",
                          "Postensperre bis", "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung",
                          "Festschreibung", "Leistungsdatum", "Datum Zuord. Steuerperiode", "F\xE4lligkeit",
                          "Generalumkehr", "Steuersatz", "Land", "Abrechnungsreferenz",
                          "BVV-Position (Betriebsverm\xF6gensvergleich)", "EU-Mitgliedstaat u. UStID (Ursprung)",
                          "EU-Steuersatz (Ursprung)", "Abw. Skontokonto"};
    for (const char* n : tail) c.push_back(n);
    return c;
}

// Expressions for the columns after Buchungstext that are not plain length-limited text
// (1-based column -> expression on the raw field). Text columns are listed in textLimit().
const char* expressionOf(std::size_t col) {
    static const char* const date = "^(0[1-9]|[12]\\d|3[01])(0[1-9]|1[0-2])20\\d{2}$";
    switch (col) {
        case 15: case 19: case 114: return "^[01]$";
        case 16: return "^\"[A-Za-z0-9_]{0,9}\"$";
        case 17: return "^\\d{3}$";
        case 18: return "^\\d{2}$";
        case 39: return "^\\d{1,12},\\d{1,4}$";
        case 41: case 124: return "^\\d{2},\\d{2}$";
        case 42: return "^\"(I|K|P|S)\"$";
        case 43: return "^\\d{1,3}$";
        case 44: case 47: case 99: return "^\\d{0,3}$";
        case 45: case 94: return "^\\d$";
        case 46: case 90: return "^\\d{0,2}$";
        case 88: return "^\\d{0,8}$";
        case 89: return "^\\d{1,8},\\d{2}$";
        case 91: return "^\"[A-Za-z0-9_]{0,10}\"$";
        case 92: return "^20\\d{2}$";
        case 93: case 104: case 111: case 115: case 116: case 117: return date;
        case 96: case 98: case 102: case 120: return "^\"[A-Z]{2}\"$";
        case 97: return "^\\d{0,4}$";
        case 100: case 119: return "^\\d{1,2},\\d{2}$";
        case 101: return "^\\d{4,8}$";
        case 106: return "^[01]$";
        case 108: return "^\\d{4}$";
        case 113: return "^\\d{1,2}$";
        case 118: return "^\"[01]\"$";
        case 122: return "^[1-5]$";
        case 125: return "^\\d{1,9}$";
        default: return nullptr;
    }
}

// Maximum length of the text columns (1-based); 0 = not a text column.
std::size_t textLimit(std::size_t col) {
    if (col == 14) return 60;                              // Buchungstext
    if (col == 20) return 210;                             // Beleglink
    if (col >= 21 && col <= 36) return col % 2 ? 20 : 210; // Beleginfo Art / Inhalt
    if (col == 40 || col == 123) return 15;                // EU-Mitgliedstaat u. UStID
    if (col >= 48 && col <= 87) return col % 2 ? 210 : 20; // Zusatzinformation Art (even) / Inhalt (odd)
    if (col == 95 || col == 112) return 30;
    if (col == 103) return 36;
    if (col == 105) return 35;
    if (col == 107) return 76;
    if (col == 109) return 11;
    if (col == 110) return 20;
    if (col == 121) return 50;
    return 0;
}

struct Row {
    std::string entryId, key;
    std::vector<testkit::Posting> postings;
};

std::string columnName(std::size_t col) { return "column " + std::to_string(col); }

Row readRow(const std::string& line, const Header& h, const Failure& fail) {
    const auto f = split(line, fail);
    if (f.size() != 125) fail("a booking has 125 fields, found " + std::to_string(f.size()));
    auto at = [&](std::size_t col) -> const Field& { return f[col - 1]; };
    auto required = [&](std::size_t col, const char* name) {
        if (at(col).value.empty()) fail(columnName(col) + " (" + name + ") is required");
    };
    // Amounts and currencies (columns 1-6).
    required(1, "Umsatz");
    rule(at(1), "^\\d{1,10},\\d{2}$", "column 1 (Umsatz)", fail);
    if (hundredths(at(1).raw) == 0) fail("column 1 (Umsatz) must not be 0,00");
    required(2, "Soll/Haben-Kennzeichen");
    rule(at(2), "^\"(S|H)\"$", "column 2 (Soll/Haben-Kennzeichen)", fail);
    rule(at(3), "^\"[A-Z]{3}\"$", "column 3 (WKZ Umsatz)", fail);
    rule(at(4), "^[1-9]\\d{0,3},\\d{2,6}$", "column 4 (Kurs)", fail);
    rule(at(5), "^\\d{1,10},\\d{2}$", "column 5 (Basis-Umsatz)", fail);
    rule(at(6), "^\"[A-Z]{3}\"$", "column 6 (WKZ Basis-Umsatz)", fail);
    const std::string wkzUmsatz = at(3).value.empty() ? h.wkz : at(3).value;
    const bool hasBasis = !at(5).value.empty();
    if (hasBasis != !at(6).value.empty()) fail("columns 5/6: Basis-Umsatz and WKZ Basis-Umsatz go together");
    if (wkzUmsatz != h.wkz) {
        if (at(4).value.empty() || !hasBasis)
            fail("a foreign WKZ Umsatz (" + wkzUmsatz + ") needs Kurs, Basis-Umsatz and WKZ Basis-Umsatz");
        if (at(6).value != h.wkz) fail("column 6 (WKZ Basis-Umsatz) " + at(6).value + " is not the header's WKZ " + h.wkz);
        if (hundredths(at(5).raw) == 0) fail("column 5 (Basis-Umsatz) must not be 0,00");
    } else if (!at(4).value.empty()) {
        fail("column 4 (Kurs) given for an Umsatz in the base currency " + h.wkz);
    }
    // Accounts, key, date, document number, text.
    for (std::size_t col : {7u, 8u}) {
        const std::string name = col == 7 ? "column 7 (Konto)" : "column 8 (Gegenkonto)";
        required(col, col == 7 ? "Konto" : "Gegenkonto");
        rule(at(col), "^\\d{1,9}$", name, fail);
        if (at(col).raw.find_first_not_of('0') == std::string::npos) fail(name + " must not be 0");
        if (at(col).raw.size() > static_cast<std::size_t>(h.sachkontenlaenge) + 1)
            fail(name + " " + at(col).raw + " is longer than Sachkontenlänge + 1 (" +
                 std::to_string(h.sachkontenlaenge + 1) + ")");
    }
    rule(at(9), "^\"\\d{4}\"$", "column 9 (BU-Schlüssel)", fail);
    required(10, "Belegdatum");
    rule(at(10), "^\\d{4}$", "column 10 (Belegdatum, TTMM)", fail);
    const int day = std::stoi(at(10).raw.substr(0, 2)), month = std::stoi(at(10).raw.substr(2, 2));
    const int year = h.from / 10000;
    if (!validDate(year, month, day)) fail("column 10 (Belegdatum) " + at(10).raw + " is not a date in " + std::to_string(year));
    const int date = year * 10000 + month * 100 + day;
    if (date < h.from || date > h.to)
        fail("column 10 (Belegdatum) " + at(10).raw + " is outside the header's Datum vom..bis");
    rule(at(11), "^\"[#$%&*+\\-/0-9A-Z_a-z]{0,36}\"$", "column 11 (Belegfeld 1)", fail);
    rule(at(12), "^\"[#$%&*+\\-/0-9A-Z_a-z]{0,12}\"$", "column 12 (Belegfeld 2)", fail);
    rule(at(13), "^[1-9]\\d{0,7},\\d{2}$", "column 13 (Skonto)", fail);
    rule(at(37), "^\"[A-Za-z0-9_ ]{0,36}\"$", "column 37 (KOST1)", fail);
    rule(at(38), "^\"[A-Za-z0-9_ ]{0,36}\"$", "column 38 (KOST2)", fail);
    for (std::size_t col = 14; col <= 125; ++col) {
        if (col == 37 || col == 38) continue;
        if (const std::size_t max = textLimit(col)) text(at(col), max, columnName(col), fail);
        else if (const char* e = expressionOf(col)) rule(at(col), e, columnName(col), fail);
        else if (!at(col).raw.empty() && at(col).raw != "\"\"") fail(columnName(col) + " must be empty, got " + at(col).raw);
    }
    Row r;
    for (std::size_t col = 48; col <= 86; col += 2) {
        if (at(col).value == "Pleo-Key") r.key = at(col + 1).value;
        if (at(col).value == "Pleo-Eintrag") r.entryId = at(col + 1).value;
    }
    if (r.entryId.empty()) r.entryId = at(11).value;
    // What DATEV books in the Mandant's currency, signed for Konto (S = debit).
    const bool foreign = wkzUmsatz != h.wkz;
    const std::int64_t amount = hundredths(foreign ? at(5).raw : at(1).raw);
    const std::int64_t konto = at(2).value == "S" ? amount : -amount;
    r.postings.push_back(testkit::Posting{at(7).raw, konto, h.wkz, 2, at(9).value});
    r.postings.push_back(testkit::Posting{at(8).raw, -konto, h.wkz, 2, ""});
    return r;
}

}  // namespace

std::vector<testkit::WrittenDocument> readDatevFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ":0: cannot open the file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const auto all = lines(buffer.str(), path);
    if (all.size() < 2) Failure(path, all.size() + 1)("a Buchungsstapel needs the header and the column names");
    const Header header = readHeader(all[0], Failure(path, 1));
    const Failure namesFail(path, 2);
    const auto names = split(all[1], namesFail);
    const auto expected = columnNames();
    if (names.size() != expected.size())
        namesFail("125 column names expected, found " + std::to_string(names.size()));
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (names[i].value != expected[i])
            namesFail("column " + std::to_string(i + 1) + " is named '" + names[i].value + "', expected '" + expected[i] + "'");
    std::vector<testkit::WrittenDocument> docs;
    for (std::size_t n = 2; n < all.size(); ++n) {
        const Failure fail(path, n + 1);
        if (all[n].empty()) fail("an empty line inside the Buchungsstapel");
        Row row = readRow(all[n], header, fail);
        if (docs.empty() || docs.back().accountingEntryId != row.entryId || docs.back().idempotencyKey != row.key) {
            testkit::WrittenDocument d;
            d.accountingEntryId = row.entryId;
            d.idempotencyKey = row.key;
            d.where = fail.where();
            docs.push_back(std::move(d));
        }
        for (auto& p : row.postings) docs.back().postings.push_back(std::move(p));
    }
    return docs;
}

}  // namespace ledgerbridge::readers
