// The Business Central plugin: see BcPlugin.hpp and README.md.
#include "BcPlugin.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>

#include <algorithm>

#include "BcAttachments.hpp"
#include "BcMasterData.hpp"

namespace ledgerbridge::businesscentral {

namespace {
constexpr int kMaxClearingRounds = 20;  ///< GET-and-delete rounds over the batch's leftover lines

sdk::Outcome rejection(const Rejected& r) { return sdk::Outcome::rejected(r.reason, r.what()); }

}  // namespace

void BcPlugin::configure(const sdk::Settings& settings) {
    config_ = parseBcConfig(settings);
    api_ = std::make_unique<BcApi>(host(), config_);
    invoices_ = config_.purchaseInvoices ? std::make_unique<BcInvoiceExport>(host(), *api_, config_) : nullptr;
}

void BcPlugin::check() {
    try {
        jsonObjectOf(api_->get(""), "the company " + config_.companyId + " in environment " + config_.environment);
        if (!config_.journalId.empty()) jsonObjectOf(api_->get(journalPath()), "the journal batch " + config_.journalId);
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, e.what());
    }
}

std::vector<sdk::Document> BcPlugin::documentsOf(std::size_t index, const JournalDocument& doc,
                                                 const std::vector<sdk::Receipt>& receipts) const {
    std::vector<sdk::Document> out;
    const std::string lines = config_.companyUrl() + journalPath() + "/journalLines";
    const std::string attachments = config_.companyUrl() + "/attachments";
    for (const JournalLine& l : doc.lines) {
        out.push_back(sdk::Document{index, "POST " + lines, "application/json", journalLineBody(doc, l)});
        for (const auto& dim : l.dimensions)
            out.push_back(sdk::Document{index, "POST " + lines + "({new line})/dimensionSetLines", "application/json",
                                        dimensionBody(dim)});
        if (&l != &doc.lines.front() || !config_.attachReceipts) continue;
        for (const sdk::Receipt& r : receipts) {
            out.push_back(sdk::Document{index, "POST " + attachments, "application/json",
                                        "{\"parentId\":\"{first line}\",\"fileName\":" + Poco::toJSON(r.fileName) +
                                            ",\"parentType\":\"Journal\"}"});
            out.push_back(sdk::Document{index, "PATCH " + attachments + "({new attachment})/attachmentContent",
                                        "application/octet-stream", "(the bytes of " + r.fileName + ")"});
        }
    }
    // The post action has no body (the description declares none), so it is no document of its
    // own: the last document, the contra line (it has no dimensions), says it comes next.
    out.back().action += "; then POST " + config_.companyUrl() + journalPath() + "/Microsoft.NAV.post (no body)";
    return out;
}

std::vector<sdk::Document> BcPlugin::documentsOf(std::size_t index, const sdk::Entry& entry) const {
    if (asInvoice(entry)) return invoices_->documentsOf(index, invoiceOf(entry, config_), entry.receipts);
    return documentsOf(index, journalOf(entry, config_), entry.receipts);
}

std::vector<sdk::Document> BcPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            for (sdk::Document& d : documentsOf(i, batch[i])) out.push_back(std::move(d));
        } catch (const Rejected&) {
        }
    }
    return out;
}

void BcPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            for (const sdk::Document& d : documentsOf(i, batch[i])) sink.document(d);
        } catch (const Rejected& r) {
            sink.reject(i, rejection(r));
        }
    }
}

bool BcPlugin::posted(const std::string& documentNumber) {
    const auto root = jsonObjectOf(
        api_->get("/generalLedgerEntries?$top=1&$filter=documentNumber%20eq%20" + odataString(documentNumber)),
        "looking up G/L entries of document " + documentNumber);
    const auto value = root->getArray("value");
    if (!value) throw sdk::Error(LB_ERR_TARGET, "the G/L entries answer has no value array");
    return value->size() > 0;
}

