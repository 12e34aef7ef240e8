// See BookAudit.hpp.
#include "BookAudit.hpp"

#include <set>
#include <stdexcept>
#include <utility>

#include "Balance.hpp"

namespace ledgerbridge::books {

std::string kindName(ProblemKind kind) {
    switch (kind) {
    case ProblemKind::Format: return "format error";
    case ProblemKind::Unbalanced: return "unbalanced";
    case ProblemKind::Missing: return "missing";
    case ProblemKind::Duplicate: return "duplicate";
    case ProblemKind::Amounts: return "wrong amounts";
    case ProblemKind::Unexpected: return "unexpected";
    case ProblemKind::Key: return "key";
    }
    return "?";
}

std::string describeEntry(const sdk::Entry& e) {
    std::string s = e.type + ", " + std::to_string(e.lines.size()) + (e.lines.size() == 1 ? " line" : " lines");
    std::string taxes;
    for (const sdk::Line& l : e.lines) {
        if (l.taxCode.empty() && l.taxType.empty()) continue;
        taxes += (taxes.empty() ? "" : " + ") + l.taxCode + (l.taxType.empty() ? "" : " " + l.taxType);
    }
    if (!taxes.empty()) s += ", taxes " + taxes;
    if (e.totalSupplier.currency != e.totalWallet.currency)
        s += ", supplier currency " + e.totalSupplier.currency + " (" + std::to_string(e.totalSupplier.exponent) + " decimals)";
    if (e.totalWallet.minor < 0) s += ", a refund";
    return s;
}

void BookAudit::expectPosted(const sdk::Entry& entry) { posted_[entry.accountingEntryId] = entry; }

void BookAudit::expectAbsent(const std::string& id, const std::string& why) { absent_[id] = why; }

std::vector<testkit::WrittenDocument> BookAudit::readFile(BookFormat format, const std::string& path) {
    std::vector<testkit::WrittenDocument> documents;
    try {
        documents = readBook(format, path);
    } catch (const std::exception& e) {
        ++files_;
        formatProblems_.push_back({ProblemKind::Format, e.what()});
        return {};
    }
    addFile(documents);
    return documents;
}

void BookAudit::addFile(std::vector<testkit::WrittenDocument> documents) {
    ++files_;
    documents_ += documents.size();
    const std::size_t firstOfFile = bookings_.size();
    for (auto& d : documents) {
        if (bookings_.size() > firstOfFile && bookings_.back().entryId == d.accountingEntryId) {
            bookings_.back().documents.push_back(std::move(d));
            continue;
        }
        Booking b;
        b.entryId = d.accountingEntryId;
        b.where = d.where;
        b.documents.push_back(std::move(d));
        bookings_.push_back(std::move(b));
    }
}

std::vector<Problem> BookAudit::check() const {
    std::vector<Problem> out = formatProblems_;
    // For messages only: the entry a document names, by its id or (older files) by its key.
    std::map<std::string, const sdk::Entry*> named;
    for (const auto& [id, e] : posted_) named.emplace(e.idempotencyKey, &e);
    for (const auto& [id, e] : posted_) named[id] = &e;
    std::map<std::string, std::vector<const Booking*>> byEntry;
    for (const Booking& b : bookings_) {
        byEntry[b.entryId].push_back(&b);
        auto known = named.find(b.entryId);
        for (const auto& d : b.documents)
            for (const std::string& m : imbalances(d))
                out.push_back({ProblemKind::Unbalanced, m + (known != named.end() ? " [" + describeEntry(*known->second) + "]" : "")});
    }
    for (const auto& [id, bookings] : byEntry) {
        if (posted_.count(id)) continue;
        auto absent = absent_.find(id);
        out.push_back({ProblemKind::Unexpected,
                       bookings.front()->where + ": entry " + (id.empty() ? "(no entry id)" : id) +
                           (absent != absent_.end() ? " was not posted (" + absent->second + ") but is written"
                                                    : " is written but was never given to the plugin")});
    }
    std::size_t unreadable = 0;  // posted entries in no file read, while some file could not be read
    for (const auto& [id, entry] : posted_) {
        auto found = byEntry.find(id);
        if (found == byEntry.end()) {
            if (!formatProblems_.empty()) ++unreadable;
            else out.push_back({ProblemKind::Missing, "entry " + id + " was reported posted but is in no file [" + describeEntry(entry) + "]"});
            continue;
        }
        if (found->second.size() > 1) {
            std::string wheres;
            for (const Booking* b : found->second) wheres += (wheres.empty() ? "" : ", ") + b->where;
            out.push_back({ProblemKind::Duplicate, "entry " + id + " is written " + std::to_string(found->second.size()) +
                                                       " times: " + wheres});
            continue;
        }
        checkEntry(entry, *found->second.front(), out);
    }
    if (unreadable > 0)
        out.push_back({ProblemKind::Missing, std::to_string(unreadable) + " entries reported posted are in no file that could be "
                                             "read (see the format errors): not checked"});
    return out;
}

void BookAudit::checkEntry(const sdk::Entry& e, const Booking& booking, std::vector<Problem>& out) const {
    const std::string& wallet = e.totalWallet.currency;
    const std::string& supplier = e.totalSupplier.currency;
    const std::string where = booking.where + ": entry " + e.accountingEntryId;
    for (const auto& d : booking.documents)
        if (!d.idempotencyKey.empty() && d.idempotencyKey != e.idempotencyKey)
            out.push_back({ProblemKind::Key, d.where + ": entry " + e.accountingEntryId + " carries key " +
                                                 d.idempotencyKey + ", the entry's key is " + e.idempotencyKey});

    // What is written, per (account, currency), and whether those postings carry a tax key.
    std::map<std::pair<std::string, std::string>, Amount> written;
    std::map<std::pair<std::string, std::string>, bool> keyed;
    std::set<std::string> currencies;
    for (const auto& d : booking.documents)
        for (const testkit::Posting& p : d.postings) {
            written[{p.account, p.currency}].add(p.minor, p.exponent);
            if (!p.taxKey.empty()) keyed[{p.account, p.currency}] = true;
            currencies.insert(p.currency);
        }

    std::string mismatches;
    auto note = [&](const std::string& s) { mismatches += (mismatches.empty() ? "" : "; ") + s; };
    bool anyChecked = false;
    for (const std::string& c : currencies) {
        const bool inWallet = c == wallet;
        if (!inWallet && c != supplier) {
            note("postings in " + c + ", but the entry is in " + wallet +
                 (supplier != wallet ? " (supplier currency " + supplier + ")" : ""));
            continue;
        }
        // Expected per account in this currency, and how each was derived (for the message).
        std::map<std::string, Amount> expected;
        std::map<std::string, std::string> basis;
        bool unknowable = false;
        for (const sdk::Line& l : e.lines) {
            const bool gross = keyed.count({l.accountCode, c}) > 0;
            const bool noTax = l.taxType == "reverse" || l.taxAmount.minor == 0;
            if (inWallet) {
                const sdk::Money& m = gross ? l.walletAmount : l.netAmount;
                expected[l.accountCode].add(m.minor, m.exponent);
            } else if (gross || noTax) {
                expected[l.accountCode].add(l.supplierAmount.minor, l.supplierAmount.exponent);
            } else {
                note("account " + l.accountCode + " in " + c + " books a net amount in the supplier currency, "
                     "which Pleo does not give (only the gross)");
                unknowable = true;
            }
            basis[l.accountCode] = gross ? "gross" : "net";
        }
        if (unknowable) continue;
        const sdk::Money& total = inWallet ? e.totalWallet : e.totalSupplier;
        expected[e.contraAccountCode].add(-total.minor, total.exponent);
        basis[e.contraAccountCode] = "minus the total";
        for (const auto& [account, amount] : expected) {
            auto w = written.find({account, c});
            Amount got = w == written.end() ? Amount{0, amount.exponent, false} : w->second;
            if (!got.sameValue(amount))
                note("account " + (account.empty() ? std::string("(none)") : account) + " in " + c + ": written " +
                     (w == written.end() ? std::string("nothing") : got.text()) + ", expected " + amount.text() + " (" +
                     basis[account] + ")");
        }
        anyChecked = true;
    }
    if (!anyChecked && mismatches.empty()) note("no postings in " + wallet + " or " + supplier);
    if (!mismatches.empty())
        out.push_back({ProblemKind::Amounts, where + ": " + mismatches + " [" + describeEntry(e) + "]"});
}

}  // namespace ledgerbridge::books
