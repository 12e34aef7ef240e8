// Business Central API calls through the host: see BcApi.hpp.
#include "BcApi.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSONString.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace ledgerbridge::businesscentral {

namespace {
constexpr int kMaxRateLimitWaits = 5;  ///< 429 waits per request before giving up (NotSent)

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string headerOf(const sdk::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (lower(k) == lower(name)) return v;
    return {};
}

/// Seconds of a Retry-After header (delay-seconds); `fallback` when absent or unreadable.
std::int64_t retryAfterSeconds(const std::string& value, std::int64_t fallback) {
    if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos) return fallback;
    return std::stoll(value);
}
}  // namespace

std::string bcErrorText(const sdk::HttpResponse& r) {
    std::string code, message;
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
        const auto error = root ? root->getObject("error") : nullptr;
        if (error) {
            code = error->optValue<std::string>("code", "");
            message = error->optValue<std::string>("message", "");
        }
    } catch (const Poco::Exception&) {
    } catch (const std::exception&) {
    }
    if (message.empty()) message = r.body.substr(0, 200);
    return "BC " + std::to_string(r.status) + (code.empty() ? "" : " " + code) + ": " + message;
}

std::string failureReasonFor(const std::string& bcError) {
    const std::string l = lower(bcError);
    if (l.find("g/l account") != std::string::npos || l.find("accountnumber") != std::string::npos)
        return "account_unknown";
    if (l.find("vat prod. posting group") != std::string::npos || l.find("tax group") != std::string::npos ||
        l.find("taxcode") != std::string::npos)
        return "tax_code_unknown";
    if (l.find("vendor") != std::string::npos) return "vendor_unknown";
    if (l.find("dimension") != std::string::npos) return "tag_unknown";
    return "validation_failure";
}

Poco::JSON::Object::Ptr jsonObjectOf(const sdk::HttpResponse& r, const std::string& what) {
    if (r.status < 200 || r.status > 299) throw sdk::Error(LB_ERR_TARGET, what + ": " + bcErrorText(r));
    try {
        Poco::JSON::Parser parser;
        auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
        if (root) return root;
    } catch (const Poco::Exception& e) {
        throw sdk::Error(LB_ERR_TARGET, what + ": the answer is not a JSON object (" + e.displayText() + ")");
    } catch (const std::exception&) {
    }
    throw sdk::Error(LB_ERR_TARGET, what + ": the answer is not a JSON object");
}

std::string odataString(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    quoted += "'";
    std::string encoded;
    Poco::URI::encode(quoted, "!#$&'()*+,/:;=?@[]% ", encoded);
    return encoded;
}

sdk::HttpResponse BcApi::get(const std::string& path) {
    sdk::HttpRequest req;
    req.method = "GET";
    req.url = config_.companyUrl() + path;
    req.headers = {{"Accept", "application/json"}};
    return send(req, false);
}

sdk::HttpResponse BcApi::post(const std::string& path, const std::string& jsonBody) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.url = config_.companyUrl() + path;
    req.headers = {{"Accept", "application/json"}};
    if (!jsonBody.empty()) req.headers.emplace_back("Content-Type", "application/json");
    req.body = jsonBody;
    return send(req, true);
}

sdk::HttpResponse BcApi::patchBytes(const std::string& path, const std::string& etag, const std::string& bytes) {
    sdk::HttpRequest req;
    req.method = "PATCH";
    req.url = config_.companyUrl() + path;
    req.headers = {{"If-Match", etag}, {"Content-Type", "application/octet-stream"}};
    req.body = bytes;
    return send(req, true);
}

sdk::HttpResponse BcApi::readBatch(const std::string& jsonBody) {
    sdk::HttpRequest req;
    req.method = "POST";
    req.url = config_.apiUrl() + "/$batch";
    req.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
    req.body = jsonBody;
    return send(req, false);
}

