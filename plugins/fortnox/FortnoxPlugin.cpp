// The Fortnox plugin: see FortnoxPlugin.hpp and README.md.
#include "FortnoxPlugin.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <iterator>

#include "FortnoxVoucher.hpp"

namespace ledgerbridge::fortnox {

namespace {
constexpr int kLookupPageSize = 100;
constexpr int kMaxLookupPages = 50;  ///< 5,000 vouchers of one series on one day
constexpr const char* kUploaded = "uploaded:";  ///< state of a receipt uploaded, not yet connected

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    // Through rdbuf(), not istreambuf_iterator: GCC 12 at -O3 reports a false -Wnull-dereference
    // inside libstdc++'s streambuf for the iterator (check-release's Release build, -Werror).
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return text.str();
}

Poco::JSON::Object::Ptr parseObject(const std::string& body, const std::string& member) {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    const auto o = root ? root->getObject(member) : nullptr;
    if (!o) throw std::runtime_error("the answer has no " + member + " object");
    return o;
}

std::string text(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    const auto v = o->get(key);
    return v.isEmpty() ? std::string() : v.convert<std::string>();
}

VoucherId idOf(const Poco::JSON::Object::Ptr& v) {
    return {text(v, "VoucherSeries"), text(v, "VoucherNumber"), text(v, "Year")};
}

std::string safeFileName(const sdk::Receipt& r, std::size_t index) {
    std::string name = r.fileName.empty() ? "receipt-" + std::to_string(index + 1) : r.fileName;
    for (char& c : name)
        if (c == '"' || c == '\r' || c == '\n' || c == '/' || c == '\\') c = '_';
    return name;
}

/// multipart/form-data with one part "file" (the inbox upload).
std::string multipart(const std::string& boundary, const std::string& fileName, const std::string& mime,
                      const std::string& bytes) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName +
           "\"\r\nContent-Type: " + (mime.empty() ? "application/octet-stream" : mime) + "\r\n\r\n" + bytes + "\r\n--" +
           boundary + "--\r\n";
}

std::string boundaryFor(const sdk::Entry& e, std::size_t index) {
    return "ledgerbridge-" + e.accountingEntryId + "-" + std::to_string(index);
}
}  // namespace

void FortnoxPlugin::configure(const sdk::Settings& settings) {
    config_ = parseFortnoxSettings(settings);
    api_ = std::make_unique<FortnoxApi>(host(), config_);
    masterData_ = std::make_unique<FortnoxMasterData>(*api_);
}

sdk::MasterDataPage FortnoxPlugin::readMasterData(const sdk::MasterDataRequest& request) {
    try {
        return masterData_->read(request);
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, e.what());
    }
}

void FortnoxPlugin::check() {
    try {
        const sdk::HttpResponse r = api_->get("/voucherseries/" + config_.voucherSeries);
        FortnoxApi::throwIfUnauthorised(r, "GET voucherseries");
        if (r.status == 404)
            throw sdk::Error(LB_ERR_CONFIG, "voucher_series " + config_.voucherSeries +
                                                " is not a voucher series of this Fortnox company");
        if (r.status != 200)
            throw sdk::Error(LB_ERR_TARGET, "GET voucherseries: " + parseError(r).message);
        host().info("Fortnox reachable; voucher series " + config_.voucherSeries + " found");
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, e.what());
    }
}

std::vector<sdk::Document> FortnoxPlugin::documentsOf(std::size_t index, const sdk::Entry& e) const {
    std::vector<sdk::Document> docs;
    const auto mapped = mapEntry(e, config_);
    docs.push_back({index, "POST " + config_.baseUrl + "/vouchers", "application/json",
                    voucherJson(std::get<Voucher>(mapped))});
    if (!config_.attachReceipts) return docs;
    for (std::size_t r = 0; r < e.receipts.size(); ++r) {
        const std::string boundary = boundaryFor(e, r);
        docs.push_back({index, "POST " + config_.baseUrl + "/inbox", "multipart/form-data; boundary=" + boundary,
                        multipart(boundary, safeFileName(e.receipts[r], r), e.receipts[r].mimeType,
                                  readFile(e.receipts[r].path))});
        docs.push_back({index, "POST " + config_.baseUrl + "/voucherfileconnections", "application/json",
                        "{\"VoucherFileConnection\":{\"FileId\":\"{inbox file id}\",\"VoucherNumber\":\"{number}\","
                        "\"VoucherSeries\":" + jsonQuote(config_.voucherSeries) + "}}"});
    }
    return docs;
}

