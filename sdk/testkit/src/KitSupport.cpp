// Helpers shared by the kit's test files: see KitSupport.hpp.
#include "KitSupport.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ledgerbridge::testkit {

bool hasCapability(std::uint32_t cap) { return (pluginApi()->describe()->capabilities & cap) != 0; }

bool isPleoFailureReason(const std::string& reason) {
    // Pleo's ExportJobItemFailureReasonType (export-api-v3.yml).
    static const std::set<std::string> reasons{
        "validation_failure", "account_unknown", "tax_code_unknown", "vendor_unknown", "tag_unknown",
        "accounting_system_validation_failure", "invalid_configuration", "missing_configuration",
        "accounting_system_authentication_failure", "authorization_failure", "accounting_system_rate_limit",
        "accounting_system_unreachable", "accounting_system_timeout", "receipt_upload_failure",
        "receipt_file_size_limit_exceeded", "receipt_conversion_failure", "unexpected_failure"};
    return reasons.count(reason) > 0;
}

Delivered pushChecked(Instance& i, const std::vector<sdk::Entry>& batch) {
    Delivered d;
    const std::vector<sdk::Outcome> out = i.client->push(batch);
    d.outcomes.resize(batch.size());
    std::vector<int> seen(batch.size(), 0);
    for (const sdk::Outcome& o : out) {
        if (o.entryIndex >= batch.size()) {
            ADD_FAILURE() << "an outcome for entry " << o.entryIndex << " of a batch of " << batch.size();
            continue;
        }
        if (seen[o.entryIndex]++ == 0) d.outcomes[o.entryIndex] = o;
        else ADD_FAILURE() << "two outcomes for entry " << batch[o.entryIndex].accountingEntryId;
    }
    for (std::size_t n = 0; n < batch.size(); ++n) {
        const sdk::Entry& e = batch[n];
        const sdk::Outcome& o = d.outcomes[n];
        if (!seen[n]) {
            ADD_FAILURE() << "no outcome for entry " << e.accountingEntryId << " although push returned OK";
            d.notPosted.push_back(e);
        } else if (o.kind == sdk::OutcomeKind::Posted) {
            EXPECT_FALSE(o.externalId.empty()) << e.accountingEntryId << " posted without an external id";
            d.posted.push_back(e);
        } else if (o.kind == sdk::OutcomeKind::Rejected) {
            EXPECT_TRUE(isPleoFailureReason(o.failureReason))
                << e.accountingEntryId << " rejected with '" << o.failureReason << "', not a Pleo failureReasonType";
            EXPECT_FALSE(o.message.empty()) << e.accountingEntryId << " rejected without a message";
            d.notPosted.push_back(e);
        } else {
            ADD_FAILURE() << e.accountingEntryId << " came back as kind " << static_cast<int>(o.kind)
                          << " (" << o.message << "); the kit's target never fails, so posted or rejected";
            d.notPosted.push_back(e);
        }
    }
    return d;
}

void expectPlanAgrees(const sdk::PlanResult& plan, const Delivered& pushed) {
    for (std::size_t n = 0; n < pushed.outcomes.size(); ++n) {
        const sdk::Outcome& pushedOutcome = pushed.outcomes[n];
        const sdk::Outcome* rejected = nullptr;
        for (const sdk::Outcome& r : plan.rejections)
            if (r.entryIndex == n) rejected = &r;
        bool documents = false;
        for (const sdk::Document& doc : plan.documents) documents = documents || doc.entryIndex == n;
        if (pushedOutcome.kind == sdk::OutcomeKind::Rejected) {
            if (!rejected) {
                ADD_FAILURE() << "push rejected entry " << n << " (" << pushedOutcome.failureReason << ": "
                              << pushedOutcome.message << ") but the dry run "
                              << (documents ? "planned documents for it" : "did not report it (override planBatch)");
                continue;
            }
            EXPECT_EQ(rejected->failureReason, pushedOutcome.failureReason)
                << "the dry run rejects entry " << n << " for another reason: " << rejected->message;
        } else if (pushedOutcome.kind == sdk::OutcomeKind::Posted) {
            EXPECT_EQ(rejected, nullptr) << "the dry run rejects entry " << n << " which push posted: "
                                         << (rejected ? rejected->message : "");
            EXPECT_TRUE(documents) << "the dry run planned no document for entry " << n << ", which push posted";
        }
    }
}

std::vector<std::string> bookProblems(const Instance& i, const std::vector<sdk::Entry>& posted,
                                      const std::vector<sdk::Entry>& notPosted, BookRule rule) {
    std::vector<WrittenDocument> docs;
    try {
        docs = readBack(i);
    } catch (const std::exception& e) {
        return {std::string("the read-back hook refused what the plugin wrote: ") + e.what()};
    }
    std::vector<std::string> problems;
    auto add = [&](std::vector<std::string> more) { problems.insert(problems.end(), more.begin(), more.end()); };
    if (rule == BookRule::Balance || rule == BookRule::All) add(unbalancedDocuments(docs));
    if (rule == BookRule::ExactlyOnce || rule == BookRule::All) add(entriesNotExactlyOnce(docs, posted, notPosted));
    if (rule == BookRule::Amounts || rule == BookRule::All)
        add(amountsNotCarried(docs, posted, kitOption("contra_account", "")));
    return problems;
}

}  // namespace ledgerbridge::testkit
