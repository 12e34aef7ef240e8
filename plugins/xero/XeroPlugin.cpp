// The Xero plugin: see XeroPlugin.hpp and README.md.
#include "XeroPlugin.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace ledgerbridge::xero {

namespace {
constexpr std::size_t kReferencesPerLookup = 25;  ///< keeps the where filter well under URL limits

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    // StreamCopier (istream::read), not istreambuf_iterator: at -O2/-O3 GCC 12 reports a false
    // -Wnull-dereference inside libstdc++'s streambuf for the iterator (Release with -Werror).
    std::string content;
    Poco::StreamCopier::copyToString(in, content);
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return content;
}

bool live(const ElementResult& e) { return e.status != "DELETED" && e.status != "VOIDED"; }

bool matches(DocKind kind, const ElementResult& e, const std::string& reference) {
    if (kind == DocKind::Journal) return e.reference.rfind(reference, 0) == 0;
    if (kind == DocKind::Bill && e.type != "ACCPAY") return false;
    return e.reference == reference;
}

std::string collectionPath(DocKind kind) { return std::string("/") + endpointOf(kind).collection; }

/// The Xero names of the receipts of one entry, distinct within the document.
std::vector<std::string> attachmentNames(const sdk::Entry& e) {
    std::vector<std::string> names;
    std::set<std::string> used;
    for (std::size_t i = 0; i < e.receipts.size(); ++i) {
        std::string name = attachmentName(e.receipts[i], 0);
        if (!used.insert(name).second) used.insert(name = attachmentName(e.receipts[i], i));
        names.push_back(name);
    }
    return names;
}
}  // namespace

/// Reports outcomes and remembers which entries have one.
class XeroPlugin::Reporter {
public:
    Reporter(sdk::OutcomeSink& sink, std::size_t size) : sink_(sink), done_(size, false) {}
    void report(std::size_t index, sdk::Outcome o) {
        if (done_[index]) return;
        done_[index] = true;
        sink_.report(index, std::move(o));
    }
    /// Every entry of `pending` without an outcome yet gets `o`.
    void rest(const std::vector<Pending>& pending, const sdk::Outcome& o) {
        for (const Pending& p : pending) report(p.index, o);
    }

private:
    sdk::OutcomeSink& sink_;
    std::vector<bool> done_;
};

void XeroPlugin::configure(const sdk::Settings& settings) {
    config_ = parseXeroSettings(settings);
    api_ = std::make_unique<XeroApi>(host(), config_);
    masterData_ = std::make_unique<XeroMasterData>(host(), *api_);
}

sdk::MasterDataPage XeroPlugin::readMasterData(const sdk::MasterDataRequest& request) {
    return masterData_->read(request);
}

void XeroPlugin::check() {
    try {
        const sdk::HttpResponse org = api_->get("/Organisation");
        XeroApi::throwIfUnauthorised(org, "GET Organisation");
        if (org.status != 200)
            throw sdk::Error(LB_ERR_TARGET, "GET Organisation: Xero answered " + std::to_string(org.status) +
                                                "; check base_url and tenant_id");
        const std::string where = "Code==\"" + config_.bankAccountCode + "\"";
        const sdk::HttpResponse accounts = api_->get("/Accounts?where=" + urlEncode(where));
        XeroApi::throwIfUnauthorised(accounts, "GET Accounts");
        if (accounts.status != 200)
            throw sdk::Error(LB_ERR_TARGET, "GET Accounts: Xero answered " + std::to_string(accounts.status));
        Poco::JSON::Parser parser;
        const auto root = parser.parse(accounts.body).extract<Poco::JSON::Object::Ptr>();
        const auto list = root ? root->getArray("Accounts") : nullptr;
        bool bank = false;
        for (std::size_t i = 0; list && i < list->size(); ++i) {
            const auto a = list->getObject(static_cast<unsigned>(i));
            bank = bank || (a && a->optValue<std::string>("Code", "") == config_.bankAccountCode &&
                            a->optValue<std::string>("Type", "") == "BANK");
        }
        if (!bank)
            throw sdk::Error(LB_ERR_CONFIG, "bank_account_code " + config_.bankAccountCode +
                                                " is not a bank account of this Xero organisation");
        host().info("Xero organisation reachable; bank account " + config_.bankAccountCode + " found");
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, e.what());
    } catch (const Poco::Exception& e) {
        throw sdk::Error(LB_ERR_TARGET, "Xero's answer could not be read: " + e.displayText());
    }
}