std::vector<sdk::Document> FortnoxPlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (std::holds_alternative<sdk::Outcome>(mapEntry(batch[i], config_))) continue;
        for (auto& d : documentsOf(i, batch[i])) docs.push_back(std::move(d));
    }
    return docs;
}

void FortnoxPlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    // push's own mapping (mapEntry, balance last), so the dry run rejects exactly what push would.
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto mapped = mapEntry(batch[i], config_);
        if (const auto* rejected = std::get_if<sdk::Outcome>(&mapped)) sink.reject(i, *rejected);
        else
            for (const auto& d : documentsOf(i, batch[i])) sink.document(d);
    }
}

void FortnoxPlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    std::size_t i = 0;
    try {
        for (; i < batch.size(); ++i) {
            host().throwIfCancelled();
            outcomes.report(i, pushOneEntry(batch[i]));
        }
    } catch (const NotSent& e) {
        host().warn(e.what());
        for (; i < batch.size(); ++i) outcomes.report(i, sdk::Outcome::retryable(e.what()));
    } catch (const NoResponse& e) {
        host().warn(e.what());
        outcomes.report(i, sdk::Outcome::unknown(e.what()));
        for (++i; i < batch.size(); ++i)
            outcomes.report(i, sdk::Outcome::retryable(std::string("not sent after an earlier call got no answer: ") +
                                                       e.what()));
    }
}

sdk::Outcome FortnoxPlugin::pushOneEntry(const sdk::Entry& e) {
    const auto mapped = mapEntry(e, config_);
    if (const auto* rejected = std::get_if<sdk::Outcome>(&mapped)) return *rejected;
    if (const auto known = remembered("doc/" + e.accountingEntryId)) return sdk::Outcome::posted(*known);
    const sdk::HttpResponse r = api_->post("/vouchers", voucherJson(std::get<Voucher>(mapped)), "application/json");
    FortnoxApi::throwIfUnauthorised(r, "POST vouchers");
    if (r.status == 200 || r.status == 201) {
        try {
            const VoucherId id = idOf(parseObject(r.body, "Voucher"));
            if (id.number.empty()) throw std::runtime_error("the voucher has no VoucherNumber");
            return finish(e, id);
        } catch (const std::exception& ex) {
            return sdk::Outcome::unknown(std::string("Fortnox's answer to POST vouchers could not be read: ") + ex.what());
        }
    }
    if (r.status == 400) {
        const FortnoxError error = parseError(r);
        return sdk::Outcome::rejected(failureReasonFor(error), "Fortnox: " + error.message +
                                                                   (error.code ? " (code " + std::to_string(error.code) + ")" : ""));
    }
    if (r.status == 404)
        throw sdk::Error(LB_ERR_CONFIG, "POST vouchers: Fortnox answered 404; check base_url");
    if (r.status >= 500) return sdk::Outcome::unknown("Fortnox answered " + std::to_string(r.status) + "; the voucher may exist");
    return sdk::Outcome::retryable("Fortnox answered " + std::to_string(r.status) + " to POST vouchers");
}

sdk::Outcome FortnoxPlugin::finish(const sdk::Entry& e, const VoucherId& id) {
    std::string problems;
    if (config_.attachReceipts && !e.receipts.empty() && !remembered("files/" + e.accountingEntryId))
        problems = attachReceipts(e, id);
    remember("doc/" + e.accountingEntryId, id.text());
    sdk::Outcome o = sdk::Outcome::posted(id.text());
    if (!problems.empty()) {
        o.message = "posted, but " + problems;
        host().warn("entry " + e.accountingEntryId + ": " + o.message);
    }
    return o;
}

