// An independent reader of DATEV-Format Buchungsstapel files (EXTF/DTVF, Versionsnummer 700,
// Datenkategorie 21, Formatversion 13), written from DATEV's published field rules and sharing
// no code with the plugin's writer. It checks every rule it can and turns what it read into
// documents for the callers' balance and amount checks (it does not check balance itself, so
// it can be used to find unbalanced documents).
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::readers {

/// Reads one Buchungsstapel file. Rules checked (any break throws std::runtime_error naming
/// "file:line" and the rule):
///  - bytes: Windows-1252 (no byte Windows-1252 leaves undefined, no UTF-8 sequence, no BOM),
///    every line ends in CRLF, no control character inside a field, quoting well formed;
///  - line 1, the header: 31 fields, each against its expression (Kennzeichen, Versionsnummer
///    700, Datenkategorie 21, Formatname, Formatversion 13, erzeugt am, Beraternummer,
///    Mandantennummer, WJ-Beginn, Sachkontenlänge, Datum vom/bis, Bezeichnung, WKZ, SKR, ...);
///  - line 2: the 125 column names of Formatversion 13;
///  - every booking row: 125 fields, each empty or matching its column's expression (Umsatz
///    ^\d{1,10},\d{2}$ above zero, S/H, WKZ, Kurs ^[1-9]\d{0,3},\d{2,6}$, Basis-Umsatz, Konto and
///    Gegenkonto ^\d{1,9}$ not zero and at most Sachkontenlänge + 1 digits, BU-Schlüssel
///    ^"\d{4}"$, Belegdatum TTMM inside Datum vom..bis, Belegfeld 1, Buchungstext <= 60, KOST,
///    Zusatzinformation Art <= 20 / Inhalt <= 210, ...); a foreign WKZ Umsatz needs Kurs,
///    Basis-Umsatz and WKZ Basis-Umsatz = the header's WKZ.
/// Documents: consecutive rows of one entry (Zusatzinformation "Pleo-Eintrag", else Belegfeld
/// 1) form one document; each row gives two postings in minor units at exponent 2: Konto with
/// +amount for S and -amount for H (taxKey = its BU-Schlüssel), Gegenkonto the opposite. The
/// amount is what DATEV books in the Mandant's currency: Basis-Umsatz in WKZ Basis-Umsatz when
/// the row is in a foreign currency, else Umsatz in WKZ Umsatz (the header's WKZ when empty).
std::vector<testkit::WrittenDocument> readDatevFile(const std::string& path);

}  // namespace ledgerbridge::readers
