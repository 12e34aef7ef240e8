// Purchase-invoice mode: see BcInvoiceExport.hpp and README.md ("Purchase-invoice mode").
#include "BcInvoiceExport.hpp"

#include <Poco/JSONString.h>

#include "BcAttachments.hpp"

namespace ledgerbridge::businesscentral {

namespace {
std::string invoicePath(const std::string& id) { return "/purchaseInvoices(" + id + ")"; }


/// The first invoice of a lookup's `value` that is posted, else the first draft, else none.
BcInvoiceExport::Found foundIn(const Poco::JSON::Array::Ptr& value, const std::string& number) {
    BcInvoiceExport::Found found;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto o = value->getObject(static_cast<unsigned>(i));
        if (!o) continue;
        BcInvoiceExport::Found one{o->optValue<std::string>("id", ""), o->optValue<std::string>("@odata.etag", ""),
                                   o->optValue<std::string>("status", ""), o->optValue<bool>("pricesIncludeTax", false)};
        if (!isGuid(one.id) || one.status.empty())
            throw sdk::Error(LB_ERR_TARGET, "the purchase invoice with vendorInvoiceNumber " + number +
                                                " has no GUID id or no status");
        if (found.status.empty() || (one.posted() && !found.posted())) found = one;
    }
    return found;
}
}  // namespace

std::vector<BcInvoiceExport::Found> BcInvoiceExport::find(const std::vector<std::string>& numbers) {
    std::vector<std::string> paths;
    for (const std::string& n : numbers) paths.push_back("/purchaseInvoices?$filter=vendorInvoiceNumber%20eq%20" + odataString(n));
    std::vector<Poco::JSON::Array::Ptr> values;
    if (paths.size() == 1) {  // one lookup (lookup(), pushOne()): a plain GET, no $batch around it
        values.push_back(jsonObjectOf(api_.get(paths[0]), "looking up purchase invoice " + numbers[0])->getArray("value"));
        if (!values[0]) throw sdk::Error(LB_ERR_TARGET, "the purchase invoices answer has no value array");
    } else {
        values = api_.getValues(paths, "looking up purchase invoices");
    }
    std::vector<Found> out;
    for (std::size_t i = 0; i < numbers.size(); ++i) out.push_back(foundIn(values[i], numbers[i]));
    return out;
}

void BcInvoiceExport::push(const std::vector<sdk::Entry>& batch,
                           const std::function<void(std::size_t, sdk::Outcome)>& report) {
    std::vector<std::string> numbers;
    std::vector<std::size_t> indexOf;  // numbers[k] is the key of batch[indexOf[k]]
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (!batch[i].accountingEntryId.empty()) {
            numbers.push_back(invoiceKeyOf(batch[i].accountingEntryId));
            indexOf.push_back(i);
        }
    std::vector<Found> found;
    try {
        found = find(numbers);
    } catch (const NotSent& e) {
        for (std::size_t i = 0; i < batch.size(); ++i) report(i, sdk::Outcome::retryable(e.what()));
        return;
    }
    std::vector<Found> byEntry(batch.size());
    for (std::size_t k = 0; k < numbers.size(); ++k) byEntry[indexOf[k]] = found[k];
    for (std::size_t i = 0; i < batch.size(); ++i) {
        host_.throwIfCancelled();
        report(i, pushFound(batch[i], byEntry[i]));
    }
}

sdk::Outcome BcInvoiceExport::pushOne(const sdk::Entry& entry) {
    try {
        const Found found = entry.accountingEntryId.empty() ? Found{} : find({invoiceKeyOf(entry.accountingEntryId)}).at(0);
        return pushFound(entry, found);
    } catch (const NotSent& e) {
        return sdk::Outcome::retryable(e.what());
    }
}

sdk::Outcome BcInvoiceExport::lookup(const sdk::Entry& entry) {
    if (entry.accountingEntryId.empty()) return sdk::Outcome::absent();
    const std::string number = invoiceKeyOf(entry.accountingEntryId);
    try {
        return find({number}).at(0).posted() ? sdk::Outcome::posted(number, "") : sdk::Outcome::absent();
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, "lookup of purchase invoice " + number + ": " + e.what());
    }
}

sdk::Outcome BcInvoiceExport::pushFound(const sdk::Entry& entry, const Found& found) {
    InvoiceDocument doc;
    try {
        doc = invoiceOf(entry, config_);
    } catch (const Rejected& r) {
        return sdk::Outcome::rejected(r.reason, r.what());
    }
    if (found.posted()) return sdk::Outcome::posted(doc.vendorInvoiceNumber, "");
    if (found.status == "In Review")
        return sdk::Outcome::retryable("purchase invoice " + doc.vendorInvoiceNumber + " waits for approval in Business "
                                       "Central (status In Review): approve it, or reopen it so it can be completed");
    try {
        return write(doc, entry.receipts, found);
    } catch (const NotSent& e) {
        // A draft may be left: the next push finds it by vendorInvoiceNumber and completes it.
        return sdk::Outcome::retryable(e.what());
    } catch (const NoResponse& e) {
        return sdk::Outcome::unknown(e.what());
    }
}

void BcInvoiceExport::clearLines(const std::string& id) {
    const std::string lines = invoicePath(id) + "/purchaseInvoiceLines";
    const auto value = jsonObjectOf(api_.get(lines), "reading the lines of draft " + id)->getArray("value");
    if (!value) throw sdk::Error(LB_ERR_TARGET, "the purchase invoice lines answer has no value array");
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto line = value->getObject(static_cast<unsigned>(i));
        const std::string lineId = line ? line->optValue<std::string>("id", "") : "";
        if (!isGuid(lineId)) throw sdk::Error(LB_ERR_TARGET, "a purchase invoice line without a GUID id in draft " + id);
        api_.removeRecord(lines + "(" + lineId + ")", line->optValue<std::string>("@odata.etag", ""),
                          "purchase invoice line " + lineId);
    }
}

