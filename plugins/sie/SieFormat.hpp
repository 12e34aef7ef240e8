// The SIE 4 import file (type 4I) as text: the head records, the #DIM/#OBJEKT declarations,
// one #VER block per voucher, quoting per the SIE rules, amounts with a decimal point and two
// decimals, the identity marker that names the Pleo entry in each #VER text, and the #KSUMMA
// checksum (CRC-32 over the labels and field contents between the two #KSUMMA records).
// Pure functions; text is produced as UTF-8 and encoded to CP437 by the caller (Cp437.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ledgerbridge::sie {

/// Everything the writer needs, built from validated settings (SieSettings.hpp).
struct SieConfig {
    std::string outputDir;
    mode_t fileMode = 0600;  ///< of the .se files (file_mode)
    std::string filePrefix = "pleo-";
    std::string companyName;                 ///< #FNAMN
    std::string orgNr;                       ///< #ORGNR, e.g. 556677-8899
    std::string yearStart, yearEnd;          ///< #RAR 0, YYYYMMDD each
    std::string kptyp;                       ///< #KPTYP (e.g. BAS2014); empty = not written
    std::string currency = "SEK";            ///< #VALUTA; entries in others are rejected
    std::string series = "A";                ///< verification series of every #VER
    std::string inputVatAccount = "2640";    ///< tax rows of normal purchases (ingående moms)
    std::string reverseInputVatAccount = "2645";   ///< reverse charge: beräknad ingående moms
    std::string reverseOutputVatAccount = "2614";  ///< reverse charge: utgående moms, any rate
    std::map<std::string, std::string> reverseOutputVatByRate;  ///< rate "25" -> account
    std::map<std::string, int> dimensions;   ///< Pleo tag group -> SIE dimension number
    std::set<std::string> taxCodes;          ///< known tax codes; empty = any
    bool checksum = true;                    ///< write #KSUMMA
    std::string masterDataFile;              ///< SIE file master data is read from; empty = none
};

/// An object of a #TRANS object list: `{<dimension> "<id>"}`, declared by #OBJEKT with `name`.
struct SieObject {
    int dimension = 0;
    std::string id, name;
};

/// One #TRANS row: account, objects (ordered by dimension), amount in hundredths of #VALUTA.
struct SieRow {
    std::string account;
    std::vector<SieObject> objects;
    std::int64_t cents = 0;
};

/// One #VER block, built from a Pleo entry by SieMapping.hpp.
struct SieVoucher {
    std::string entryId, key;  ///< what the identity marker names
    std::string date;          ///< YYYYMMDD
    std::string description;   ///< the #VER text before the marker
    std::vector<SieRow> rows;
};

/// `text` as a quoted SIE field: `"` escaped as `\"`, `\` written as `/`, control characters
/// (CR, LF, TAB, …) as spaces.
std::string quote(const std::string& text);

/// Hundredths as a SIE amount: decimal point, two decimals, leading minus ("-1234.50").
std::string formatCents(std::int64_t cents);

/// The head records from #FLAGGA 0 to #VALUTA, each ending in CRLF. With `config.checksum`
/// the opening #KSUMMA follows #FLAGGA. `generated` is the #GEN date YYYYMMDD.
std::string headRecords(const SieConfig& config, const std::string& generated);

/// `#DIM <number> "<name>"` and `#OBJEKT <dimension> "<id>" "<name>"`, each ending in CRLF.
std::string dimensionRecord(int number, const std::string& name);
std::string objectRecord(const SieObject& object);

/// The identity marker ending every #VER text: `[<entry id> <key>]`, or `[<entry id>]` when the
/// key is empty or equal to the id. Recovery and re-push find entries by it.
std::string identityMarker(const std::string& entryId, const std::string& key);

/// What a #VER text's marker names. Files written before the entry id was recorded hold
/// `[<key>]` only: a one-word marker names both (ids and keys never look alike).
struct Identity {
    std::string entryId, key;
};
std::optional<Identity> identityOfText(const std::string& text);

/// The #VER block of a voucher in `series`: the #VER record, `{`, one #TRANS per row, `}`,
/// each ending in CRLF.
std::string verificationRecords(const SieVoucher& voucher, const std::string& series);

/// The amount of a #TRANS record (the first field after its object list), in hundredths;
/// nullopt when the record has none or it is not an amount with at most two decimals.
std::optional<std::int64_t> transAmount(const std::string& record);

/// Splits a record into its label and fields as SIE readers do: blanks separate, `"…"` is one
/// field (`\"` inside is a quote), `{` and `}` are list brackets and not part of any field.
std::vector<std::string> tokens(const std::string& record);

/// CRC-32 (ISO 3309 / zlib polynomial 0xEDB88320) of `bytes`, continuing from `crc`.
std::uint32_t crc32(const std::string& bytes, std::uint32_t crc = 0);

/// The #KSUMMA value over `records` (CRLF-separated lines, already CP437): the CRC-32 of the
/// concatenated tokens of every record, without blanks, quotes or braces.
std::uint32_t checksum(const std::string& records);

}  // namespace ledgerbridge::sie
