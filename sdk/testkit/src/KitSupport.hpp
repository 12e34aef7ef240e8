// Helpers shared by the kit's test files: capability checks, a push whose every outcome is
// checked against the contract, the dry run compared with push, and the read-back rules run on
// one instance's target. Internal to the kit (the public fixture is Kit.hpp).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ledgerbridge/testkit/BookChecks.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::sdk {
/// Outcome kinds by name in gtest messages ("Posted", not "4-byte object <01-00 00-00>").
inline void PrintTo(OutcomeKind k, std::ostream* os) {
    switch (k) {
    case OutcomeKind::Posted: *os << "Posted"; return;
    case OutcomeKind::Rejected: *os << "Rejected"; return;
    case OutcomeKind::Retryable: *os << "Retryable"; return;
    case OutcomeKind::Unknown: *os << "Unknown"; return;
    case OutcomeKind::Absent: *os << "Absent"; return;
    }
    *os << "kind " << static_cast<int>(k);
}
}  // namespace ledgerbridge::sdk

namespace ledgerbridge::testkit {

bool hasCapability(std::uint32_t cap);

/// One of Pleo's ExportJobItemFailureReasonType values.
bool isPleoFailureReason(const std::string& reason);

/// A push's outcomes sorted out per entry.
struct Delivered {
    std::vector<sdk::Entry> posted, notPosted;
    std::vector<sdk::Outcome> outcomes;  ///< one per entry, in batch order
};

/// Pushes `batch` and checks, with gtest expectations, that every entry got exactly one
/// outcome, Posted (with an external id) or Rejected (with a Pleo reason and a message).
Delivered pushChecked(Instance& i, const std::vector<sdk::Entry>& batch);

/// The dry run agrees with push: an entry push rejected is rejected by plan with the same
/// reason; an entry push posted has documents in the plan and no rejection.
void expectPlanAgrees(const sdk::PlanResult& plan, const Delivered& pushed);

enum class BookRule { Balance, ExactlyOnce, Amounts, All };

/// The read-back rules on what `i`'s target holds. Precondition: hasReadBack(). A hook that
/// throws (the plugin wrote something its own reader refuses) is a problem too.
std::vector<std::string> bookProblems(const Instance& i, const std::vector<sdk::Entry>& posted,
                                      const std::vector<sdk::Entry>& notPosted, BookRule rule);
inline std::vector<std::string> bookProblems(const Instance& i, const Delivered& d, BookRule rule) {
    return bookProblems(i, d.posted, d.notPosted, rule);
}

}  // namespace ledgerbridge::testkit
