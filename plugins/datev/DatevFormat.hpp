// The DATEV-Format "Buchungsstapel" (EXTF, Versionsnummer 700, Datenkategorie 21,
// Formatversion 13): the 31-field header line, the 125 column names, and how one Pleo entry
// line becomes one booking row. Pure functions on sdk values; text is produced as UTF-8 and
// encoded to Windows-1252 by the caller (see Cp1252.hpp). No floating point anywhere.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::datev {

/// Everything the writer needs, built from validated settings (DatevSettings.hpp).
struct DatevConfig {
    std::string outputDir;
    mode_t fileMode = 0600;            ///< of the EXTF files (file_mode)
    std::int64_t beraternummer = 0;    ///< 1001..9999999
    std::int64_t mandantennummer = 0;  ///< 1..99999
    int fiscalYearStartMonth = 1;      ///< WJ-Beginn month (1..12), day is always 1
    int sachkontenlaenge = 4;          ///< 4..8
    std::string skr = "03";            ///< "03", "04" or "" (header field 27)
    std::string bezeichnung = "Pleo";  ///< header field 17, at most 30 characters
    std::string wkz = "EUR";           ///< base currency of the Mandant
    std::map<std::string, std::string> buKeys;  ///< Pleo tax code -> BU-Schlüssel ("" allowed)
    std::set<std::string> automaticVatAccounts;  ///< Automatikkonten: BU-Schlüssel left empty
    std::string kost1Group, kost2Group;          ///< Pleo tag group codes (empty = unused)
    std::string kontenbeschriftungenFile;        ///< accounts (EXTF 20); empty = none
    std::string debitorenKreditorenFile;         ///< suppliers (EXTF 16); empty = none
    std::string kontenbeschriftungenLanguage = "de-DE";  ///< Sprach-ID read
};

/// A fiscal period = one calendar month.
struct Period {
    int year = 0, month = 0;
    std::string id() const;  ///< "YYYYMM", used in the file name
};

inline constexpr std::size_t kHeaderFieldCount = 31;
inline constexpr std::size_t kColumnCount = 125;
inline constexpr std::size_t kKeyColumn = 48;  ///< "Zusatzinformation - Inhalt 1" (0-based): the idempotency key
inline constexpr std::size_t kEntryIdColumn = 50;  ///< "Zusatzinformation - Inhalt 2": Pleo's accounting entry id
inline constexpr std::size_t kOriginalAmountColumn = 52;  ///< "Zusatzinformation - Inhalt 3": supplier amount not in Kurs form

/// The 125 column names of Formatversion 13, in order.
const std::vector<std::string>& columnNames();

/// Parses "YYYY-MM-DD" (anything after the day is ignored). nullopt when malformed.
std::optional<Period> periodOf(const std::string& date);

/// The header line (no line end). `createdAt` is "YYYYMMDDHHMMSSFFF".
std::string headerLine(const DatevConfig& config, const Period& period, const std::string& createdAt);

/// The column-name line (no line end).
std::string columnLine();

/// The identity written with every row of an entry and looked up on re-push.
std::string entryKey(const sdk::Entry& entry);

/// Why `entry` cannot be written, as a Pleo failure reason + message; nullopt when it can.
/// Runs after sdk::validateEntry: identity columns storable, a valid date, wallet currency ==
/// WKZ, every amount writable as ^\d{1,10},\d{2}$ without rounding, Konto/Gegenkonto DATEV
/// account numbers, a BU-Schlüssel for each tax code (a non-empty one for reverse charge), and
/// KOST values in DATEV's character set.
std::optional<sdk::Outcome> checkEntry(const sdk::Entry& entry, const DatevConfig& config);

/// The 125 fields of the booking row for `entry.lines[index]`, already quoted where DATEV
/// expects text. Precondition: checkEntry(entry) returned nullopt.
std::vector<std::string> bookingFields(const sdk::Entry& entry, std::size_t index, const DatevConfig& config);

/// The fields of every row of an entry (bookingFields for each line).
std::vector<std::vector<std::string>> bookingTable(const sdk::Entry& entry, const DatevConfig& config);

/// Rows joined with ';', each ending in CRLF (UTF-8).
std::string joinRows(const std::vector<std::vector<std::string>>& table);

/// All rows of an entry, each ending in CRLF (UTF-8): joinRows(bookingTable(entry, config)).
std::string bookingRows(const sdk::Entry& entry, const DatevConfig& config);

/// A configured BU-Schlüssel as the field carries it: DATEV's expression is ^["]\d{4}["]$, so
/// a shorter key is left-padded with zeros ("9" -> "0009", the same number); "" stays empty.
std::string buKeyField(const std::string& configured);

/// Kurs = foreign units per base unit (Mengennotierung) as an exact decimal with 6 places,
/// rounded half up, decimal comma: kurs({10800,"USD",2},{10000,"EUR",2}) == "1,080000".
/// Precondition: base.minor != 0.
std::string kurs(const sdk::Money& foreign, const sdk::Money& base);

/// `text` as a DATEV text field: quotes doubled, CR/LF/TAB become spaces, at most
/// `maxChars` characters, wrapped in quotes ("" when empty).
std::string textField(const std::string& text, std::size_t maxChars);

/// Belegfeld 1: only A-Z a-z 0-9 $ & % * + - / (others become '-'), at most 36 characters.
std::string belegfeld1(const std::string& text);

/// Splits one `;`-separated line, honouring `"` quoting (doubled quotes inside).
std::vector<std::string> splitLine(const std::string& line);

}  // namespace ledgerbridge::datev