std::vector<Poco::JSON::Array::Ptr> BcApi::getValues(const std::vector<std::string>& paths, const std::string& what) {
    constexpr std::size_t kMaxBatchRequests = 100;  // BC's limit of operations in one $batch
    std::vector<Poco::JSON::Array::Ptr> out(paths.size());
    for (std::size_t from = 0; from < paths.size(); from += kMaxBatchRequests) {
        const std::size_t to = std::min(paths.size(), from + kMaxBatchRequests);
        std::string body = "{\"requests\":[";
        for (std::size_t i = from; i < to; ++i)
            body += std::string(i == from ? "" : ",") + "{\"method\":\"GET\",\"id\":\"" + std::to_string(i) +
                    "\",\"url\":" + Poco::toJSON("companies(" + config_.companyId + ")" + paths[i]) + "}";
        body += "]}";
        const auto root = jsonObjectOf(readBatch(body), what + " (" + std::to_string(to - from) + " in a $batch)");
        const auto responses = root->getArray("responses");
        if (!responses || responses->size() != to - from)
            throw sdk::Error(LB_ERR_TARGET, what + ": the $batch answer does not hold one response per request");
        for (std::size_t r = 0; r < responses->size(); ++r) {
            const auto one = responses->getObject(static_cast<unsigned>(r));
            const std::string id = one ? one->optValue<std::string>("id", "") : "";
            const std::size_t i = !id.empty() && id.size() < 9 && id.find_first_not_of("0123456789") == std::string::npos
                                      ? std::stoul(id) : paths.size();
            const int status = one ? one->optValue<int>("status", 0) : 0;
            const auto answer = one ? one->getObject("body") : nullptr;
            const auto value = answer ? answer->getArray("value") : nullptr;
            if (i < from || i >= to || status != 200 || !value)
                throw sdk::Error(LB_ERR_TARGET, what + ": a request of the $batch answered " + std::to_string(status));
            out[i] = value;
        }
    }
    return out;
}

sdk::HttpResponse BcApi::remove(const std::string& path, const std::string& etag) {
    sdk::HttpRequest req;
    req.method = "DELETE";
    req.url = config_.companyUrl() + path;
    req.headers = {{"If-Match", etag}};
    return send(req, true);
}

std::vector<BcApi::BatchAnswer> BcApi::postAll(const std::vector<std::pair<std::string, std::string>>& requests,
                                              const std::string& what) {
    constexpr std::size_t kMaxBatchRequests = 100;  // BC's limit of operations in one $batch
    std::vector<BatchAnswer> out(requests.size());
    for (std::size_t from = 0; from < requests.size(); from += kMaxBatchRequests) {
        const std::size_t to = std::min(requests.size(), from + kMaxBatchRequests);
        std::string body = "{\"requests\":[";
        for (std::size_t i = from; i < to; ++i)
            body += std::string(i == from ? "" : ",") + "{\"method\":\"POST\",\"id\":\"" + std::to_string(i) +
                    "\",\"url\":" + Poco::toJSON("companies(" + config_.companyId + ")" + requests[i].first) +
                    ",\"headers\":{\"Content-Type\":\"application/json\"},\"body\":" + requests[i].second + "}";
        body += "]}";
        sdk::HttpRequest req;
        req.method = "POST";
        req.url = config_.apiUrl() + "/$batch";
        req.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
        req.body = body;
        const sdk::HttpResponse r = send(req, true);
        if (r.status != 200) throw NoResponse(what + ": the $batch answered " + bcErrorText(r) + "; some requests may be done");
        Poco::JSON::Array::Ptr responses;
        try {
            Poco::JSON::Parser parser;
            const auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
            responses = root ? root->getArray("responses") : nullptr;
        } catch (const std::exception&) {
        }
        if (!responses || responses->size() != to - from)
            throw NoResponse(what + ": the $batch answer does not hold one response per request; some may be done");
        for (std::size_t k = 0; k < responses->size(); ++k) {
            const auto one = responses->getObject(static_cast<unsigned>(k));
            const std::string id = one ? one->optValue<std::string>("id", "") : "";
            const std::size_t i = !id.empty() && id.size() < 9 && id.find_first_not_of("0123456789") == std::string::npos
                                      ? std::stoul(id) : requests.size();
            if (i < from || i >= to) throw NoResponse(what + ": the $batch answered a request it was not sent");
            BatchAnswer& a = out[i];
            a.status = one->optValue<int>("status", 0);
            a.body = one->getObject("body");
            if (a.status >= 400) {
                const auto err = a.body ? a.body->getObject("error") : nullptr;
                a.error = "BC " + std::to_string(a.status) + (err ? " " + err->optValue<std::string>("code", "") + ": " +
                                                                        err->optValue<std::string>("message", "")
                                                                  : std::string(": no error text"));
            }
        }
    }
    return out;
}