std::string FortnoxPlugin::attachReceipts(const sdk::Entry& e, const VoucherId& id) {
    std::string problems;
    auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
    for (std::size_t i = 0; i < e.receipts.size(); ++i) {
        const std::string name = safeFileName(e.receipts[i], i);
        const std::string connectedKey = "file/" + e.accountingEntryId + "/" + std::to_string(i);
        try {
            // The state says "uploaded:<FileId>" between the upload and the connection, the
            // FileId once connected. After a crash in between, Fortnox is asked whether that
            // file is connected (GET voucherfileconnections/{FileId}), so it is never connected
            // twice and never uploaded again.
            const auto state = remembered(connectedKey);
            if (state && state->rfind(kUploaded, 0) != 0) continue;
            std::string fileId;
            if (state) {
                fileId = state->substr(std::strlen(kUploaded));
                const sdk::HttpResponse known = api_->get("/voucherfileconnections/" + fileId);
                FortnoxApi::throwIfUnauthorised(known, "GET voucherfileconnections");
                if (known.status == 200) {
                    remember(connectedKey, fileId);
                    continue;
                }
                if (known.status != 404) {
                    problem("receipt " + name + " was uploaded, but whether it is connected could not be checked (" +
                            parseError(known).message + ")");
                    continue;
                }
            } else {
                const std::string boundary = boundaryFor(e, i);
                const sdk::HttpResponse up = api_->post(
                    "/inbox", multipart(boundary, name, e.receipts[i].mimeType, readFile(e.receipts[i].path)),
                    "multipart/form-data; boundary=" + boundary);
                if (up.status != 200 && up.status != 201) {
                    problem("receipt " + name + " was not uploaded (" + parseError(up).message + ")");
                    continue;
                }
                fileId = text(parseObject(up.body, "File"), "Id");
                remember(connectedKey, kUploaded + fileId);
            }
            const sdk::HttpResponse c = api_->post(
                "/voucherfileconnections",
                "{\"VoucherFileConnection\":{\"FileId\":" + jsonQuote(fileId) + ",\"VoucherNumber\":" +
                    jsonQuote(id.number) + ",\"VoucherSeries\":" + jsonQuote(id.series) + "}}",
                "application/json");
            if (c.status != 200 && c.status != 201) {
                problem("receipt " + name + " was uploaded but not connected (" + parseError(c).message + ")");
                continue;
            }
            remember(connectedKey, fileId);
        } catch (const sdk::CancelledError&) {
            throw;
        } catch (const std::exception& ex) {
            problem("receipt " + name + " was not attached (" + ex.what() + ")");
        }
    }
    if (problems.empty()) remember("files/" + e.accountingEntryId, "connected");
    return problems;
}

void FortnoxPlugin::remember(const std::string& key, const std::string& value) const {
    try {
        host().kvPut(key, value);
    } catch (const sdk::Error& ex) {
        host().warn("could not remember " + key + " (lookup still finds the voucher by its marker): " + ex.what());
    }
}

std::optional<std::string> FortnoxPlugin::remembered(const std::string& key) const {
    try {
        return host().kvGet(key);
    } catch (const sdk::Error& ex) {
        host().warn(std::string("plugin state unavailable, going on without it: ") + ex.what());
        return std::nullopt;
    }
}

// Vouchers are numbered per series and financial year: financialyeardate picks the year the
// entry's date falls in, fromdate/todate narrow the list to that day.
std::optional<VoucherId> FortnoxPlugin::findVoucher(const sdk::Entry& e) {
    const std::string marker = markerOf(e);
    for (int page = 1; page <= kMaxLookupPages; ++page) {
        const sdk::HttpResponse r =
            api_->get("/vouchers/sublist/" + config_.voucherSeries + "?financialyeardate=" + e.date +
                      "&fromdate=" + e.date + "&todate=" + e.date +
                      "&limit=" + std::to_string(kLookupPageSize) + "&page=" + std::to_string(page));
        FortnoxApi::throwIfUnauthorised(r, "GET vouchers/sublist");
        if (r.status != 200)
            throw sdk::Error(LB_ERR_TARGET, "could not look vouchers up in Fortnox: " + parseError(r).message);
        try {
            Poco::JSON::Parser parser;
            const auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
            const auto list = root ? root->getArray("Vouchers") : nullptr;
            const auto meta = root ? root->getObject("MetaInformation") : nullptr;
            if (!list || !meta) throw std::runtime_error("no Vouchers or MetaInformation");
            for (std::size_t i = 0; i < list->size(); ++i) {
                const auto v = list->getObject(static_cast<unsigned>(i));
                const std::string d = v ? text(v, "Description") : "";
                if (d.size() >= marker.size() && d.compare(d.size() - marker.size(), marker.size(), marker) == 0)
                    return idOf(v);
            }
            if (page >= meta->getValue<int>("@TotalPages")) return std::nullopt;
        } catch (const std::exception& ex) {
            throw sdk::Error(LB_ERR_TARGET, std::string("Fortnox's voucher list could not be read: ") + ex.what());
        }
    }
    throw sdk::Error(LB_ERR_TARGET, "more than " + std::to_string(kMaxLookupPages * kLookupPageSize) +
                                        " vouchers on " + e.date + " in series " + config_.voucherSeries +
                                        "; the lookup stops there");
}

sdk::Outcome FortnoxPlugin::lookup(const sdk::Entry& e) {
    try {
        const auto id = findVoucher(e);
        if (!id) return sdk::Outcome::absent();
        // Found after an interrupted push: connect the receipts push would have connected next.
        return finish(e, *id);
    } catch (const NotSent& ex) {
        throw sdk::Error(LB_ERR_TARGET, ex.what());
    }
}

}  // namespace ledgerbridge::fortnox