std::set<std::string> BcPlugin::postedAmong(const std::vector<std::string>& numbers) {
    std::vector<std::string> paths;
    for (const std::string& n : numbers)
        paths.push_back("/generalLedgerEntries?$top=1&$filter=documentNumber%20eq%20" + odataString(n));
    const auto values = api_->getValues(paths, "looking up documents");
    std::set<std::string> out;
    for (std::size_t i = 0; i < numbers.size(); ++i)
        if (values[i]->size() > 0) out.insert(numbers[i]);
    return out;
}

void BcPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    if (invoices_) {
        std::vector<sdk::Entry> invoices;
        std::vector<std::size_t> at;  // invoices[k] is batch[at[k]]
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (asInvoice(batch[i])) {
                invoices.push_back(batch[i]);
                at.push_back(i);
            }
        invoices_->push(invoices, [&](std::size_t k, sdk::Outcome o) { outcomes.report(at[k], std::move(o)); });
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (!asInvoice(batch[i])) outcomes.report(i, journalPushOne(batch[i]));
        return;
    }
    std::vector<std::string> numbers;
    for (const auto& e : batch)
        if (!e.accountingEntryId.empty()) numbers.push_back(documentNumberOf(e.accountingEntryId));
    std::set<std::string> alreadyPosted;
    try {
        alreadyPosted = postedAmong(numbers);
    } catch (const NotSent& e) {
        for (std::size_t i = 0; i < batch.size(); ++i) outcomes.report(i, sdk::Outcome::retryable(e.what()));
        return;
    }
    journalMayHoldLines_ = true;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        host().throwIfCancelled();
        const bool posted = !batch[i].accountingEntryId.empty() &&
                            alreadyPosted.count(documentNumberOf(batch[i].accountingEntryId)) > 0;
        outcomes.report(i, pushLookedUp(batch[i], posted));
    }
}

void BcPlugin::clearJournal() {
    for (int round = 0; round < kMaxClearingRounds; ++round) {
        const auto root = jsonObjectOf(api_->get(journalPath() + "/journalLines"), "reading the journal batch");
        const auto value = root->getArray("value");
        if (!value) throw sdk::Error(LB_ERR_TARGET, "the journal lines answer has no value array");
        if (value->size() == 0) {
            journalMayHoldLines_ = false;
            return;
        }
        for (std::size_t i = 0; i < value->size(); ++i) {
            const auto line = value->getObject(static_cast<unsigned>(i));
            const std::string id = line ? line->optValue<std::string>("id", "") : "";
            const std::string etag = line ? line->optValue<std::string>("@odata.etag", "") : "";
            if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "a journal line without a GUID id in the batch");
            const std::string path = journalPath() + "/journalLines(" + id + ")";
            host().warn("deleting journal line " + id + " (document " + line->optValue<std::string>("documentNumber", "") +
                        ") left unposted in the batch by an interrupted push");
            api_->removeRecord(path, etag, "journal line " + id);
        }
    }
    throw sdk::Error(LB_ERR_TARGET, "the journal batch " + config_.journalId + " keeps filling while it is cleared: is it "
                                    "shared with another user or connection?");
}