std::vector<BcApi::Created> BcApi::createAll(const std::vector<std::pair<std::string, std::string>>& requests,
                                             bool batched, bool needsId, const std::string& what) {
    std::vector<Created> out(requests.size());
    auto idOf = [&](const Poco::JSON::Object::Ptr& body) {
        const std::string id = body ? body->optValue<std::string>("id", "") : "";
        if (needsId && !isGuid(id)) throw sdk::Error(LB_ERR_TARGET, what + ": BC created a record without a GUID id");
        return id;
    };
    if (batched && requests.size() > 1) {
        const auto answers = postAll(requests, what);
        for (std::size_t i = 0; i < answers.size(); ++i) {
            const BatchAnswer& a = answers[i];
            if (a.status == 429 || a.status >= 500 || a.status < 200)
                throw NoResponse(what + ": a request of the $batch answered " + std::to_string(a.status) + "; some may be done");
            if (a.status >= 400) out[i].error = a.error;
            else out[i].id = idOf(a.body);
        }
        return out;
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const sdk::HttpResponse r = post(requests[i].first, requests[i].second);
        if (r.status >= 400 && r.status < 500) {
            out[i].error = bcErrorText(r);
            break;
        }
        out[i].id = idOf(jsonObjectOf(r, what));
    }
    return out;
}

void BcApi::removeRecord(const std::string& path, std::string etag, const std::string& what) {
    constexpr int kMaxEtagRetries = 3;  // the record changed under us this often: give up (target error)
    for (int attempt = 0;; ++attempt) {
        const sdk::HttpResponse r = remove(path, etag);
        if (r.status == 204 || r.status == 200 || r.status == 404) return;
        if (r.status != 412 || attempt >= kMaxEtagRetries) throw sdk::Error(LB_ERR_TARGET, "deleting " + what + ": " + bcErrorText(r));
        const sdk::HttpResponse again = get(path);
        if (again.status == 404) return;
        etag = jsonObjectOf(again, "reading " + what)->optValue<std::string>("@odata.etag", "");
    }
}

sdk::HttpResponse BcApi::send(sdk::HttpRequest req, bool write) {
    req.timeoutMs = config_.timeoutMs;
    req.useTargetToken = true;
    const std::string what = req.method + " " + req.url;
    for (int waits = 0;; ++waits) {
        host_.throwIfCancelled();
        window_.waitForRoom(host_);
        sdk::HttpResponse r;
        try {
            r = host_.http(req);
            window_.recordNow();
        } catch (const sdk::CancelledError&) {
            throw;
        } catch (const sdk::Error& e) {
            window_.recordNow();  // it may have reached BC: it counts
            if (write) throw NoResponse(std::string("no answer from Business Central, the change may be done: ") + e.what());
            throw NotSent(std::string("no answer from Business Central: ") + e.what());
        }
        if (r.status == 401)
            throw sdk::Error(LB_ERR_TARGET, what + ": Business Central refused the access token (401); the connection "
                                                   "needs to be authorised again");
        if (r.status == 403)
            throw sdk::Error(LB_ERR_TARGET, what + ": Business Central refused access (403): " + bcErrorText(r) +
                                                   "; check the app's permission sets in the company");
        if (r.status >= 500) {
            if (write) throw NoResponse(what + ": " + bcErrorText(r) + "; the change may be done");
            throw NotSent(what + ": " + bcErrorText(r));
        }
        if (r.status != 429) return r;
        const std::int64_t seconds = retryAfterSeconds(headerOf(r, "Retry-After"), 60);
        if (seconds * 1000 > config_.maxRetryWaitMs || waits >= kMaxRateLimitWaits)
            throw NotSent("Business Central's rate limit was hit (429); retry in " + std::to_string(seconds) + " s");
        host_.info("Business Central's rate limit was hit (429); waiting " + std::to_string(seconds) +
                   " s as Retry-After asks");
        pause(seconds * 1000);
    }
}

void BcApi::pause(std::int64_t ms) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        host_.throwIfCancelled();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(100)));
    }
}

}  // namespace ledgerbridge::businesscentral