std::vector<sdk::Document> XeroPlugin::documentsOf(std::size_t index, const sdk::Entry& e) const {
    std::vector<sdk::Document> docs;
    const DocKind kind = kindOf(config_, e);
    docs.push_back({index, "PUT " + config_.baseUrl + collectionPath(kind) + "?summarizeErrors=false&unitdp=4",
                    "application/json", createBody(kind, {documentJson(config_, e)})});
    if (!config_.attachReceipts) return docs;
    const auto names = attachmentNames(e);
    for (std::size_t r = 0; r < e.receipts.size(); ++r)
        docs.push_back({index,
                        "PUT " + config_.baseUrl + collectionPath(kind) + "/{" + endpointOf(kind).idField +
                            "}/Attachments/" + urlEncode(names[r]),
                        "application/octet-stream", readFile(e.receipts[r].path)});
    return docs;
}

std::vector<sdk::Document> XeroPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (checkEntry(config_, batch[i])) continue;
        for (auto& d : documentsOf(i, batch[i])) docs.push_back(std::move(d));
    }
    return docs;
}

void XeroPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    // push's own checks (checkEntry, balance last), so the dry run rejects exactly what push would.
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto rejected = checkEntry(config_, batch[i])) sink.reject(i, *rejected);
        else
            for (const auto& d : documentsOf(i, batch[i])) sink.document(d);
    }
}

void XeroPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    host().throwIfCancelled();
    Reporter report(outcomes, batch.size());
    std::map<DocKind, std::vector<Pending>> pending;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        if (auto rejected = checkEntry(config_, e)) {
            report.report(i, *rejected);
            continue;
        }
        const DocKind kind = kindOf(config_, e);
        if (auto guid = remembered(kind, e)) {
            report.report(i, sdk::Outcome::posted(*guid, deepLink(config_, kind, *guid)));
            continue;
        }
        pending[kind].push_back({i, &e, documentJson(config_, e)});
    }
    std::vector<Pending> all;
    for (const auto& [kind, list] : pending) all.insert(all.end(), list.begin(), list.end());

    try {
        for (const auto& [kind, list] : pending) {
            for (std::size_t start = 0; start < list.size(); start += config_.batchSize) {
                host().throwIfCancelled();
                std::vector<Pending> chunk(list.begin() + static_cast<std::ptrdiff_t>(start),
                                           list.begin() + static_cast<std::ptrdiff_t>(
                                                              std::min(list.size(), start + config_.batchSize)));
                if (config_.lookupBeforeCreate) {
                    std::vector<std::string> refs;
                    for (const Pending& p : chunk) refs.push_back(referenceOf(kind, *p.entry));
                    const auto found = findExisting(kind, refs);
                    std::vector<Pending> fresh;
                    for (const Pending& p : chunk) {
                        const auto it = found.find(referenceOf(kind, *p.entry));
                        if (it == found.end()) fresh.push_back(p);
                        else report.report(p.index, finish(kind, *p.entry, it->second.id, it->second.hasAttachments));
                    }
                    chunk.swap(fresh);
                }
                if (!chunk.empty()) create(kind, chunk, report);
            }
        }
    } catch (const NotSent& e) {
        host().warn(e.what());
        report.rest(all, sdk::Outcome::retryable(e.what()));
    } catch (const NoResponse& e) {
        // create() reported its own chunk as unknown; nothing after it was sent.
        report.rest(all, sdk::Outcome::retryable(std::string("not sent after an earlier call got no answer: ") + e.what()));
    }
}

