// Review statuses and the derived export status of accounting entries.
#include "EntryBook.h"

#include <algorithm>

#include "Http.h"

namespace lbsim {

const std::vector<std::string>& reviewStatuses() {
    static const std::vector<std::string> v = {"NOT_OK", "NOT_REQUIRED", "NOT_SET", "OK", "WAITING_FOR_EXPENSE_OWNER",
                                               "WAITING_FOR_REVIEWER", "WAITING_FOR_COMPANY_REVIEWER",
                                               "WAITING_FOR_TEAM_REVIEWER", "WAITING_FOR_TAG_REVIEWER"};
    return v;
}
const std::vector<std::string>& exportStatuses() {
    static const std::vector<std::string> v = {"CREATED", "EXPORTED", "EXPORTING", "NOT_CREATED", "NOT_EXPORTED", "QUEUED"};
    return v;
}
const std::vector<std::string>& entryStatuses() {
    static const std::vector<std::string> v = {"DRAFT", "PENDING", "COMPLETED", "COMPLETED_EXTERNALLY",
                                               "CANCELLED", "REJECTED", "ERROR"};
    return v;
}
const std::vector<std::string>& entryFamilies() {
    static const std::vector<std::string> v = {"BALANCE_AMENDMENT", "BILL_INVOICE", "CARD_PURCHASE", "CASHBACK",
                                               "CREDIT_NOTE", "MILEAGE", "OUT_OF_POCKET", "OVERDRAFT", "PER_DIEM",
                                               "PLEO_INVOICE", "REIMBURSEMENT", "WALLET", "BILL_INVOICE_PAYMENT"};
    return v;
}

namespace {
constexpr std::uint8_t kNotSet = 2;  // index of NOT_SET in reviewStatuses()
}

EntryBook::EntryBook(int companies, std::uint64_t itemsPerCompany) {
    review_.assign(static_cast<std::size_t>(companies), std::vector<std::uint8_t>(itemsPerCompany, kNotSet));
}

const std::string& EntryBook::reviewStatus(int company, std::uint64_t index) const {
    return reviewStatuses()[review_[static_cast<std::size_t>(company)][index]];
}

void EntryBook::setReviewStatus(int company, std::uint64_t index, const std::string& status) {
    const auto& all = reviewStatuses();
    auto it = std::find(all.begin(), all.end(), status);
    if (it == all.end()) throw ApiError(400, "INVALID_REVIEW_STATUS", "Unknown reviewStatus '" + status + "'.");
    review_[static_cast<std::size_t>(company)][index] = static_cast<std::uint8_t>(it - all.begin());
}

std::string EntryBook::exportStatus(const JobStore& jobs, const Job* active, int company, std::uint64_t index) const {
    if (active && active->company == company) {
        auto pos = std::lower_bound(active->items.begin(), active->items.end(), static_cast<std::uint32_t>(index));
        if (pos != active->items.end() && *pos == index) {
            if (active->status == "pending") return "QUEUED";
            const std::string st = active->itemState(static_cast<std::size_t>(pos - active->items.begin())).status;
            if (st == "successful") return "EXPORTED";
            if (st == "failed") return "NOT_EXPORTED";
            return "EXPORTING";
        }
    }
    return jobs.isExported(company, static_cast<std::uint32_t>(index)) ? "EXPORTED" : "NOT_EXPORTED";
}

void EntryBook::clear() {
    for (auto& r : review_) r.assign(r.size(), kNotSet);
}

}  // namespace lbsim
