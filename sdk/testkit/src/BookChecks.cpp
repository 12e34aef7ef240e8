// The read-back checks: see BookChecks.hpp and sdk/README.md for the rules.
#include "ledgerbridge/testkit/BookChecks.hpp"

#include <cstdint>
#include <map>
#include <set>

#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::testkit {

namespace {

/// `v` (with `from` minor digits) expressed with `to` minor digits: exact when `to` >= `from`,
/// else rounded half away from zero (what a format with fewer decimals must do at best).
/// False on overflow.
bool rescale(std::int64_t v, int from, int to, std::int64_t& out) {
    out = v;
    for (int e = from; e < to; ++e)
        if (__builtin_mul_overflow(out, 10, &out)) return false;
    if (to < from) {
        std::int64_t divisor = 1;
        for (int e = to; e < from; ++e)
            if (__builtin_mul_overflow(divisor, 10, &divisor)) return false;
        const std::int64_t q = v / divisor, r = v % divisor;
        out = q;
        if (2 * (r < 0 ? -r : r) >= divisor) out += v < 0 ? -1 : 1;
    }
    return true;
}

std::string money(std::int64_t minor, int exponent, const std::string& currency) {
    return sdk::formatDecimal(minor, exponent) + " " + currency;
}

std::string label(const WrittenDocument& d) {
    return (d.where.empty() ? std::string("a document") : d.where) + " (entry " +
           (d.accountingEntryId.empty() ? std::string("<none>") : d.accountingEntryId) + ")";
}

/// The one number of minor digits a document uses for `currency`, or a problem.
bool documentExponent(const WrittenDocument& d, const std::string& currency, int fallback, int& exponent,
                      std::vector<std::string>& problems) {
    std::set<int> seen;
    for (const Posting& p : d.postings)
        if (p.currency == currency) seen.insert(p.exponent);
    if (seen.size() > 1) {
        problems.push_back(label(d) + " writes " + currency + " amounts with different numbers of decimals (" +
                           std::to_string(*seen.begin()) + " and " + std::to_string(*seen.rbegin()) + ")");
        return false;
    }
    exponent = seen.empty() ? fallback : *seen.begin();
    return true;
}

}  // namespace

std::vector<std::string> unbalancedDocuments(const std::vector<WrittenDocument>& docs) {
    std::vector<std::string> problems;
    for (const WrittenDocument& d : docs) {
        if (d.postings.empty()) {
            problems.push_back(label(d) + " has no postings");
            continue;
        }
        std::set<std::string> currencies;
        for (const Posting& p : d.postings) currencies.insert(p.currency);
        for (const std::string& currency : currencies) {
            int exponent = 0;
            if (!documentExponent(d, currency, 2, exponent, problems)) continue;
            std::int64_t debits = 0, credits = 0;
            bool overflow = false;
            for (const Posting& p : d.postings) {
                if (p.currency != currency) continue;
                std::int64_t& side = p.minor >= 0 ? debits : credits;
                overflow = overflow || __builtin_add_overflow(side, p.minor, &side);
            }
            std::int64_t difference = 0;
            if (overflow || __builtin_add_overflow(debits, credits, &difference)) {
                problems.push_back(label(d) + ": its " + currency + " postings overflow 64-bit minor units");
                continue;
            }
            if (difference != 0)
                problems.push_back(label(d) + " does not balance in " + currency + ": debits " +
                                   money(debits, exponent, currency) + ", credits " +
                                   money(-credits, exponent, currency) + ", difference " +
                                   money(difference, exponent, currency));
        }
    }
    return problems;
}

