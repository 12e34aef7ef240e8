// DATEV master data: the EXTF file (header line, column line, rows), decoded from
// Windows-1252 field by field, then the columns each format needs, by name.
#include "DatevMasterData.hpp"

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "Cp1252.hpp"

namespace ledgerbridge::datev {

namespace {

bool digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

bool upperLetters(const std::string& s, std::size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (c < 'A' || c > 'Z') return false;
    return true;
}

/// An EXTF file after its two header lines: the Sachkontenlänge in force, the column names and
/// the rows, every field decoded to UTF-8.
class ExtfFile {
public:
    ExtfFile(const std::string& file, const std::string& bytes, int category, const std::string& formatName,
             const MasterDataOptions& options)
        : file_(file) {
        rows_ = sdk::delimitedRows(file, bytes, ';');
        for (auto& row : rows_)
            for (std::size_t k = 0; k < row.fields.size(); ++k) {
                auto text = fromCp1252(row.fields[k]);
                if (!text)
                    throw sdk::masterDataFileError(file, row.line, "field " + std::to_string(k + 1),
                                                   "not Windows-1252 text (a NUL byte or one of 0x81, 0x8D, 0x8F, 0x90, 0x9D)");
                row.fields[k] = *text;
            }
        if (rows_.empty()) return;  // an empty file: no records
        const auto& head = rows_[0].fields;
        if (head[0] != "EXTF" && head[0] != "DTVF")
            throw sdk::masterDataFileError(file, rows_[0].line, "Kennzeichen", "'" + head[0] + "' is not EXTF or DTVF: not a DATEV-Format file");
        if (head.size() < 5 || head[2] != std::to_string(category) || head[3] != formatName)
            throw sdk::masterDataFileError(file, rows_[0].line, "Datenkategorie",
                                           "expected " + std::to_string(category) + " \"" + formatName + "\", found " +
                                               (head.size() < 4 ? std::string("a header of ") + std::to_string(head.size()) + " fields"
                                                                : head[2] + " \"" + head[3] + "\""));
        sachkontenlaenge_ = options.sachkontenlaenge;
        if (head.size() > 13 && !head[13].empty()) {
            if (!digits(head[13]) || head[13].size() > 1 || head[13][0] < '4' || head[13][0] > '8')
                throw sdk::masterDataFileError(file, rows_[0].line, "Sachkontenlänge", "'" + head[13] + "' is not 4..8");
            sachkontenlaenge_ = head[13][0] - '0';
        }
        if (rows_.size() < 2) throw sdk::masterDataFileError(file, rows_[0].line, "header", "the column header line is missing");
        for (std::size_t k = 0; k < rows_[1].fields.size(); ++k) columns_.emplace(rows_[1].fields[k], k);
    }

