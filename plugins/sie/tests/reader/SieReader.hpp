// An independent reader of the SIE 4 files the SIE plugin writes, for tests and the
// conformance kit's read-back hook. It shares no code with the writer (its own tokenizer,
// CRC-32, amount parser and marker decoding, written from the format's published rules) so a
// writer bug cannot hide behind a matching reader bug.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::readers {

/// Every #VER of the file at `path` as a document: the accounting entry id and idempotency key
/// from the identity marker ending its text (`[<id> <key>]` or `[<id>]`, %XX-escaped), where =
/// "<path>:<line of #VER>", one posting per #TRANS (account, amount in hundredths of the
/// #VALUTA currency — SEK when absent — exponent 2, debit positive).
/// Throws std::runtime_error "<path>:<line>: <rule broken>" for anything breaking the rules
/// it checks: CR LF record ends, no control bytes, PC8 bytes (not UTF-8), #FLAGGA first, the
/// required head records (#FORMAT PC8, #SIETYP 4, #GEN, #FNAMN) before any #VER, valid dates,
/// #RAR 0 containing every voucher date, #DIM/#OBJEKT declared before use and before the first
/// #VER, #VER followed by a { … } block of #TRANS records, numeric accounts, object lists of
/// declared objects (one per dimension), amounts with a point and at most two decimals, the
/// #KSUMMA checksum. It does not check that vouchers balance (callers do).
std::vector<testkit::WrittenDocument> readSieFile(const std::string& path);

}  // namespace ledgerbridge::readers
