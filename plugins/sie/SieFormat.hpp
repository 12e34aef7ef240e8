// The SIE 4 import file (type 4I): the head records, one #VER block per Pleo entry with
// #TRANS rows that sum to zero, quoting per the SIE rules, exact amounts, and the #KSUMMA
// checksum (CRC-32 over the labels and field contents between the two #KSUMMA records).
// Pure functions; text is produced as UTF-8 and encoded to CP437 by the caller (Cp437.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"

namespace ledgerbridge::sie {

/// Everything the writer needs, built from validated settings (SieSettings.hpp).
struct SieConfig {
    std::string outputDir;
    std::string filePrefix = "pleo-";
    std::string companyName;                 ///< #FNAMN
    std::string orgNr;                       ///< #ORGNR, e.g. 556677-8899
    std::string yearStart, yearEnd;          ///< #RAR 0, YYYYMMDD each
    std::string kptyp;                       ///< #KPTYP (e.g. BAS2014); empty = not written
    std::string currency = "SEK";            ///< #VALUTA; entries in others are rejected
    std::string series = "A";                ///< verification series of every #VER
    std::string inputVatAccount = "2640";    ///< account of the tax rows (ingående moms)
    std::map<std::string, int> dimensions;   ///< Pleo tag group -> SIE dimension number
    std::set<std::string> taxCodes;          ///< known tax codes; empty = any
    bool checksum = true;                    ///< write #KSUMMA
};

/// `text` as a quoted SIE field: `"` escaped as `\"`, `\` written as `/`, control characters
/// (CR, LF, TAB, …) as spaces.
std::string quote(const std::string& text);

/// The head records from #FLAGGA 0 to #VALUTA, each ending in CRLF. With `config.checksum`
/// the opening #KSUMMA follows #FLAGGA. `generated` is the #GEN date YYYYMMDD.
std::string headRecords(const SieConfig& config, const std::string& generated);

/// The verification text of an entry: its description plus " [<idempotency key>]", the
/// marker re-push and lookup find the entry by.
std::string verificationText(const sdk::Entry& entry);

/// The key marker inside a verification text (`[...]` at its end), or "" when absent.
std::string keyOfText(const std::string& text);

/// The identity written with an entry: its idempotency key (or the entry id when empty).
std::string entryKey(const sdk::Entry& entry);

/// Why `entry` cannot be written (Pleo failure reason + message); nullopt when it can. Runs
/// sdk::validateEntry with the configured tax codes, then: wallet currency == currency, date
/// inside #RAR, numeric accounts, a contra account.
std::optional<sdk::Outcome> checkEntry(const sdk::Entry& entry, const SieConfig& config);

/// The #VER block of an entry: per line a #TRANS of the net amount on the line's account with
/// its objects, a #TRANS of the tax amount on the input-VAT account, then the contra row
/// (minus the total). Ends in CRLF. Precondition: checkEntry returned nullopt.
std::string verification(const sdk::Entry& entry, const SieConfig& config);

/// Splits a record into its label and fields as SIE readers do: blanks separate, `"…"` is one
/// field (`\"` inside is a quote), `{` and `}` are list brackets and not part of any field.
std::vector<std::string> tokens(const std::string& record);

/// CRC-32 (ISO 3309 / zlib polynomial 0xEDB88320) of `bytes`, continuing from `crc`.
std::uint32_t crc32(const std::string& bytes, std::uint32_t crc = 0);

/// The #KSUMMA value over `records` (CRLF-separated lines, already CP437): the CRC-32 of the
/// concatenated tokens of every record, without blanks, quotes or braces.
std::uint32_t checksum(const std::string& records);

}  // namespace ledgerbridge::sie