    bool empty() const { return rows_.empty(); }
    int sachkontenlaenge() const { return sachkontenlaenge_; }
    bool has(const std::string& column) const { return columns_.count(column) != 0; }
    void require(const std::string& column) const {
        if (!has(column))
            throw sdk::masterDataFileError(file_, rows_[1].line, "header", "the column '" + column + "' is missing");
    }
    std::size_t rowCount() const { return rows_.size() < 2 ? 0 : rows_.size() - 2; }
    std::size_t line(std::size_t row) const { return rows_[row + 2].line; }
    /// The value of `column` in data row `row`; "" when the file has no such column or the
    /// row ends before it (DATEV writes trailing empty fields, but not every program does).
    std::string at(std::size_t row, const std::string& column) const {
        const auto c = columns_.find(column);
        const auto& fields = rows_[row + 2].fields;
        return c == columns_.end() || c->second >= fields.size() ? std::string() : fields[c->second];
    }
    [[noreturn]] void fail(std::size_t row, const std::string& column, const std::string& problem) const {
        throw sdk::masterDataFileError(file_, line(row), column, problem);
    }
    /// The `Konto` of data row `row`, which no earlier row may have.
    std::string konto(std::size_t row) {
        const std::string value = at(row, "Konto");
        if (!kontoLine_.emplace(value, line(row)).second)
            fail(row, "Konto", value + " is listed twice (first on line " + std::to_string(kontoLine_[value]) + ")");
        return value;
    }

private:
    std::string file_;
    std::vector<sdk::DelimitedRow> rows_;
    std::map<std::string, std::size_t> columns_;
    int sachkontenlaenge_ = 4;
    std::map<std::string, std::size_t> kontoLine_;
};

/// The account's type from its Kontenklasse (first digit at the Sachkontenlänge) in SKR 03 or
/// 04; "other" where a class mixes types.
std::string accountType(const std::string& account, int length, const std::string& skr) {
    const std::string padded = std::string(static_cast<std::size_t>(length) > account.size() ? static_cast<std::size_t>(length) - account.size() : 0, '0') + account;
    const char k = padded[0];
    if (skr == "04") {
        if (k == '0' || k == '1') return "asset";       // Anlage- und Umlaufvermögen
        if (k == '2') return "equity";                  // Eigenkapital
        if (k == '3') return "liability";               // Fremdkapital
        if (k == '4') return "revenue";                 // betriebliche Erträge
        if (k == '5' || k == '6') return "expense";     // Material, Personal, sonstige Aufwendungen
        return "other";                                 // 7 weitere Erträge/Aufwendungen, 9 Vortrag/Statistik
    }
    if (skr == "03") {
        if (k == '3' || k == '4') return "expense";     // Wareneingang, betriebliche Aufwendungen
        if (k == '7') return "asset";                   // Bestände
        if (k == '8') return "revenue";                 // Erlöse
        return "other";                                 // 0 Anlage/Kapital, 1 Finanz/Privat, 2 Abgrenzung, 9
    }
    return "other";
}

/// The records of `kind` in an EXTF file of `category`/`formatName` with the `required`
/// columns: `recordOf` turns each data row into one, or into none (a row of another kind).
sdk::MasterRecordsByKind recordsOf(ExtfFile& extf, sdk::MasterKind kind, std::initializer_list<const char*> required,
                                   const std::function<std::optional<sdk::MasterRecord>(std::size_t row)>& recordOf) {
    sdk::MasterRecordsByKind out;
    auto& records = out[kind];
    if (extf.empty()) return out;  // an empty file: no records
    for (const char* column : required) extf.require(column);
    for (std::size_t r = 0; r < extf.rowCount(); ++r)
        if (auto record = recordOf(r)) records.push_back(std::move(*record));
    return out;
}

}  // namespace

sdk::MasterRecordsByKind parseKontenbeschriftungen(const std::string& file, const std::string& bytes,
                                                   const MasterDataOptions& options) {
    ExtfFile extf(file, bytes, 20, "Kontenbeschriftungen", options);
    return recordsOf(extf, sdk::MasterKind::Account, {"Konto", "Kontenbeschriftung"},
                     [&](std::size_t r) -> std::optional<sdk::MasterRecord> {
        const std::string language = extf.at(r, "Sprach-ID");
        if (!language.empty() && language != options.language) return std::nullopt;  // another language's labels
        const std::string konto = extf.konto(r);
        if (!digits(konto) || konto.size() > static_cast<std::size_t>(extf.sachkontenlaenge()))
            extf.fail(r, "Konto", "'" + konto + "' is not a Sachkonto of at most " + std::to_string(extf.sachkontenlaenge()) + " digits");
        const std::string longName = extf.at(r, "Kontenbeschriftung lang"), shortName = extf.at(r, "Kontenbeschriftung");
        sdk::MasterRecord a;
        a.kind = sdk::MasterKind::Account;
        a.id = a.code = konto;
        a.name = longName.empty() ? shortName : longName;
        if (a.name.empty()) extf.fail(r, "Kontenbeschriftung", "is empty");
        a.type = accountType(konto, extf.sachkontenlaenge(), options.skr);
        return a;
    });
}

sdk::MasterRecordsByKind parseDebitorenKreditoren(const std::string& file, const std::string& bytes,
                                                  const MasterDataOptions& options) {
    ExtfFile extf(file, bytes, 16, "Debitoren/Kreditoren", options);
    const char* company = "Name (Adressattyp Unternehmen)";
    const char* person = "Name (Adressattyp natürl. Person)";
    const char* firstName = "Vorname (Adressattyp natürl. Person)";
    const char* unspecified = "Name (Adressattyp keine Angabe)";
    if (!extf.empty() && !extf.has(company) && !extf.has(person) && !extf.has(unspecified)) extf.require(company);
    // Personenkonten have one digit more than Sachkonten: Kreditoren from 7 followed by zeros.
    const std::size_t length = static_cast<std::size_t>(extf.sachkontenlaenge()) + 1;
    return recordsOf(extf, sdk::MasterKind::Supplier, {"Konto"}, [&](std::size_t r) -> std::optional<sdk::MasterRecord> {
        const std::string konto = extf.konto(r);
        if (!digits(konto) || konto.size() != length || konto[0] == '0')
            extf.fail(r, "Konto", "'" + konto + "' is not a Personenkonto (" + std::to_string(length) + " digits)");
        if (konto[0] < '7') return std::nullopt;  // a Debitor: a customer, not a supplier
        const std::string type = extf.at(r, "Adressattyp");
        if (type != "" && type != "0" && type != "1" && type != "2")
            extf.fail(r, "Adressattyp", "'" + type + "' is not 0 (keine Angabe), 1 (natürliche Person) or 2 (Unternehmen)");
        const std::string personName = extf.at(r, firstName).empty() ? extf.at(r, person)
                                       : extf.at(r, person).empty()  ? extf.at(r, firstName)
                                                                     : extf.at(r, firstName) + " " + extf.at(r, person);
        // The column of the Adressattyp first, then any other name the row has.
        std::vector<std::string> names{type == "2" ? extf.at(r, company) : type == "1" ? personName : extf.at(r, unspecified),
                                       extf.at(r, company), personName, extf.at(r, unspecified), extf.at(r, "Kurzbezeichnung")};
        sdk::MasterRecord s;
        s.kind = sdk::MasterKind::Supplier;
        s.id = s.code = konto;
        for (const auto& n : names)
            if (s.name.empty()) s.name = n;
        if (s.name.empty()) extf.fail(r, company, "the Kreditor has no name in any name column nor a Kurzbezeichnung");
        const std::string euLand = extf.at(r, "EU-Land"), ustId = extf.at(r, "EU-UStID");
        if (!euLand.empty() && !upperLetters(euLand, 2)) extf.fail(r, "EU-Land", "'" + euLand + "' is not a two-letter country code");
        if (!ustId.empty()) s.vatNumber = ustId.compare(0, euLand.size(), euLand) == 0 ? ustId : euLand + ustId;
        s.currency = options.currency;
        s.country = extf.at(r, "Land");
        if (!s.country.empty() && !upperLetters(s.country, 2))
            extf.fail(r, "Land", "'" + s.country + "' is not an ISO 3166-1 alpha-2 code (DE, AT)");
        return s;
    });
}

}  // namespace ledgerbridge::datev
