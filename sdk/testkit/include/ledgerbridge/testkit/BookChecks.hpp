// The kit's checks of what a plugin wrote, as its read-back hook reports it (ReadBack.hpp).
// Each returns every problem found, one sentence each naming the document (`where`), the entry,
// the account and both amounts; empty means the books are right. The rules are in
// sdk/README.md ("What the read-back checks prove"); in short, in minor units:
//  - balance: in every document, the postings of each currency sum to zero;
//  - exactly once: each posted entry has exactly one document, a rejected entry none, and no
//    document belongs to an entry the kit did not push;
//  - amounts: for every line account, the postings to it equal the sum of its lines' net
//    amounts — or their gross amounts when those postings carry a tax key (DATEV's BU keys
//    book gross and let the target split the tax); the contra account (the entry's, or
//    testkit.contra_account) carries minus the entry's total. Tax accounts are not named by
//    the entry, so they are held only by the balance rule.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::testkit {

std::vector<std::string> unbalancedDocuments(const std::vector<WrittenDocument>& docs);

std::vector<std::string> entriesNotExactlyOnce(const std::vector<WrittenDocument>& docs,
                                               const std::vector<sdk::Entry>& posted,
                                               const std::vector<sdk::Entry>& notPosted);

/// `contraAccount` empty: each entry's contraAccountCode.
std::vector<std::string> amountsNotCarried(const std::vector<WrittenDocument>& docs,
                                           const std::vector<sdk::Entry>& posted,
                                           const std::string& contraAccount = {});

/// The problems as one message (for a gtest failure), at most `limit` of them listed.
std::string describeProblems(const std::vector<std::string>& problems, std::size_t limit = 20);

}  // namespace ledgerbridge::testkit