std::map<std::string, ElementResult> XeroPlugin::findExisting(DocKind kind, const std::vector<std::string>& references) {
    std::map<std::string, ElementResult> found;
    const Endpoint& ep = endpointOf(kind);
    for (std::size_t start = 0; start < references.size(); start += kReferencesPerLookup) {
        const std::vector<std::string> group(
            references.begin() + static_cast<std::ptrdiff_t>(start),
            references.begin() + static_cast<std::ptrdiff_t>(std::min(references.size(), start + kReferencesPerLookup)));
        const sdk::HttpResponse r = api_->get(collectionPath(kind) + "?where=" + urlEncode(lookupWhere(kind, group)));
        XeroApi::throwIfUnauthorised(r, std::string("GET ") + ep.collection);
        if (r.status != 200)
            throw NotSent(std::string("could not look documents up in Xero (GET ") + ep.collection + " answered " +
                          std::to_string(r.status) + ")");
        std::vector<ElementResult> elements;
        try {
            elements = parseCollection(r.body, ep);
        } catch (const std::runtime_error& e) {
            throw NotSent(std::string("could not read Xero's ") + ep.collection + ": " + e.what());
        }
        for (const ElementResult& e : elements)
            for (const std::string& ref : group)
                if (live(e) && !e.id.empty() && matches(kind, e, ref) && !found.count(ref)) found.emplace(ref, e);
    }
    return found;
}

void XeroPlugin::create(DocKind kind, const std::vector<Pending>& chunk, Reporter& report) {
    const Endpoint& ep = endpointOf(kind);
    std::vector<std::string> elements;
    std::vector<std::pair<std::string, std::string>> keyed;
    for (const Pending& p : chunk) {
        elements.push_back(p.json);
        keyed.emplace_back(entryKey(*p.entry), p.json);
    }
    sdk::HttpResponse r;
    try {
        r = api_->put(collectionPath(kind) + "?summarizeErrors=false&unitdp=4", createBody(kind, elements),
                      "application/json", idempotencyKey(keyed));
    } catch (const NoResponse& e) {
        host().warn(e.what());
        report.rest(chunk, sdk::Outcome::unknown(e.what()));
        throw;
    }
    XeroApi::throwIfUnauthorised(r, std::string("PUT ") + ep.collection);
    const std::string status = std::to_string(r.status);
    if (r.status == 200) {
        std::vector<ElementResult> results;
        try {
            results = parseCollection(r.body, ep);
        } catch (const std::runtime_error& e) {
            report.rest(chunk, sdk::Outcome::unknown(std::string("Xero's answer could not be read: ") + e.what()));
            return;
        }
        if (results.size() != chunk.size()) {
            report.rest(chunk, sdk::Outcome::unknown("Xero answered " + std::to_string(results.size()) + " " +
                                                     ep.collection + " for " + std::to_string(chunk.size()) + " sent"));
            return;
        }
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const ElementResult& res = results[i];
            if (!res.errors.empty() || res.id.empty())
                report.report(chunk[i].index, sdk::Outcome::rejected(failureReasonFor(res.errors), xeroMessage(res.errors)));
            else
                report.report(chunk[i].index, finish(kind, *chunk[i].entry, res.id, false));
        }
        return;
    }
    if (r.status == 400) {
        const auto error = parseError(r.body, ep);
        const bool perElement = error && error->elements.size() == chunk.size();
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if (perElement && !error->elements[i].errors.empty())
                report.report(chunk[i].index, sdk::Outcome::rejected(failureReasonFor(error->elements[i].errors),
                                                                     xeroMessage(error->elements[i].errors)));
            else if (perElement)
                report.report(chunk[i].index,
                              sdk::Outcome::retryable("not created: Xero refused another document of the same call"));
            else
                report.report(chunk[i].index,
                              sdk::Outcome::rejected("validation_failure",
                                                     "Xero answered 400: " + (error ? error->message : r.body.substr(0, 300))));
        }
        return;
    }
    if (r.status == 404)
        throw sdk::Error(LB_ERR_CONFIG, "PUT " + std::string(ep.collection) + ": Xero answered 404; check base_url");
    if (r.status >= 500) {
        report.rest(chunk, sdk::Outcome::unknown("Xero answered " + status + "; the documents may exist"));
        return;
    }
    report.rest(chunk, sdk::Outcome::retryable("Xero answered " + status + " to PUT " + ep.collection));
}

