// Holds the books a plugin wrote against the entries it was given: every document balances,
// every posted entry is written exactly once and carries its amounts, nothing else is written.
// The documents come from the independent readers (BookFiles.hpp); the entries are the SDK's
// canonical entries the plugin received.
//
// Amounts, per document of an entry, summed per (account, currency): each line's account holds
// the line's net amount, or its gross amount when the postings on that account carry a tax key
// (DATEV books gross and lets the BU key split the tax); the contra account holds minus the
// entry's total. Postings in the wallet currency are held to the wallet amounts, postings in the
// supplier currency (DATEV's WKZ Umsatz) to the supplier amounts. Other accounts (VAT) are held
// only by the balance, which then fixes their sum too.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "BookFiles.hpp"
#include "ledgerbridge/model.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::books {

enum class ProblemKind { Format, Unbalanced, Missing, Duplicate, Amounts, Unexpected, Key };

/// "format error", "unbalanced", "missing", "duplicate", "wrong amounts", "unexpected", "key".
std::string kindName(ProblemKind kind);

struct Problem {
    ProblemKind kind;
    std::string message;  ///< names the file:line and the entry
};

class BookAudit {
public:
    /// The plugin reported this entry posted: it must be in the books once, with its amounts.
    void expectPosted(const sdk::Entry& entry);
    /// This entry was not posted (`why`: rejected by the host or the plugin, and the reason):
    /// it must not be in the books.
    void expectAbsent(const std::string& accountingEntryId, const std::string& why);
    /// Reads one file with its format's reader and returns its documents; a reader's error is
    /// a Format problem (and nothing is returned).
    std::vector<testkit::WrittenDocument> readFile(BookFormat format, const std::string& path);
    /// Documents of one file, in file order (adjacent documents of one entry are one booking:
    /// a reader may return DATEV's rows of an entry one by one).
    void addFile(std::vector<testkit::WrittenDocument> documents);

    /// Every check; call after the last file.
    std::vector<Problem> check() const;
    std::size_t documents() const { return documents_; }
    std::size_t files() const { return files_; }
    /// False when a reader refused a file (its documents are then unknown).
    bool allFilesRead() const { return formatProblems_.empty(); }

private:
    struct Booking {
        std::string entryId, where;
        std::vector<testkit::WrittenDocument> documents;
    };
    void checkEntry(const sdk::Entry& entry, const Booking& booking, std::vector<Problem>& out) const;

    std::map<std::string, sdk::Entry> posted_;
    std::map<std::string, std::string> absent_;
    std::vector<Booking> bookings_;
    std::vector<Problem> formatProblems_;
    std::size_t documents_ = 0, files_ = 0;
};

/// "card_purchase, 2 lines, taxes I25 normal + RC25 reverse, supplier currency JPY": what a
/// reader of a failure needs to see the pattern (reverse charge, zero-decimal currency...).
std::string describeEntry(const sdk::Entry& entry);

}  // namespace ledgerbridge::books