void BcInvoiceExport::deleteDraft(const std::string& id) {
    const sdk::HttpResponse r = api_.get(invoicePath(id));
    if (r.status == 404) return;
    api_.removeRecord(invoicePath(id), jsonObjectOf(r, "reading draft " + id)->optValue<std::string>("@odata.etag", ""),
                      "draft purchase invoice " + id);
}

sdk::Outcome BcInvoiceExport::write(InvoiceDocument doc, const std::vector<sdk::Receipt>& receipts, Found draft) {
    std::map<std::string, ExistingAttachment> attached;
    if (draft.status.empty()) {
        const sdk::HttpResponse r = api_.post("/purchaseInvoices", invoiceBody(doc));
        if (r.status >= 400 && r.status < 500) {
            const std::string error = bcErrorText(r);
            return sdk::Outcome::rejected(failureReasonFor(error), "vendor " + doc.vendorNumber + ": " + error);
        }
        const auto created = jsonObjectOf(r, "creating a purchase invoice");
        draft.id = created->optValue<std::string>("id", "");
        draft.pricesIncludeTax = created->optValue<bool>("pricesIncludeTax", false);
        if (!isGuid(draft.id)) throw sdk::Error(LB_ERR_TARGET, "BC created a purchase invoice without a GUID id");
    } else {
        host_.warn("completing draft purchase invoice " + draft.id + " (" + doc.vendorInvoiceNumber +
                   ") left unposted by an interrupted push: its lines are written again");
        clearLines(draft.id);
        if (config_.attachReceipts) attached = attachmentsOf(api_, draft.id);
    }
    // A refusal deletes the draft, so nothing of a rejected entry stays in BC.
    auto refused = [&](const std::string& what, const sdk::HttpResponse& r, const std::string& reason) {
        const std::string error = bcErrorText(r);
        deleteDraft(draft.id);
        return sdk::Outcome::rejected(reason.empty() ? failureReasonFor(error) : reason, what + ": " + error);
    };
    try {
        applyPricesIncludingVat(doc, draft.pricesIncludeTax, "purchase invoice " + doc.vendorInvoiceNumber);
    } catch (const Rejected& e) {
        deleteDraft(draft.id);
        return sdk::Outcome::rejected(e.reason, e.what());
    }
    const std::string lines = invoicePath(draft.id) + "/purchaseInvoiceLines";
    for (const InvoiceLine& l : doc.lines) {
        const sdk::HttpResponse r = api_.post(lines, invoiceLineBody(doc, l));
        if (r.status >= 400 && r.status < 500) return refused("account " + l.accountNumber, r, "");
        const std::string id = jsonObjectOf(r, "creating a purchase invoice line")->optValue<std::string>("id", "");
        if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "BC created a purchase invoice line without a GUID id");
        for (const auto& dim : l.dimensions) {
            const sdk::HttpResponse d = api_.post(lines + "(" + id + ")/dimensionSetLines", dimensionBody(dim));
            if (d.status >= 400 && d.status < 500)
                return refused("dimension " + dim.first + " value " + dim.second, d, "tag_unknown");
        }
    }
    // Before the post: a crash between leaves them on the draft, where completing it finds them.
    const std::string receiptProblems =
        config_.attachReceipts ? attachReceipts(api_, receipts, draft.id, "Purchase Invoice", attached) : "";
    const sdk::HttpResponse r = api_.post(invoicePath(draft.id) + "/Microsoft.NAV.post", "");
    if (r.status >= 400 && r.status < 500) return refused("posting", r, "");
    if (r.status != 204 && r.status != 200) throw NoResponse("posting the purchase invoice answered " + std::to_string(r.status));
    sdk::Outcome outcome = sdk::Outcome::posted(doc.vendorInvoiceNumber, "");
    if (!receiptProblems.empty()) {
        outcome.message = "posted, but " + receiptProblems;
        host_.warn("purchase invoice " + doc.vendorInvoiceNumber + ": " + outcome.message);
    }
    return outcome;
}

std::vector<sdk::Document> BcInvoiceExport::documentsOf(std::size_t index, const InvoiceDocument& doc,
                                                        const std::vector<sdk::Receipt>& receipts) const {
    const std::string invoices = config_.companyUrl() + "/purchaseInvoices";
    std::vector<sdk::Document> out{{index, "POST " + invoices, "application/json", invoiceBody(doc)}};
    for (const InvoiceLine& l : doc.lines) {
        out.push_back({index, "POST " + invoices + "({new invoice})/purchaseInvoiceLines", "application/json",
                       invoiceLineBody(doc, l)});
        for (const auto& dim : l.dimensions)
            out.push_back({index, "POST " + invoices + "({new invoice})/purchaseInvoiceLines({new line})/dimensionSetLines",
                           "application/json", dimensionBody(dim)});
    }
    if (config_.attachReceipts)
        for (const sdk::Receipt& r : receipts) {
            out.push_back({index, "POST " + config_.companyUrl() + "/attachments", "application/json",
                           "{\"parentId\":\"{new invoice}\",\"fileName\":" + Poco::toJSON(attachmentNameOf(r)) +
                               ",\"parentType\":\"Purchase Invoice\"}"});
            out.push_back({index, "PATCH " + config_.companyUrl() + "/attachments({new attachment})/attachmentContent",
                           "application/octet-stream", "(the bytes of " + attachmentNameOf(r) + ")"});
        }
    out.back().action += "; then POST " + invoices + "({new invoice})/Microsoft.NAV.post (no body)";
    return out;
}

}  // namespace ledgerbridge::businesscentral