sdk::Outcome XeroPlugin::finish(DocKind kind, const sdk::Entry& e, const std::string& guid, bool hasAttachments) {
    std::string problems;
    if (config_.attachReceipts && !e.receipts.empty() && !hasAttachments) problems = uploadReceipts(kind, e, guid);
    remember(kind, e, guid);
    sdk::Outcome o = sdk::Outcome::posted(guid, deepLink(config_, kind, guid));
    if (!problems.empty()) {
        o.message = "posted, but " + problems;
        host().warn("entry " + e.accountingEntryId + ": " + o.message);
    }
    return o;
}

std::string XeroPlugin::uploadReceipts(DocKind kind, const sdk::Entry& e, const std::string& guid) {
    std::string problems;
    const auto names = attachmentNames(e);
    for (std::size_t i = 0; i < e.receipts.size(); ++i) {
        const sdk::Receipt& receipt = e.receipts[i];
        const std::string where = "receipt " + names[i];
        try {
            const std::string bytes = readFile(receipt.path);
            const sdk::HttpResponse r =
                api_->put(collectionPath(kind) + "/" + guid + "/Attachments/" + urlEncode(names[i]), bytes,
                          "application/octet-stream", attachmentKey(entryKey(e), names[i], bytes));
            if (r.status != 200) {
                const auto error = parseError(r.body, endpointOf(kind));
                problems += (problems.empty() ? "" : "; ") + where + " was not attached (Xero answered " +
                            std::to_string(r.status) + (error && !error->message.empty() ? ": " + error->message : "") + ")";
            }
        } catch (const sdk::CancelledError&) {
            throw;
        } catch (const std::exception& ex) {
            problems += (problems.empty() ? "" : "; ") + where + " was not attached (" + ex.what() + ")";
        }
    }
    return problems;
}

sdk::Outcome XeroPlugin::lookup(const sdk::Entry& e) {
    const DocKind kind = kindOf(config_, e);
    const std::string ref = referenceOf(kind, e);
    try {
        const auto found = findExisting(kind, {ref});
        const auto it = found.find(ref);
        if (it == found.end()) return sdk::Outcome::absent();
        // Found after an interrupted push: the document may lack the receipts that push would
        // have attached next; finish() attaches them (as push does for a document it finds).
        return finish(kind, e, it->second.id, it->second.hasAttachments);
    } catch (const NotSent& ex) {
        throw sdk::Error(LB_ERR_TARGET, ex.what());
    }
}

void XeroPlugin::remember(DocKind kind, const sdk::Entry& e, const std::string& guid) const {
    try {
        host().kvPut("doc/" + e.accountingEntryId, std::to_string(static_cast<int>(kind)) + "|" + guid);
    } catch (const sdk::Error& ex) {
        host().warn(std::string("could not remember a posted document (lookup by reference still finds it): ") + ex.what());
    }
}

std::optional<std::string> XeroPlugin::remembered(DocKind kind, const sdk::Entry& e) const {
    try {
        const auto value = host().kvGet("doc/" + e.accountingEntryId);
        const std::string prefix = std::to_string(static_cast<int>(kind)) + "|";
        if (!value || value->rfind(prefix, 0) != 0 || !isGuid(value->substr(prefix.size()))) return std::nullopt;
        return value->substr(prefix.size());
    } catch (const sdk::Error& ex) {
        host().warn(std::string("plugin state unavailable, asking Xero instead: ") + ex.what());
        return std::nullopt;
    }
}

}  // namespace ledgerbridge::xero
