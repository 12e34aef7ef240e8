// DATEV Buchungsstapel writer: header, column names, booking rows, exact Kurs.
#include "DatevFormat.hpp"

#include <algorithm>
#include <cstdio>

#include "Cp1252.hpp"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::datev {

namespace {
std::vector<std::string> makeColumns() {
    std::vector<std::string> c = {"Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs",
                                  "Basis-Umsatz", "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)",
                                  "BU-Schlüssel", "Belegdatum", "Belegfeld 1", "Belegfeld 2", "Skonto",
                                  "Buchungstext", "Postensperre", "Diverse Adressnummer", "Geschäftspartnerbank",
                                  "Sachverhalt", "Zinssperre", "Beleglink"};
    for (int n = 1; n <= 8; ++n) {
        c.push_back("Beleginfo - Art " + std::to_string(n));
        c.push_back("Beleginfo - Inhalt " + std::to_string(n));
    }
    for (const char* name : {"KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge",
                             "EU-Mitgliedstaat u. UStID (Bestimmung)", "EU-Steuersatz (Bestimmung)",
                             "Abw. Versteuerungsart", "Sachverhalt L+L", "Funktionsergänzung L+L",
                             "BU 49 Hauptfunktionstyp", "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung"})
        c.push_back(name);
    for (int n = 1; n <= 20; ++n) {
        c.push_back("Zusatzinformation - Art " + std::to_string(n));
        c.push_back("Zusatzinformation - Inhalt " + std::to_string(n));
    }
    for (const char* name :
         {"Stück", "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr", "Zugeordnete Fälligkeit",
          "Skontotyp", "Auftragsnummer", "Buchungstyp", "USt-Schlüssel (Anzahlungen)",
          "EU-Mitgliedstaat (Anzahlungen)", "Sachverhalt L+L (Anzahlungen)", "EU-Steuersatz (Anzahlungen)",
          "Erlöskonto (Anzahlungen)", "Herkunft-Kz", "Leerfeld", "KOST-Datum", "SEPA-Mandatsreferenz",
          "Skontosperre", "Gesellschaftername", "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer",
          "Postensperre bis", "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung", "Festschreibung",
          "Leistungsdatum", "Datum Zuord. Steuerperiode", "Fälligkeit", "Generalumkehr", "Steuersatz", "Land",
          "Abrechnungsreferenz", "BVV-Position (Betriebsvermögensvergleich)",
          "EU-Mitgliedstaat u. UStID (Ursprung)", "EU-Steuersatz (Ursprung)", "Abw. Skontokonto"})
        c.push_back(name);
    return c;
}

// Columns of DATEV type "Text": written quoted, "" when empty.
bool isTextColumn(std::size_t i) {
    if (i == 1 || i == 2 || i == 5 || i == 8 || i == 10 || i == 11 || i == 13 || i == 15 || i == 19) return true;
    if (i >= 20 && i <= 37) return true;  // Beleginfo, KOST1, KOST2
    if (i == 39 || i == 41) return true;
    if (i >= 47 && i <= 86) return true;  // Zusatzinformation
    for (std::size_t t : {94u, 95u, 97u, 101u, 102u, 104u, 106u, 108u, 109u, 111u, 117u, 119u, 120u, 122u})
        if (i == t) return true;
    return false;
}

std::string twoDigits(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

int daysIn(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

__extension__ typedef __int128 Wide;  // exact intermediate for Kurs (GCC/Clang)

std::uint64_t magnitude(std::int64_t v) {
    return v < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

// Umsatz and Basis-Umsatz are ^\d{1,10},\d{2}$ whatever the currency's minor units: always
// positive (the sign goes to S/H), exactly two decimals. Zero-decimal amounts get ",00"; an
// amount with more decimals is written only when the extra digits are zero (never rounded:
// a rounded Umsatz would book a different amount than Pleo paid). nullopt when not writable.
std::optional<std::string> twoDecimals(const sdk::Money& m) {
    if (m.exponent < 0 || m.exponent > 18) return std::nullopt;
    std::uint64_t abs = magnitude(m.minor);
    int exponent = m.exponent;
    for (; exponent > 2; --exponent) {
        if (abs % 10 != 0) return std::nullopt;
        abs /= 10;
    }
    std::string digits = std::to_string(abs);
    for (; exponent < 2; ++exponent) digits += '0';
    if (digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
    digits.insert(digits.size() - 2, 1, ',');
    if (digits.size() > 13) return std::nullopt;  // more than 10 digits before the comma
    return digits;
}

bool isCurrencyCode(const std::string& s) {
    if (s.size() != 3) return false;
    for (char c : s)
        if (c < 'A' || c > 'Z') return false;
    return true;
}

bool digitsOnly(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Kurs is ^[1-9]\d{0,3},\d{2,6}$: at least 1, below 10000.
bool kursWritable(const std::string& k) {
    const auto comma = k.find(',');
    return comma != std::string::npos && comma >= 1 && comma <= 4 && k[0] != '0';
}

// A line is written in its supplier currency (Umsatz, WKZ Umsatz, Kurs, Basis-Umsatz, WKZ
// Basis-Umsatz) only when every one of those fields can carry it exactly; otherwise it is
// written in the base currency alone and the original amount goes to a Zusatzinformation.
bool foreignCurrency(const sdk::Line& l) {
    const sdk::Money& f = l.supplierAmount;
    const sdk::Money& w = l.walletAmount;
    if (f.currency.empty() || f.currency == w.currency || !isCurrencyCode(f.currency)) return false;
    if (f.minor == 0 || w.minor == 0 || (f.minor < 0) != (w.minor < 0)) return false;
    if (!twoDecimals(f) || !twoDecimals(w) || f.exponent > 18) return false;
    return kursWritable(kurs(f, w));
}

std::string tagCode(const sdk::Line& l, const std::string& group) {
    if (group.empty()) return {};
    for (const auto& t : l.tags)
        if (t.groupCode == group) return t.code;
    return {};
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}
}  // namespace

std::string Period::id() const { return std::to_string(year) + twoDigits(month); }

const std::vector<std::string>& columnNames() {
    static const std::vector<std::string> columns = makeColumns();
    return columns;
}

std::optional<Period> periodOf(const std::string& date) {
    if (date.size() < 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (date[i] < '0' || date[i] > '9') return std::nullopt;
    Period p{std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2))};
    const int day = std::stoi(date.substr(8, 2));
    if (p.year < 1900 || p.month < 1 || p.month > 12 || day < 1 || day > daysIn(p.year, p.month))
        return std::nullopt;
    return p;
}

std::string textField(const std::string& text, std::size_t maxChars) {
    std::u32string chars = decodeUtf8(text);
    for (char32_t& c : chars)
        if (c == U'\r' || c == U'\n' || c == U'\t') c = U' ';
    if (chars.size() > maxChars) chars.resize(maxChars);
    return quote(encodeUtf8(chars));
}

std::string belegfeld1(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '$' || c == '&' || c == '%' || c == '*' || c == '+' || c == '-' || c == '/';
        out += ok ? c : '-';
        if (out.size() == 36) break;
    }
    return out;
}

std::string kurs(const sdk::Money& foreign, const sdk::Money& base) {
    // foreign/base in whole units = (F / 10^ef) / (B / 10^eb); scaled by 10^6 for six places.
    Wide num = static_cast<Wide>(magnitude(foreign.minor));
    Wide den = static_cast<Wide>(magnitude(base.minor));
    int scale = 6 + base.exponent - foreign.exponent;
    for (; scale > 0; --scale) num *= 10;
    for (; scale < 0; ++scale) den *= 10;
    Wide q = num / den;
    if ((num % den) * 2 >= den) ++q;  // half up
    return sdk::formatDecimal(static_cast<std::int64_t>(q), 6, ',');
}

std::string headerLine(const DatevConfig& c, const Period& p, const std::string& createdAt) {
    const int fyYear = p.month >= c.fiscalYearStartMonth ? p.year : p.year - 1;
    const std::string wjBeginn = std::to_string(fyYear) + twoDigits(c.fiscalYearStartMonth) + "01";
    const std::string from = p.id() + "01";
    const std::string to = p.id() + twoDigits(daysIn(p.year, p.month));
    const std::vector<std::string> f = {
        "\"EXTF\"", "700", "21", "\"Buchungsstapel\"", "13", createdAt, "", "\"LB\"", "\"ledgerbridge\"", "\"\"",
        std::to_string(c.beraternummer), std::to_string(c.mandantennummer), wjBeginn,
        std::to_string(c.sachkontenlaenge), from, to, textField(c.bezeichnung, 30), "\"\"", "1", "0", "0",
        quote(c.wkz), "", "\"\"", "", "", quote(c.skr), "", "", "\"\"", "\"\""};
    std::string line;
    for (std::size_t i = 0; i < f.size(); ++i) line += (i ? ";" : "") + f[i];
    return line;
}

std::string columnLine() {
    std::string line;
    for (const auto& name : columnNames()) line += (line.empty() ? "" : ";") + name;
    return line;
}

std::string entryKey(const sdk::Entry& e) {
    return e.idempotencyKey.empty() ? e.accountingEntryId : e.idempotencyKey;
}

std::string buKeyField(const std::string& configured) {
    return configured.empty() ? configured : std::string(4 - std::min<std::size_t>(4, configured.size()), '0') + configured;
}

namespace {
// Identity columns are compared byte for byte on re-read, so they must survive the file
// unchanged: printable ASCII (no quote, no line break) and at most 210 characters.
bool storableIdentity(const std::string& s) {
    if (s.empty() || s.size() > 210) return false;
    for (char c : s)
        if (c < 0x20 || c > 0x7E || c == '"') return false;
    return true;
}

// KOST1/KOST2 are ^["][\w ]{0,36}["]$: letters, digits, '_' and space.
bool kostWritable(const std::string& s) {
    if (s.size() > 36) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ' '))
            return false;
    return true;
}

// Konto and Gegenkonto are ^\d{1,9}$, not all zeros, and at most one digit longer than the
// Sachkontenlänge (a Personenkonto); the lengths are DATEV's, so a longer code is not an
// account of this Mandant.
std::optional<std::string> accountProblem(const std::string& code, const DatevConfig& c) {
    if (!digitsOnly(code)) return "'" + code + "' is not a DATEV account number (digits only)";
    if (code.find_first_not_of('0') == std::string::npos) return "account 0 does not exist in DATEV";
    if (code.size() > 9 || code.size() > static_cast<std::size_t>(c.sachkontenlaenge) + 1)
        return "account " + code + " has more than " + std::to_string(c.sachkontenlaenge + 1) +
               " digits (Sachkontenlänge " + std::to_string(c.sachkontenlaenge) + ", Personenkonten one more)";
    return std::nullopt;
}
}  // namespace

std::optional<sdk::Outcome> checkEntry(const sdk::Entry& e, const DatevConfig& c) {
    const std::string id = e.accountingEntryId;
    auto invalid = [&](const std::string& why) { return sdk::Outcome::rejected("validation_failure", "entry " + id + ": " + why); };
    auto unknownAccount = [&](const std::string& why) { return sdk::Outcome::rejected("account_unknown", "entry " + id + ": " + why); };
    if (!storableIdentity(id))
        return invalid("the accounting entry id must be 1..210 printable ASCII characters without '\"' to be found again in the file");
    if (!storableIdentity(entryKey(e)))
        return invalid("the idempotency key must be 1..210 printable ASCII characters without '\"' to be found again in the file");
    if (!periodOf(e.date)) return invalid("date '" + e.date + "' is not YYYY-MM-DD");
    if (e.totalWallet.currency != c.wkz)
        return invalid("booked in " + e.totalWallet.currency + " but the DATEV Mandant's currency (wkz) is " + c.wkz);
    if (e.contraAccountCode.empty())
        return sdk::Outcome::rejected("account_unknown", "entry " + id + " has no contra account (Gegenkonto)");
    if (auto p = accountProblem(e.contraAccountCode, c)) return unknownAccount("Gegenkonto " + *p);
    for (const auto& l : e.lines) {
        const std::string line = "line " + l.lineId + ": ";
        if (l.walletAmount.minor == 0) return invalid(line + "a zero amount (DATEV rejects Umsatz 0,00)");
        if (!twoDecimals(l.walletAmount))
            return invalid(line + "amount " + sdk::formatDecimal(l.walletAmount.minor, l.walletAmount.exponent, ',') +
                           " " + l.walletAmount.currency +
                           " cannot be written as DATEV's Umsatz (^\\d{1,10},\\d{2}$, exactly two decimals): "
                           "rounding would book a different amount than Pleo's, so the entry is not written");
        if (auto p = accountProblem(l.accountCode, c)) return unknownAccount("Konto " + *p);
        if (l.accountCode == e.contraAccountCode)
            return invalid(line + "Konto and Gegenkonto are both " + l.accountCode + " (a booking that moves nothing)");
        const bool automatic = c.automaticVatAccounts.count(l.accountCode) != 0;
        if (!l.taxCode.empty() && c.buKeys.count(l.taxCode) == 0 && !automatic)
            return sdk::Outcome::rejected("tax_code_unknown", "line " + l.lineId + " of entry " + id +
                                                                  ": tax code " + l.taxCode + " has no BU-Schlüssel in bu_keys");
        // DATEV books reverse charge from the key alone (input and output VAT on top of the
        // gross); without a key the self-assessed VAT would silently vanish.
        if (l.taxType == "reverse" && !automatic && (l.taxCode.empty() || c.buKeys.at(l.taxCode).empty()))
            return sdk::Outcome::rejected("tax_code_unknown", "line " + l.lineId + " of entry " + id +
                                                                  ": a reverse-charge line needs a non-empty BU-Schlüssel for tax code '" +
                                                                  l.taxCode + "' in bu_keys (e.g. 94)");
        for (const std::string* group : {&c.kost1Group, &c.kost2Group}) {
            const std::string code = tagCode(l, *group);
            if (!kostWritable(code))
                return invalid(line + "cost centre '" + code + "' (tag group " + *group +
                               ") is not a DATEV KOST value (letters, digits, '_' and space, at most 36)");
        }
    }
    return std::nullopt;
}

std::vector<std::string> bookingFields(const sdk::Entry& e, std::size_t index, const DatevConfig& c) {
    const sdk::Line& l = e.lines.at(index);
    std::vector<std::string> f(kColumnCount);
    if (foreignCurrency(l)) {
        f[0] = *twoDecimals(l.supplierAmount);
        f[2] = l.supplierAmount.currency;
        f[3] = kurs(l.supplierAmount, l.walletAmount);
        f[4] = *twoDecimals(l.walletAmount);
        f[5] = l.walletAmount.currency;
    } else {
        f[0] = twoDecimals(l.walletAmount).value_or("");  // checkEntry rejected what has no value
        f[2] = l.walletAmount.currency;
        const sdk::Money& s = l.supplierAmount;
        if (!s.currency.empty() && s.currency != l.walletAmount.currency) {
            f[kOriginalAmountColumn - 1] = "Originalbetrag";
            f[kOriginalAmountColumn] = sdk::formatDecimal(s.minor, s.exponent, ',') + " " + s.currency;
        }
    }
    f[1] = l.walletAmount.minor < 0 ? "H" : "S";
    f[6] = l.accountCode;
    f[7] = e.contraAccountCode;
    if (c.automaticVatAccounts.count(l.accountCode) == 0 && !l.taxCode.empty())
        f[8] = buKeyField(c.buKeys.count(l.taxCode) ? c.buKeys.at(l.taxCode) : std::string());
    f[9] = e.date.substr(8, 2) + e.date.substr(5, 2);  // TTMM
    f[10] = belegfeld1(e.accountingEntryId);
    const std::string text = !e.supplier.name.empty() ? e.supplier.name : !l.description.empty() ? l.description : e.note;
    f[13] = text;
    f[36] = tagCode(l, c.kost1Group);
    f[37] = tagCode(l, c.kost2Group);
    f[kKeyColumn - 1] = "Pleo-Key";
    f[kKeyColumn] = entryKey(e);
    f[kEntryIdColumn - 1] = "Pleo-Eintrag";
    f[kEntryIdColumn] = e.accountingEntryId;
    for (std::size_t i = 0; i < kColumnCount; ++i) {
        if (!isTextColumn(i)) continue;
        const std::size_t max = i == 13 ? 60 : i == 10 ? 36 : (i == 36 || i == 37) ? 36 : (i >= 47 && i <= 86 && i % 2 == 1) ? 20 : 210;
        f[i] = textField(f[i], max);
    }
    return f;
}

std::vector<std::vector<std::string>> bookingTable(const sdk::Entry& e, const DatevConfig& c) {
    std::vector<std::vector<std::string>> table;
    for (std::size_t i = 0; i < e.lines.size(); ++i) table.push_back(bookingFields(e, i, c));
    return table;
}

std::string joinRows(const std::vector<std::vector<std::string>>& table) {
    std::string rows;
    for (const auto& f : table) {
        for (std::size_t k = 0; k < f.size(); ++k) rows += (k ? ";" : "") + f[k];
        rows += "\r\n";
    }
    return rows;
}

std::string bookingRows(const sdk::Entry& e, const DatevConfig& c) { return joinRows(bookingTable(e, c)); }

std::vector<std::string> splitLine(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                out.back() += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ';') {
            out.emplace_back();
        } else {
            out.back() += ch;
        }
    }
    return out;
}

}  // namespace ledgerbridge::datev