std::vector<std::string> entriesNotExactlyOnce(const std::vector<WrittenDocument>& docs,
                                               const std::vector<sdk::Entry>& posted,
                                               const std::vector<sdk::Entry>& notPosted) {
    std::map<std::string, std::vector<std::string>> byEntry;  // entry id -> where
    for (const WrittenDocument& d : docs) byEntry[d.accountingEntryId].push_back(d.where);
    std::vector<std::string> problems;
    std::set<std::string> known;
    for (const sdk::Entry& e : posted) {
        known.insert(e.accountingEntryId);
        const auto it = byEntry.find(e.accountingEntryId);
        const std::size_t n = it == byEntry.end() ? 0 : it->second.size();
        if (n == 0) problems.push_back("entry " + e.accountingEntryId + " was reported posted but no document of it was read back");
        if (n > 1) {
            std::string where;
            for (const auto& w : it->second) where += (where.empty() ? "" : ", ") + w;
            problems.push_back("entry " + e.accountingEntryId + " was written " + std::to_string(n) + " times: " + where);
        }
    }
    for (const sdk::Entry& e : notPosted) {
        known.insert(e.accountingEntryId);
        const auto it = byEntry.find(e.accountingEntryId);
        if (it != byEntry.end())
            problems.push_back("entry " + e.accountingEntryId + " was not reported posted, yet written: " + it->second.front());
    }
    for (const auto& [id, where] : byEntry)
        if (!known.count(id))
            problems.push_back(where.front() + " belongs to entry '" + id + "', which the kit never pushed");
    return problems;
}

std::vector<std::string> amountsNotCarried(const std::vector<WrittenDocument>& docs,
                                           const std::vector<sdk::Entry>& posted, const std::string& contraAccount) {
    std::vector<std::string> problems;
    for (const sdk::Entry& e : posted) {
        const WrittenDocument* d = nullptr;
        for (const WrittenDocument& w : docs)
            if (w.accountingEntryId == e.accountingEntryId && !d) d = &w;
        if (!d) continue;  // entriesNotExactlyOnce names it
        const std::string& currency = e.totalWallet.currency;
        const int x = e.totalWallet.exponent;
        for (const Posting& p : d->postings)
            if (p.currency != currency)
                problems.push_back(label(*d) + " posts " + money(p.minor, p.exponent, p.currency) + " to " + p.account +
                                   "; the entry is in " + currency);
        int w = x;
        if (!documentExponent(*d, currency, x, w, problems)) continue;

        std::map<std::string, std::int64_t> actual;
        std::set<std::string> keyed;  // accounts whose postings carry a tax key
        for (const Posting& p : d->postings) {
            if (p.currency != currency) continue;
            actual[p.account] += p.minor;
            if (!p.taxKey.empty()) keyed.insert(p.account);
        }
        std::map<std::string, std::int64_t> expected;
        std::map<std::string, std::string> why;
        bool overflow = false;
        std::int64_t contra = 0;
        for (const sdk::Line& l : e.lines) {
            const bool gross = keyed.count(l.accountCode) > 0;
            std::int64_t v = 0, g = 0;
            overflow = overflow || !rescale(gross ? l.walletAmount.minor : l.netAmount.minor, x, w, v) ||
                       !rescale(l.walletAmount.minor, x, w, g);
            expected[l.accountCode] += v;
            why[l.accountCode] += std::string(why[l.accountCode].empty() ? "" : " + ") + (gross ? "gross" : "net") +
                                  " of line " + l.lineId;
            contra -= g;
        }
        const std::string contraCode = contraAccount.empty() ? e.contraAccountCode : contraAccount;
        expected[contraCode] += contra;
        why[contraCode] += std::string(why[contraCode].empty() ? "" : " + ") + "minus the entry's total, the contra side";
        if (overflow) {
            problems.push_back("entry " + e.accountingEntryId + ": amounts overflow when written with " +
                               std::to_string(w) + " decimals");
            continue;
        }
        for (const auto& [account, want] : expected) {
            const auto it = actual.find(account);
            if (it == actual.end()) {
                problems.push_back(label(*d) + " has no posting to account " + account + "; expected " +
                                   money(want, w, currency) + " (" + why[account] + ")");
            } else if (it->second != want) {
                problems.push_back(label(*d) + ": account " + account + " carries " + money(it->second, w, currency) +
                                   ", expected " + money(want, w, currency) + " (" + why[account] + ")");
            }
        }
    }
    return problems;
}

std::string describeProblems(const std::vector<std::string>& problems, std::size_t limit) {
    std::string out = std::to_string(problems.size()) + " problem(s):";
    for (std::size_t i = 0; i < problems.size() && i < limit; ++i) out += "\n  - " + problems[i];
    if (problems.size() > limit) out += "\n  … and " + std::to_string(problems.size() - limit) + " more";
    return out;
}

}  // namespace ledgerbridge::testkit
