// What a plugin wrote, as its own reader sees it. The conformance kit cannot parse every
// ERP's documents, so a plugin supplies a read-back hook: a reader of what it wrote (for a
// file plugin, a parser of its files that shares no code with the writer; for an HTTP plugin,
// a query of its test double). The kit then checks every document balances and carries the
// entry's amounts per account, whatever the format.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ledgerbridge::testkit {

/// One posting of a document: an account and a signed amount in minor units of `currency`
/// (debit positive, credit negative). A format that books gross amounts with an automatic tax
/// key (DATEV's BU keys) reports the posting as written and names the key in `taxKey`.
struct Posting {
    std::string account;
    std::int64_t minor = 0;
    std::string currency;  ///< ISO-4217
    int exponent = 2;      ///< minor digits of `minor` as written (DATEV: always 2)
    std::string taxKey;    ///< the format's tax key on this posting, if it has one
};

/// One document (voucher, journal, booking row group, ERP transaction) as read back.
struct WrittenDocument {
    std::string accountingEntryId;  ///< Pleo's entry id as stored in the document
    std::string idempotencyKey;     ///< as stored in the document, if it stores one
    std::string where;              ///< file:line or URL, for messages
    std::vector<Posting> postings;
};

/// Reads everything a kit instance's plugin wrote. `tmp` is that instance's ${TESTKIT_TMP}
/// directory; `instance` is its number (from 1, as for setHttpResponderFactory). Throws
/// std::runtime_error naming the file and line of anything that breaks the format's rules.
using ReadBack = std::function<std::vector<WrittenDocument>(const std::string& tmp, int instance)>;

/// Registers the hook; returns true (for use in a static initializer in a source file linked
/// into the kit binary with ledgerbridge_add_conformance_test(... SOURCES ...)). Without a hook
/// the kit's read-back checks are skipped with a message saying how to add one.
bool setReadBack(ReadBack hook);

}  // namespace ledgerbridge::testkit
