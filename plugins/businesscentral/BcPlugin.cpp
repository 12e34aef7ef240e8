// The Business Central plugin: see BcPlugin.hpp and README.md.
#include "BcPlugin.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "BcMasterData.hpp"

namespace ledgerbridge::businesscentral {

namespace {
constexpr int kMaxEtagRetries = 3;      ///< a line changed under us this often: give up (target error)
constexpr int kMaxClearingRounds = 20;  ///< GET-and-delete rounds over the batch's leftover lines
constexpr std::size_t kMaxBatchRequests = 100;  ///< BC's limit of operations in one $batch

sdk::Outcome rejection(const Rejected& r) { return sdk::Outcome::rejected(r.reason, r.what()); }

std::string dimensionBody(const std::pair<std::string, std::string>& dim) {
    return "{\"code\":" + Poco::toJSON(dim.first) + ",\"valueCode\":" + Poco::toJSON(dim.second) + "}";
}
}  // namespace

void BcPlugin::configure(const sdk::Settings& settings) {
    config_ = parseBcConfig(settings);
    api_ = std::make_unique<BcApi>(host(), config_);
}

void BcPlugin::check() {
    try {
        jsonObjectOf(api_->get(""), "the company " + config_.companyId + " in environment " + config_.environment);
        jsonObjectOf(api_->get(journalPath()), "the journal batch " + config_.journalId);
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

std::vector<sdk::Document> BcPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            for (sdk::Document& d : documentsOf(i, journalOf(batch[i], config_), batch[i].receipts))
                out.push_back(std::move(d));
        } catch (const Rejected&) {
        }
    }
    return out;
}

void BcPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            for (const sdk::Document& d : documentsOf(i, journalOf(batch[i], config_), batch[i].receipts))
                sink.document(d);
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
    std::set<std::string> out;
    for (std::size_t from = 0; from < numbers.size(); from += kMaxBatchRequests) {
        const std::size_t to = std::min(numbers.size(), from + kMaxBatchRequests);
        std::string body = "{\"requests\":[";
        for (std::size_t i = from; i < to; ++i)
            body += std::string(i == from ? "" : ",") + "{\"method\":\"GET\",\"id\":\"" + std::to_string(i) +
                    "\",\"url\":" + Poco::toJSON("companies(" + config_.companyId + ")/generalLedgerEntries?$top=1&$filter=" +
                                                 "documentNumber%20eq%20" + odataString(numbers[i])) + "}";
        body += "]}";
        const auto root = jsonObjectOf(api_->readBatch(body), "looking up " + std::to_string(to - from) + " documents ($batch)");
        const auto responses = root->getArray("responses");
        if (!responses || responses->size() != to - from)
            throw sdk::Error(LB_ERR_TARGET, "the $batch answer does not hold one response per lookup");
        for (std::size_t r = 0; r < responses->size(); ++r) {
            const auto one = responses->getObject(static_cast<unsigned>(r));
            const std::size_t i = one ? std::stoul(one->optValue<std::string>("id", "0")) : 0;
            const int status = one ? one->optValue<int>("status", 0) : 0;
            const auto answer = one ? one->getObject("body") : nullptr;
            const auto value = answer ? answer->getArray("value") : nullptr;
            if (i < from || i >= to || status != 200 || !value)
                throw sdk::Error(LB_ERR_TARGET, "the $batch lookup of a document answered " + std::to_string(status));
            if (value->size() > 0) out.insert(numbers[i]);
        }
    }
    return out;
}

void BcPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
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
            std::string etag = line ? line->optValue<std::string>("@odata.etag", "") : "";
            if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "a journal line without a GUID id in the batch");
            const std::string path = journalPath() + "/journalLines(" + id + ")";
            host().warn("deleting journal line " + id + " (document " + line->optValue<std::string>("documentNumber", "") +
                        ") left unposted in the batch by an interrupted push");
            for (int attempt = 0;; ++attempt) {
                const sdk::HttpResponse r = api_->remove(path, etag);
                if (r.status == 204 || r.status == 200 || r.status == 404) break;
                // 412: the line changed since we read it; read its new ETag and try again.
                if (r.status != 412 || attempt >= kMaxEtagRetries)
                    throw sdk::Error(LB_ERR_TARGET, "deleting journal line " + id + ": " + bcErrorText(r));
                const sdk::HttpResponse again = api_->get(path);
                if (again.status == 404) break;
                etag = jsonObjectOf(again, "reading journal line " + id)->optValue<std::string>("@odata.etag", "");
            }
        }
    }
    throw sdk::Error(LB_ERR_TARGET, "the journal batch " + config_.journalId + " keeps filling while it is cleared: is it "
                                    "shared with another user or connection?");
}

std::string BcPlugin::attachReceipts(const std::vector<sdk::Receipt>& receipts, const std::string& lineId) {
    std::string problems;
    auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
    for (const sdk::Receipt& receipt : receipts) {
        const std::string name = receipt.fileName.empty() ? "receipt" : receipt.fileName.substr(0, 250);
        std::ifstream in(receipt.path, std::ios::binary);
        // StreamCopier (istream::read), not istreambuf_iterator: GCC 12 at -O3 reports a false
        // -Wnull-dereference inside libstdc++'s streambuf for the iterator (check-release, -Werror).
        std::string bytes;
        Poco::StreamCopier::copyToString(in, bytes);
        if (!in.good() && !in.eof()) {
            problem("receipt " + name + " could not be read");
            continue;
        }
        const sdk::HttpResponse created = api_->post(
            "/attachments", "{\"parentId\":" + Poco::toJSON(lineId) + ",\"fileName\":" + Poco::toJSON(name) +
                                ",\"parentType\":\"Journal\"}");
        if (created.status >= 400) {
            problem("receipt " + name + " was not attached (" + bcErrorText(created) + ")");
            continue;
        }
        const auto attachment = jsonObjectOf(created, "creating the attachment " + name);
        const std::string id = attachment->optValue<std::string>("id", "");
        if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "BC created an attachment without a GUID id");
        const sdk::HttpResponse content = api_->patchBytes(
            "/attachments(" + id + ")/attachmentContent", attachment->optValue<std::string>("@odata.etag", "*"), bytes);
        if (content.status >= 400) problem("receipt " + name + " was attached without its content (" + bcErrorText(content) + ")");
    }
    return problems;
}

sdk::Outcome BcPlugin::write(const JournalDocument& doc, const std::vector<sdk::Receipt>& receipts) {
    const std::string lines = journalPath() + "/journalLines";
    std::string receiptProblems;
    for (const JournalLine& l : doc.lines) {
        const sdk::HttpResponse r = api_->post(lines, journalLineBody(doc, l));
        if (r.status >= 400 && r.status < 500) {
            const std::string error = bcErrorText(r);
            clearJournal();
            return sdk::Outcome::rejected(failureReasonFor(error), "account " + l.accountNumber + ": " + error);
        }
        const std::string id = jsonObjectOf(r, "creating a journal line")->optValue<std::string>("id", "");
        if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "BC created a journal line without a GUID id");
        for (const auto& dim : l.dimensions) {
            const sdk::HttpResponse d = api_->post(lines + "(" + id + ")/dimensionSetLines", dimensionBody(dim));
            if (d.status >= 400 && d.status < 500) {
                const std::string error = bcErrorText(d);
                clearJournal();
                return sdk::Outcome::rejected("tag_unknown", "dimension " + dim.first + " value " + dim.second + ": " + error);
            }
        }
        // On the first line, before the post: posting carries them to the posted document in
        // the same action, and a crash before it leaves them on lines the next push deletes.
        if (&l == &doc.lines.front() && config_.attachReceipts) receiptProblems = attachReceipts(receipts, id);
    }
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
