// The Business Central plugin: see BcPlugin.hpp and README.md.
#include "BcPlugin.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>

#include "BcMasterData.hpp"

namespace ledgerbridge::businesscentral {

namespace {
constexpr int kMaxEtagRetries = 3;      ///< a line changed under us this often: give up (target error)
constexpr int kMaxClearingRounds = 20;  ///< GET-and-delete rounds over the batch's leftover lines

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

std::vector<sdk::Document> BcPlugin::documentsOf(std::size_t index, const JournalDocument& doc) const {
    std::vector<sdk::Document> out;
    const std::string lines = config_.companyUrl() + journalPath() + "/journalLines";
    for (const JournalLine& l : doc.lines) {
        out.push_back(sdk::Document{index, "POST " + lines, "application/json", journalLineBody(doc, l)});
        for (const auto& dim : l.dimensions)
            out.push_back(sdk::Document{index, "POST " + lines + "({new line})/dimensionSetLines", "application/json",
                                        dimensionBody(dim)});
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
            for (sdk::Document& d : documentsOf(i, journalOf(batch[i], config_))) out.push_back(std::move(d));
        } catch (const Rejected&) {
        }
    }
    return out;
}

void BcPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            for (const sdk::Document& d : documentsOf(i, journalOf(batch[i], config_))) sink.document(d);
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

void BcPlugin::clearJournal() {
    for (int round = 0; round < kMaxClearingRounds; ++round) {
        const auto root = jsonObjectOf(api_->get(journalPath() + "/journalLines"), "reading the journal batch");
        const auto value = root->getArray("value");
        if (!value) throw sdk::Error(LB_ERR_TARGET, "the journal lines answer has no value array");
        if (value->size() == 0) return;
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

sdk::Outcome BcPlugin::write(const JournalDocument& doc) {
    const std::string lines = journalPath() + "/journalLines";
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
    }
    const sdk::HttpResponse r = api_->post(journalPath() + "/Microsoft.NAV.post", "");
    if (r.status >= 400 && r.status < 500) {
        const std::string error = bcErrorText(r);
        clearJournal();
        return sdk::Outcome::rejected(failureReasonFor(error), "posting: " + error);
    }
    if (r.status != 204 && r.status != 200)
        throw NoResponse("posting the journal batch answered " + std::to_string(r.status));
    return sdk::Outcome::posted(doc.documentNumber, "");
}

sdk::Outcome BcPlugin::pushOne(const sdk::Entry& entry) {
    JournalDocument doc;
    try {
        doc = journalOf(entry, config_);
    } catch (const Rejected& r) {
        return rejection(r);
    }
    try {
        if (posted(doc.documentNumber)) return sdk::Outcome::posted(doc.documentNumber, "");
        clearJournal();
        return write(doc);
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