sdk::Outcome BcPlugin::write(const JournalDocument& doc, const std::vector<sdk::Receipt>& receipts) {
    const std::string lines = journalPath() + "/journalLines";
    // The lines in one $batch (batch_writes), then their dimension set lines in another: a
    // refusal of any is BC's answer for the entry, and the lines written are deleted.
    std::vector<std::pair<std::string, std::string>> creates;
    for (const JournalLine& l : doc.lines) creates.emplace_back(lines, journalLineBody(doc, l));
    const auto created = api_->createAll(creates, config_.batchWrites, true, "creating the journal lines");
    for (std::size_t i = 0; i < created.size(); ++i)
        if (!created[i].error.empty()) {
            clearJournal();
            return sdk::Outcome::rejected(failureReasonFor(created[i].error),
                                          "account " + doc.lines[i].accountNumber + ": " + created[i].error);
        }
    std::vector<std::pair<std::string, std::string>> dimensions;
    std::vector<std::string> dimensionNames;
    for (std::size_t i = 0; i < doc.lines.size(); ++i)
        for (const auto& dim : doc.lines[i].dimensions) {
            dimensions.emplace_back(lines + "(" + created[i].id + ")/dimensionSetLines", dimensionBody(dim));
            dimensionNames.push_back("dimension " + dim.first + " value " + dim.second);
        }
    const auto dimensioned = api_->createAll(dimensions, config_.batchWrites, false, "creating the dimension set lines");
    for (std::size_t i = 0; i < dimensioned.size(); ++i)
        if (!dimensioned[i].error.empty()) {
            clearJournal();
            return sdk::Outcome::rejected("tag_unknown", dimensionNames[i] + ": " + dimensioned[i].error);
        }
    // On the first line, before the post: posting carries them to the posted document in the
    // same action, and a crash before it leaves them on lines the next push deletes.
    const std::string receiptProblems =
        config_.attachReceipts ? attachReceipts(*api_, receipts, created.front().id, "Journal") : "";
    const sdk::HttpResponse r = api_->post(journalPath() + "/Microsoft.NAV.post", "");
    if (r.status >= 400 && r.status < 500) {
        const std::string error = bcErrorText(r);
        clearJournal();
        return sdk::Outcome::rejected(failureReasonFor(error), "posting: " + error);
    }
    if (r.status != 204 && r.status != 200)
        throw NoResponse("posting the journal batch answered " + std::to_string(r.status));
    sdk::Outcome outcome = sdk::Outcome::posted(doc.documentNumber, "");
    if (!receiptProblems.empty()) {
        outcome.message = "posted, but " + receiptProblems;
        host().warn("document " + doc.documentNumber + ": " + outcome.message);
    }
    return outcome;
}

sdk::Outcome BcPlugin::pushOne(const sdk::Entry& entry) {
    return asInvoice(entry) ? invoices_->pushOne(entry) : journalPushOne(entry);
}

sdk::Outcome BcPlugin::journalPushOne(const sdk::Entry& entry) {
    journalMayHoldLines_ = true;
    try {
        return pushLookedUp(entry, !entry.accountingEntryId.empty() && posted(documentNumberOf(entry.accountingEntryId)));
    } catch (const NotSent& e) {
        return sdk::Outcome::retryable(e.what());
    }
}

sdk::Outcome BcPlugin::pushLookedUp(const sdk::Entry& entry, bool alreadyPosted) {
    JournalDocument doc;
    try {
        doc = journalOf(entry, config_);
    } catch (const Rejected& r) {
        return rejection(r);
    }
    try {
        if (alreadyPosted) return sdk::Outcome::posted(doc.documentNumber, "");
        if (journalMayHoldLines_) clearJournal();
        journalMayHoldLines_ = true;  // until this write's post (or clean-up) empties the batch again
        sdk::Outcome outcome = write(doc, entry.receipts);
        if (outcome.kind == sdk::OutcomeKind::Posted) journalMayHoldLines_ = false;
        return outcome;
    } catch (const NotSent& e) {
        // Lines already created stay unposted and are deleted before the next push.
        return sdk::Outcome::retryable(e.what());
    } catch (const NoResponse& e) {
        return sdk::Outcome::unknown(e.what());
    }
}

sdk::Outcome BcPlugin::lookup(const sdk::Entry& entry) {
    if (asInvoice(entry)) return invoices_->lookup(entry);
    if (entry.accountingEntryId.empty()) return sdk::Outcome::absent();
    const std::string number = documentNumberOf(entry.accountingEntryId);
    try {
        return posted(number) ? sdk::Outcome::posted(number, "") : sdk::Outcome::absent();
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, std::string("lookup of document ") + number + ": " + e.what());
    }
}

sdk::MasterDataPage BcPlugin::readMasterData(const sdk::MasterDataRequest& request) {
    return readBcMasterData(*api_, request);
}

}  // namespace ledgerbridge::businesscentral
